"""ValidationReport renderings, the public API, and the rule catalogue's consistency."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import speechflows.datasets as datasets
from speechflows.datasets import DataKind, Severity, ValidationReport, rules_for, validate
from speechflows.datasets.report import ReportBuilder


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> ValidationReport:
    path = datasets.write_sample(
        tmp_path_factory.mktemp("r"), DataKind.AUDIO_AND_SCRIPT, broken=True
    )
    return validate(path, DataKind.AUDIO_AND_SCRIPT)


def test_public_api_is_sorted_and_complete() -> None:
    assert datasets.__all__ == sorted(datasets.__all__)
    for name in datasets.__all__:
        assert getattr(datasets, name) is not None


def test_rows_have_the_table_columns(report: ValidationReport) -> None:
    rows = report.to_rows()
    assert len(rows) == len(report.findings)
    assert set(rows[0]) == {"severity", "code", "file", "line", "value", "rule", "fix"}
    line_rows = [r for r in rows if r["code"] == "script.missing_tab"]
    assert line_rows[0]["file"] == "script.txt" and isinstance(line_rows[0]["line"], int)


def test_counts(report: ValidationReport) -> None:
    counts = report.counts_by_code()
    assert sum(counts.values()) == len(report.findings) == report.error_count + report.warning_count
    assert report.has_errors and report.error_count == sum(
        1 for f in report.findings if f.severity is Severity.ERROR
    )
    assert list(counts) == sorted(counts)


def test_json_round_trip(report: ValidationReport) -> None:
    doc = json.loads(report.to_json())
    assert doc["has_errors"] is True and doc["counts_by_code"] == report.counts_by_code()
    back = ValidationReport.from_json(report.to_json())
    assert back.total_audio_seconds == pytest.approx(report.total_audio_seconds, abs=1e-3)
    back.total_audio_seconds = report.total_audio_seconds  # JSON keeps milliseconds
    assert back == report


def test_text_names_file_line_rule_and_fix(report: ValidationReport) -> None:
    text = report.to_text(limit=None)
    assert text.startswith("AudioAndScript dataset (en-US):")
    finding = next(f for f in report.findings if f.code == "script.missing_tab")
    assert f"script.txt:{finding.line}" in text and finding.rule in text and finding.fix in text
    short = report.to_text(limit=2)
    assert f"{len(report.findings) - 2} more findings" in short


def test_dataset_level_findings_have_no_file(report: ValidationReport) -> None:
    finding = next(f for f in report.findings if f.code == "dataset.too_few_utterances")
    assert finding.file == "" and finding.location() == "(dataset)"


def test_unknown_code_is_a_bug() -> None:
    b = ReportBuilder(DataKind.LANGUAGE, "en-US")
    with pytest.raises(KeyError, match="not a rule of Language"):
        b.add("audio.not_mono", "x.wav")


def test_locale_specific_rules_are_skipped_elsewhere() -> None:
    b = ReportBuilder(DataKind.ACOUSTIC, "de-DE")
    assert b.add("transcript.non_ascii", "t.txt", line=1) is None
    assert not b.report.findings


@pytest.mark.parametrize("kind", list(DataKind), ids=str)
def test_catalogue_is_complete(kind: DataKind) -> None:
    for code, rule in rules_for(kind).items():
        assert rule.code == code and "." in code and code == code.lower()
        assert rule.rule.endswith((".", ")")) and rule.fix, code
    assert "dataset.not_found" in rules_for(kind) and "file.empty" in rules_for(kind)


def test_fix_mentions_the_file(tmp_path: Path) -> None:
    rule = rules_for(DataKind.ACOUSTIC)["audio.not_mono"]
    finding = rule.finding("sub/a.wav", value="2 channels")
    assert "sox sub/a.wav -b 16 -e signed-integer -c 1 -r 16k" in finding.fix
