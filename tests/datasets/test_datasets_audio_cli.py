"""``speechflows validate --audio``: audio warnings in the table and JSON, a per-utterance CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from tests.datasets.speechlike import speechlike, write

runner = CliRunner()


def _dataset(folder: Path) -> Path:
    write(folder / "0000000001.wav", speechlike(3.0, seed=1, snr_db=40).samples, 24000)
    write(folder / "0000000002.wav", speechlike(3.0, seed=2, snr_db=9).samples, 24000)
    write(folder / "0000000003.wav", speechlike(3.0, seed=3, level_dbfs=-2).samples, 24000)
    (folder / "script.txt").write_text(
        "0000000001\tThe first one.\n0000000002\tThe noisy one?\n0000000003\tThe loud one!\n",
        encoding="utf-8",
    )
    return folder


def test_validate_audio_adds_warnings_and_writes_the_report(tmp_path: Path) -> None:
    data = _dataset(tmp_path / "data")
    out = tmp_path / "out"
    args = ["validate", str(data), "--kind", "AudioAndScript", "--min-utterances", "0"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 0 and "audio.snr_low" not in plain.output

    result = runner.invoke(app, [*args, "--audio", "--audio-report", str(out)])
    assert result.exit_code == 0, result.output  # warnings never fail the check
    assert "audio.snr_low" in result.output and "audio.clipped" in result.output
    assert "median" in result.output and "No errors" in result.output
    rows = list(csv.DictReader((out / "audio-report.csv").open(encoding="utf-8")))
    assert [(r["file"], r["findings"], r["text"]) for r in rows][:2] == [
        ("0000000002.wav", "audio.snr_low", "The noisy one?"),
        ("0000000003.wav", "audio.clipped", "The loud one!"),
    ]

    as_json = runner.invoke(app, [*args, "--audio", "--audio-report", str(out), "--json"])
    doc = json.loads(as_json.stdout)
    assert doc["has_errors"] is False
    assert doc["counts_by_code"] == {"audio.clipped": 1, "audio.snr_low": 1}
    assert doc["audio"]["files"] == 3 and doc["audio"]["csv"] == str(out / "audio-report.csv")


def test_the_clean_voice_samples_stay_clean_with_audio_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the report goes to .speechflows/reports/ under the cwd
    for kind in ("AudioAndScript", "Prompt", "Consent", "LongAudio", "AudioOnly"):
        runner.invoke(app, ["sample-data", str(tmp_path / kind), "--kind", kind])
        data = tmp_path / kind / "data"
        path = data if any(data.iterdir()) else tmp_path / kind
        result = runner.invoke(
            app,
            ["validate", str(path), "--kind", kind, "--audio", "--json", "--min-utterances", "0"],
            catch_exceptions=False,
        )
        doc = json.loads(result.stdout)
        assert result.exit_code == 0 and doc["counts_by_code"] == {}, (kind, doc["counts_by_code"])
        assert doc["audio"]["analysed"] >= 1
        assert (tmp_path / doc["audio"]["csv"]).is_file()


def test_audio_on_a_text_kind_is_skipped_with_a_note(tmp_path: Path) -> None:
    runner.invoke(app, ["sample-data", str(tmp_path / "s"), "--kind", "Language"])
    result = runner.invoke(
        app, ["validate", str(tmp_path / "s" / "data"), "--kind", "Language", "--audio"]
    )
    assert result.exit_code == 0 and "hold no audio" in result.output
