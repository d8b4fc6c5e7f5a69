"""``speechflows stage``: progress, summary, exit codes, no secrets on screen."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.dev.azurite import ACCOUNT_KEY, Azurite


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, azurite: Azurite, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)  # the default hash cache lands in .speechflows/ here
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", azurite.connection_string)
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONTAINER", "cli-stage")
    return tmp_path


def test_stage_then_rerun_prints_summary(env: Path, dataset: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["stage", str(dataset), "--prefix", "cli/ds1", "--ext", "wav"])
    assert first.exit_code == 0, first.output
    assert "uploaded 12" in first.output and "skipped 0 unchanged" in first.output
    assert "/cli-stage/cli/ds1" in first.output and ACCOUNT_KEY not in first.output
    assert (env / ".speechflows" / "hash-cache.json").exists()
    again = runner.invoke(
        app, ["stage", str(dataset), "--prefix", "cli/ds1", "--ext", ".wav", "--json"]
    )
    assert again.exit_code == 0, again.output
    result = json.loads(again.stdout[again.stdout.index("{") :])
    assert result["uploaded"] == [] and len(result["skipped"]) == 12


def test_errors_exit_1_with_the_fix(env: Path, tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["stage", str(tmp_path / "missing"), "--prefix", "p"])
    assert out.exit_code == 1
    assert "does not exist" in out.output and "Fix:" in out.output


def test_missing_settings_exit_2(env: Path, dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING")
    out = CliRunner().invoke(app, ["stage", str(dataset), "--prefix", "p"])
    assert out.exit_code == 2 and "SPEECHFLOWS_STORAGE_CONNECTION_STRING" in out.output
