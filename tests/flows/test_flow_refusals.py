"""Deployment runs refuse before the first create, end Failed with one message, and say so in
``speechflows.dataset.refused`` / ``speechflows.onboarding.failed`` events (issue 27)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prefect.settings import PREFECT_API_URL

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
from tests.flows.conftest import EmulatorState, blobs_in
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
    [event] = _events(since, "speechflows.onboarding.failed", "refused-recipe")
    assert "needs at least 3 utterances" in event["payload"]["reason"]
    assert event["payload"]["flow"] == "professional-voice-onboarding"


def test_language_dataset_of_audio_and_script_is_refused_with_an_event(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    before = len(emulator_state.creates())
    voice = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=3)
    params = CustomSpeechParams(
        project_name="refused kind",
        deadlines=FAST,
        datasets=[DatasetSpec(name="script", kind="Language", path=str(voice))],
    )
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_failed()
    assert "dataset.kind_mismatch" in str(state.message)
    assert len(emulator_state.creates()) == before
    [event] = _events(since, "speechflows.dataset.refused", "script")
    assert event["payload"]["codes"] == ["dataset.kind_mismatch"]
    assert event["payload"]["error_count"] == 1
    [failed] = _events(since, "speechflows.onboarding.failed", "refused kind")
    assert failed["payload"]["errors"] == 1 and "sig=" not in str(failed)
