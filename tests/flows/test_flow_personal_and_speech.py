"""Personal voice and custom speech onboardings end to end (emulator + Azurite + Prefect)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.personal_voice import personal_voice_onboarding
from tests.flows.conftest import EmulatorState, personal_params, read_artifacts
from tests.samples import speech_params

pytestmark = pytest.mark.e2e


def test_personal_voice_gives_a_speaker_profile_and_reruns_without_creating(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = personal_params(tmp_path, "pers-e2e")
    state = personal_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    uuid.UUID(result.speaker_profile_id)
    voice_id = result.personal_voice.id  # one voice per prompt audio content
    assert voice_id.startswith("pers-e2e-voice-v") and result.personal_voice.status == "Succeeded"
    created = sorted(
        (c["collection"], c["id"])
        for c in emulator_state.creates()
        if c["id"].startswith("pers-e2e")
    )
    assert created == [
        ("consents", "pers-e2e-consent"),
        ("personalvoices", voice_id),
        ("projects", "pers-e2e"),
    ]
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    assert result.speaker_profile_id in arts["report-pers-e2e-voice"].data

    again = personal_voice_onboarding(params)
    assert again.speaker_profile_id == result.speaker_profile_id
    assert again.created == [] and len(again.reused) == 3
    recreated = sorted(
        (c["collection"], c["id"])
        for c in emulator_state.creates()
        if c["id"].startswith("pers-e2e")
    )
    assert recreated == created


def test_custom_speech_datasets_model_and_evaluation(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = speech_params(tmp_path, "cs e2e", "cs-e2e", count=6)
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    by_name = {d.name: d for d in result.datasets}
    audio = by_name["cs-e2e-audio"]
    assert audio.report.dataset.status == "Succeeded" and audio.report.accepted_lines == 6
    assert audio.staging.uploaded_files == 1  # one deterministic zip
    assert by_name["cs-e2e-phrases"].report.accepted_lines
    assert result.model is not None and result.model.status == "Succeeded"
    assert result.evaluation is not None and result.evaluation.word_error_rate_custom is not None
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    report = arts["report-cs-e2e"].data
    assert "cs-e2e-audio" in report and "WER" in report and "sig=" not in report
    creates = [
        c
        for c in emulator_state.creates()
        if c["collection"] in ("datasets", "models", "evaluations", "projects")
    ]

    again = custom_speech_onboarding(params)
    assert again.created == []
    assert all(d.staging.uploaded_bytes == 0 for d in again.datasets)
    assert [
        c
        for c in emulator_state.creates()
        if c["collection"] in ("datasets", "models", "evaluations", "projects")
    ] == creates
