"""``validate`` output for people: one line per finding, errors first, commands never split."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, write_sample

runner = CliRunner()


def test_at_80_columns_one_line_per_finding_errors_first_and_commands_paste_from_here(
    tmp_path: Path, monkeypatch: object
) -> None:
    data = write_sample(tmp_path / "my data", DataKind.AUDIO_AND_SCRIPT, broken=True)
    os.chdir(tmp_path)
    try:
        out = runner.invoke(
            app, ["validate", str(data), "--kind", "AudioAndScript"], env={"COLUMNS": "80"}
        ).output
        doc = json.loads(
            runner.invoke(app, ["validate", str(data), "--kind", "AudioAndScript", "--json"]).stdout
        )
    finally:
        os.chdir(Path(__file__).parents[2])
    lines = [line for line in out.splitlines() if "  error  " in line or "  warning  " in line]
    assert "│" not in out  # no table at 80 columns
    assert len(lines) == len({(f["severity"], f["code"]) for f in doc["findings"]})
    severities = ["error" if "  error  " in line else "warning" for line in lines]
    assert severities == sorted(severities)  # errors first
    sox = next(line for line in lines if "audio.sample_rate_too_low" in line)
    command = sox.split(" → ", 1)[1].split("upsampling only passes the check: ", 1)[1]
    assert command.startswith(f"cd {shlex.quote(os.path.relpath(data, tmp_path))} && ")
    subprocess.run(["sh", "-c", command], cwd=tmp_path, check=True)  # from where the user is
    assert (Path(data) / "fixed/0000000107.wav").exists()
    assert sox.startswith(f"{os.path.relpath(data, tmp_path)}/0000000107.wav  error  ")
