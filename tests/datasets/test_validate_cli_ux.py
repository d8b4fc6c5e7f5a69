"""``speechflows validate`` as a new user meets it: a missing path, a wrong --kind, many findings."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, write_sample

runner = CliRunner()


def _validate(*args: str) -> object:
    return runner.invoke(app, ["validate", *args], env={"COLUMNS": "250"})


def test_a_missing_path_is_a_plain_error(tmp_path: Path) -> None:
    result = _validate(str(tmp_path / "nope"), "--kind", "Acoustic")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    out = result.output  # type: ignore[attr-defined]
    assert f"{tmp_path / 'nope'}: no such file or folder" in out
    assert "Azure would reject" not in out and "files checked" not in out


def test_the_wrong_kind_groups_findings_and_guesses_the_kind(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=5)
    result = _validate(str(data), "--kind", "Acoustic")
    out = result.output  # type: ignore[attr-defined]
    assert result.exit_code == 1, out  # type: ignore[attr-defined]
    assert "it looks like AudioAndScript" in out
    assert f"speechflows validate {data} --kind AudioAndScript" in out
    assert "Azure would reject this whole dataset" in out

    # One row per rule: every code of the JSON report appears once, with its count.
    doc = json.loads(_validate(str(data), "--kind", "Acoustic", "--json").stdout)  # type: ignore[attr-defined]
    counts: dict[str, int] = {}
    for f in doc["findings"]:
        counts[f["code"]] = counts.get(f["code"], 0) + 1
    assert max(counts.values()) >= 5  # the same rule on every file
    rows = [line for line in out.splitlines() if line.startswith("│")]
    for code, count in counts.items():
        head = code[:6]
        starts = [r for r in rows if r.split("│")[4].strip().startswith(head)]
        assert len(starts) == 1 and starts[0].split("│")[5].strip() == str(count), (code, rows)
    assert "(+2 more)" in out  # five files, the first three named
    assert len(rows) < len(doc["findings"])


def test_a_good_kind_has_no_guess(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "acoustic", DataKind.ACOUSTIC, count=3)
    result = _validate(str(data), "--kind", "Acoustic")
    assert result.exit_code == 0 and "looks like" not in result.output  # type: ignore[attr-defined]
