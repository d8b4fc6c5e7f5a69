"""``speechflows validate`` and ``speechflows sample-data``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from speechflows.cli import app

runner = CliRunner()


def test_sample_data_then_validate_clean(tmp_path: Path) -> None:
    result = runner.invoke(app, ["sample-data", str(tmp_path / "s"), "--kind", "acoustic"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "s" / "README.md").exists()
    result = runner.invoke(app, ["validate", str(tmp_path / "s" / "data"), "--kind", "Acoustic"])
    assert result.exit_code == 0, result.output
    assert "No errors" in result.output


def test_validate_broken_exits_1_and_json_lists_findings(tmp_path: Path) -> None:
    runner.invoke(app, ["sample-data", str(tmp_path / "b"), "--kind", "Language", "--broken"])
    data = str(tmp_path / "b" / "data")
    result = runner.invoke(app, ["validate", data, "--kind", "Language", "--json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["has_errors"] is True and doc["counts_by_code"]["language.uri"] == 1
    table = runner.invoke(app, ["validate", data, "--kind", "Language", "--limit", "3"])
    assert (
        table.exit_code == 1 and "language.uri" in table.output
    ) or "more findings" in table.output


def test_unknown_kind_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(tmp_path), "--kind", "Video"])
    assert result.exit_code == 2
    assert "AudioAndScript" in result.output


def test_progress_bar_draws_on_a_terminal_for_large_folders() -> None:
    import io

    from rich.console import Console

    from speechflows.cli.validate import _progress

    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80)
    with _progress(console) as update:
        assert update is not None
        update(10, 20)  # small folders: no bar
        assert out.getvalue() == ""
        update(512, 2000)
        update(2000, 2000)
    assert "validating" in out.getvalue()
    with _progress(Console(file=io.StringIO())) as none:  # not a terminal: no callback
        assert none is None


def test_validate_the_published_rule_file_format_exits_0(tmp_path: Path) -> None:
    rules = tmp_path / "data_display format.txt"
    rules.write_bytes(
        b"\xef\xbb\xbf// display format rules\r\n# itn\r\ncat-\\d\r\n"
        b"\\d\\d{to>-}\\d\\d {K>cadence}\r\n# rewrite\r\nwifi\tWi-Fi\r\n"
    )
    result = runner.invoke(app, ["validate", str(rules), "--kind", "OutputFormatting", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["has_errors"] is False and doc["counts_by_code"] == {}
