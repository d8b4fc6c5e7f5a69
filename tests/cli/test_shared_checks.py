"""One set of checks behind ``validate``, ``onboard`` and the flows: the same input, one answer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from speechflows import service_locales
from speechflows.cli import app
from speechflows.datasets import DataKind, validate, write_sample
from speechflows.datasets.locales import (
    MARKDOWN_LOCALES,
    PRONUNCIATION_LOCALES,
    STT_LOCALES,
    TTS_LOCALES,
    locale_refusal,
    locales_for,
)
from speechflows.emulator.custom_voice.catalog import TTS_LOCALES as EMULATED_TTS
from speechflows.emulator.speech_to_text.catalog import stt_dataset_locales
from speechflows.preflight import RefusedError, check_source, supported_locales
from tests.fixtures.emulator import EmulatorService
from tests.sockets import silent_listener

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


@pytest.fixture
def withdrawn_en_gb(emulator: EmulatorService) -> Iterator[EmulatorService]:
    """The session emulator no longer offers en-GB (admin seam), until the test ends."""
    service_locales.forget()
    httpx.put(
        f"{emulator.base_url}/_emulator/locales/withdrawn", json={"locales": ["en-GB"]}, timeout=10
    ).raise_for_status()
    try:
        yield emulator
    finally:
        httpx.put(
            f"{emulator.base_url}/_emulator/locales/withdrawn", json={"locales": []}, timeout=10
        ).raise_for_status()
        service_locales.forget()


@pytest.mark.parametrize(
    ("kind", "api"),
    [("Language", "2025-10-15"), ("Acoustic", "v3.2"), ("AudioAndScript", "2026-01-01")],
)
def test_the_service_list_answers_when_the_service_does(
    withdrawn_en_gb: EmulatorService, kind: str, api: str
) -> None:
    """Speech to text kinds: Datasets_ListSupportedLocales (v3.2 keyed by locale, turned
    around); professional voice: the recipes' datasetLocales. The offline list still has en-GB."""
    version = {"speech_to_text_api_version": api} if api != "2026-01-01" else {}
    listed = service_locales.service_locales(kind, withdrawn_en_gb.speech_settings(**version))
    assert listed is not None and "en-US" in listed and "en-GB" not in listed
    assert "en-GB" in locales_for(kind)
    assert service_locales.service_locales("Prompt", withdrawn_en_gb.speech_settings()) is None


def test_validate_onboard_and_a_flow_refuse_a_locale_the_service_no_longer_offers(
    withdrawn_en_gb: EmulatorService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "SPEECHFLOWS_SPEECH_ENDPOINT": withdrawn_en_gb.base_url,
        "SPEECHFLOWS_SPEECH_KEY": withdrawn_en_gb.key,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    data = write_sample(tmp_path / "d", DataKind.LANGUAGE, count=2)
    assert locale_refusal("Language", "en-GB") is None  # the offline list takes it
    said = "--locale en-GB: Language data is not accepted in this locale (143 locales are"
    checked = runner.invoke(app, ["validate", str(data), "--kind", "Language", "--locale", "en-GB"])
    assert checked.exit_code == 2 and said in checked.output, checked.output
    before = withdrawn_en_gb.state()["creates"]
    onboard = runner.invoke(
        app,
        [
            *("onboard", "speech", "--project", "gb", "--locale", "en-GB"),
            *("--dataset", f"d:Language:{data}"),
        ],
    )
    assert onboard.exit_code == 2 and said in onboard.output, onboard.output
    with pytest.raises(RefusedError) as flow_side:
        check_source(str(data), "Language", "en-GB", locale_flag="locale")
    assert str(flow_side.value).startswith(said.replace("--locale", "locale"))
    voice = write_sample(tmp_path / "v", DataKind.AUDIO_AND_SCRIPT, count=2)
    with pytest.raises(RefusedError, match="AudioAndScript data is not accepted"):
        check_source(str(voice), "AudioAndScript", "en-GB", locale_flag="locale")
    assert withdrawn_en_gb.state()["creates"] == before  # nothing created


def test_offline_the_ledger_list_answers_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Speech endpoint nobody answers at: one try, then the offline list (en-GB passes)."""
    service_locales.forget()
    with silent_listener(close=True) as (port, accepted):  # accepts, closes without an answer
        monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", f"http://127.0.0.1:{port}")
        monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", "k" * 32)
        data = write_sample(tmp_path / "d", DataKind.LANGUAGE, count=2)
        for _ in range(3):  # asked once, remembered
            assert supported_locales("Language") == locales_for("Language")
        assert len(accepted) == 1
        checked = runner.invoke(
            app, ["validate", str(data), "--kind", "Language", "--locale", "en-GB"]
        )
        assert checked.exit_code == 0, checked.output
    service_locales.forget()
