"""Deployment runs refuse before the first create, end Failed with one message, say the reason
once in the flow-run log (no traceback, no repeats), and say so in
``speechflows.dataset.refused`` / ``speechflows.onboarding.failed`` events (issue 27)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.logging.handlers import APILogWorker
from prefect.settings import PREFECT_API_URL

from speechflows import service_locales
from speechflows.datasets import DataKind, write_sample
from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    ProfessionalVoiceParams,
    VoiceModelParams,
)
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState, blobs_in, read_log_messages
from tests.flows.deadlines import FAST
from tests.security.prefect_records import wait_for_events

pytestmark = pytest.mark.e2e


def _events(since: datetime, name: str, rid_part: str) -> list[dict[str, Any]]:
    def mine(evs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            e
            for e in evs
            if e["event"] == name and rid_part in str(e["resource"]) + str(e["payload"])
        ]

    events = wait_for_events(
        str(PREFECT_API_URL.value()),
        since,
        lambda: datetime.now(UTC) + timedelta(seconds=5),
        lambda evs: bool(mine(evs)),
    )
    return mine(events)


def _language(
    folder: Path, sample: DataKind, project: str, name: str, **kw: Any
) -> CustomSpeechParams:
    """Custom speech of ``project`` with one Language dataset ``name``: a ``sample`` (3 items)
    written to ``folder``."""
    data = write_sample(folder, sample, count=3)
    return CustomSpeechParams(
        project_name=project,
        deadlines=FAST,
        datasets=[DatasetSpec(name=name, kind="Language", path=str(data))],
        **kw,
    )


def assert_said_once(state: Any, reason: str) -> list[str]:
    """The run's log (flow and task runs, as the UI shows it) holds ``reason`` exactly once,
    and no traceback; the run's state message holds it too."""
    assert reason in str(state.message)
    APILogWorker.drain_all(timeout=10)
    run_id = state.state_details.flow_run_id
    messages = read_log_messages(run_id)
    # the run's last line is written when it ends: poll for it, not a sleep
    for _ in range(50):
        if any(m.startswith("Finished in state Failed") for m in messages):
            break
        APILogWorker.drain_all(timeout=2)
        messages = read_log_messages(run_id)
    saying = [m for m in messages if reason in m]
    assert len(saying) == 1, saying
    assert not [m for m in messages if "Traceback" in m], messages
    return messages


def test_train_model_with_too_few_utterances_is_refused_before_the_project(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    before = len(emulator_state.creates())
    consent = write_sample(tmp_path / "consent", DataKind.CONSENT)
    wav = consent if consent.is_file() else sorted(consent.rglob("*.wav"))[0]
    params = ProfessionalVoiceParams(
        project_id="refused-recipe",
        deadlines=FAST,
        data_dir=write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=2),
        consent=ConsentParams(voice_talent_name="J D", company_name="C", audio_file=wav),
        model=VoiceModelParams(voice_name="RefusedNeural"),
    )
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_failed()
    assert "needs at least 3 utterances" in str(state.message) and "nothing was trained" in str(
        state.message
    )
    assert len(emulator_state.creates()) == before  # no project, consent or training set
    assert (
        blobs_in(
            flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
        )
        == []
    )  # nothing staged
    assert_said_once(state, "needs at least 3 utterances")
    [event] = _events(since, "speechflows.onboarding.failed", "refused-recipe")
    assert "needs at least 3 utterances" in event["payload"]["reason"]
    assert event["payload"]["flow"] == "professional-voice-onboarding"


def test_language_dataset_of_audio_and_script_is_refused_with_an_event(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    before = len(emulator_state.creates())
    params = _language(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, "refused kind", "script")
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_failed()
    assert "dataset.kind_mismatch" in str(state.message)
    assert len(emulator_state.creates()) == before
    assert_said_once(state, "dataset.kind_mismatch")
    [event] = _events(since, "speechflows.dataset.refused", "script")
    assert event["payload"]["codes"] == ["dataset.kind_mismatch"]
    assert event["payload"]["error_count"] == 1
    [failed] = _events(since, "speechflows.onboarding.failed", "refused kind")
    assert failed["payload"]["errors"] == 1 and "sig=" not in str(failed)


def test_a_flow_run_refuses_a_locale_the_service_no_longer_offers(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    """The service's list decides in a run too (the offline list still has en-GB)."""
    base = flow_env["SPEECHFLOWS_SPEECH_ENDPOINT"]
    service_locales.forget()
    httpx.put(
        f"{base}/_emulator/locales/withdrawn", json={"locales": ["en-GB"]}, timeout=10
    ).raise_for_status()
    try:
        before = len(emulator_state.creates())
        params = _language(
            tmp_path / "phrases", DataKind.LANGUAGE, "withdrawn locale", "phrases", locale="en-GB"
        )
        state = custom_speech_onboarding(params, return_state=True)
    finally:
        httpx.put(
            f"{base}/_emulator/locales/withdrawn", json={"locales": []}, timeout=10
        ).raise_for_status()
        service_locales.forget()
    assert state.is_failed()
    reason = "locale en-GB: Language data is not accepted in this locale (143 locales are"
    assert_said_once(state, reason)
    assert "use one of them, e.g. locale='en-AU'" in str(state.message)
    assert len(emulator_state.creates()) == before


def test_a_refused_speech_key_ends_the_run_at_once_naming_the_setting(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The start probe takes any HTTP answer, so a wrong key fails at the first request of the
    run: one 401, no retry (no "retrying" line), one line naming SPEECHFLOWS_SPEECH_KEY and the
    endpoint it was used with, and the event names the setting."""
    since = datetime.now(UTC) - timedelta(seconds=1)
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", "w" * 32)
    service_locales.forget()
    before = len(emulator_state.creates())
    params = _language(tmp_path / "phrases", DataKind.LANGUAGE, "wrong key", "phrases")
    state = custom_speech_onboarding(params, return_state=True)
    service_locales.forget()
    assert state.is_failed()
    endpoint = flow_env["SPEECHFLOWS_SPEECH_ENDPOINT"]
    reason = f"the key in SPEECHFLOWS_SPEECH_KEY was refused by the resource at SPEECHFLOWS_SPEECH_ENDPOINT={endpoint}"
    messages = assert_said_once(state, reason)
    assert not [m for m in messages if "retrying" in m.lower() or "Retry 1/" in m], messages
    assert len(emulator_state.creates()) == before
    [event] = _events(since, "speechflows.onboarding.failed", "wrong key")
    assert event["payload"]["setting"] == "SPEECHFLOWS_SPEECH_KEY"
    assert event["payload"]["error_type"] == "AuthenticationError"
    assert "w" * 32 not in str(event)
