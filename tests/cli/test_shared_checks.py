"""One set of checks behind ``validate``, ``onboard`` and the flows: the same input, one answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, validate, write_sample
from speechflows.datasets.locales import (
    MARKDOWN_LOCALES,
    PRONUNCIATION_LOCALES,
    STT_LOCALES,
    TTS_LOCALES,
    locale_refusal,
)
from speechflows.emulator.custom_voice.catalog import TTS_LOCALES as EMULATED_TTS
from speechflows.emulator.speech_to_text.catalog import stt_dataset_locales
from speechflows.preflight import RefusedError, check_source

runner = CliRunner()


def test_the_offline_locale_lists_are_the_ledger_lists_the_emulator_serves() -> None:
    served = stt_dataset_locales()
    assert TTS_LOCALES == EMULATED_TTS
    assert list(STT_LOCALES) == served["Language"] == served["Acoustic"]
    assert list(PRONUNCIATION_LOCALES) == served["Pronunciation"]
    assert list(MARKDOWN_LOCALES) == served["LanguageMarkdown"]


@pytest.mark.parametrize(
    ("kind", "locale", "said"),
    [
        ("Language", "english", "is not a locale tag"),
        ("Language", "xx-YY", "Language data is not accepted"),
        ("Pronunciation", "sv-SE", "Pronunciation data is not accepted"),
        ("AudioAndScript", "xx-YY", "AudioAndScript data is not accepted"),
    ],
)
def test_validate_onboard_and_the_flows_refuse_a_locale_alike(
    tmp_path: Path, kind: str, locale: str, said: str
) -> None:
    data = write_sample(tmp_path / "d", DataKind.parse(kind), count=2)
    refusal = locale_refusal(kind, locale)
    assert refusal is not None and said in refusal[0]
    checked = runner.invoke(app, ["validate", str(data), "--kind", kind, "--locale", locale])
    assert checked.exit_code == 2 and refusal[0] in checked.output, checked.output
    assert "ready to upload" not in checked.output and "Traceback" not in checked.output
    with pytest.raises(RefusedError) as flow_side:
        check_source(str(data), kind, locale, locale_flag="locale")
    assert flow_side.value.setting == "locale"
    assert said in str(flow_side.value)


def test_a_locale_in_other_case_is_the_same_locale(tmp_path: Path) -> None:
    data = write_sample(tmp_path / "d", DataKind.LANGUAGE, count=2)
    assert (
        runner.invoke(
            app, ["validate", str(data), "--kind", "Language", "--locale", "en-us"]
        ).exit_code
        == 0
    )


def test_a_language_dataset_of_audio_and_its_script_is_refused(tmp_path: Path) -> None:
    voice = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=4)
    report = validate(voice, "Language")
    assert report.has_errors and not report.accepted_files
    assert report.counts_by_code().get("dataset.kind_mismatch") == 1
    acoustic = write_sample(tmp_path / "acoustic", DataKind.ACOUSTIC, count=3)
    assert validate(acoustic, "Language").counts_by_code().get("dataset.kind_mismatch") == 1
    # plain sentences next to unrelated audio stay Language data
    plain = write_sample(tmp_path / "plain", DataKind.LANGUAGE, count=5)
    (Path(plain).parent / "x.wav").write_bytes(b"RIFF")
    plain = Path(plain).parent
    assert "dataset.kind_mismatch" not in validate(plain, "Language").counts_by_code()
