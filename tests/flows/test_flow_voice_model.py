"""Professional voice from a consent blob to a deployed endpoint, and the unchanged re-run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.flows.params import (
    ConsentParams,
    ProfessionalVoiceParams,
    VoiceModelParams,
)
from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.speech import CustomVoiceClient
from tests.flows.conftest import EmulatorState, blobs_in, read_artifacts
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e

CONSENT_BLOB = "consents/pv-model/consent.wav"


def _creates(state: EmulatorState, project: str) -> list[tuple[str, str]]:
    return sorted(
        (c["collection"], str(c["id"]))
        for c in state.creates()
        if c["collection"] == "endpoints" or str(c["id"]).startswith(project)
    )


def test_consent_blob_model_and_endpoint_end_to_end(
    flow_env: dict[str, str], emulator_state: EmulatorState, emulator: Any, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    conn, container = (
        flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
        flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
    )
    consent_dir = write_sample(tmp_path / "consent", DataKind.CONSENT)
    consent_wav = consent_dir if consent_dir.is_file() else sorted(consent_dir.rglob("*.wav"))[0]
    with BlobServiceClient.from_connection_string(conn) as svc:
        svc.create_container(container)
        svc.get_container_client(container).upload_blob(CONSENT_BLOB, consent_wav.read_bytes())
    params = ProfessionalVoiceParams(
        project_id="pv-model",
        deadlines=FAST,
        data_dir=write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4),
        consent=ConsentParams(
            voice_talent_name="Jess Doe", company_name="Contoso", audio_blob=CONSENT_BLOB
        ),
        model=VoiceModelParams(voice_name="PvModelNeural", deploy_endpoint=True),
    )

    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    first = state.result()
    endpoint_id = str(params.model.resolved_endpoint_id("pv-model"))  # type: ignore[union-attr]
    assert first.consent.status == "Succeeded" and first.consent.action == "created"
    assert first.utterance_count == 4
    assert first.model is not None and first.endpoint is not None
    assert (first.model.id, first.model.status) == ("pv-model-model", "Succeeded")
    assert (first.endpoint.id, first.endpoint.status) == (endpoint_id, "Succeeded")
    assert len(first.created) == 5

    # The service's own view: consent from the blob, model trained on the set, endpoint serving it.
    with CustomVoiceClient(emulator.speech_settings()) as cv:
        consent = cv.consents.get("pv-model-consent")
        model = cv.models.get("pv-model-model")
        endpoint = cv.endpoints.get(endpoint_id)
    assert str(consent.status) == "Succeeded"
    assert str(model.status) == "Succeeded" and model.training_set_id == first.training_set.id
    assert model.consent_id == "pv-model-consent" and model.voice_name == "PvModelNeural"
    assert str(endpoint.status) == "Succeeded" and endpoint.model_id == "pv-model-model"
    created = _creates(emulator_state, "pv-model")
    assert ("models", "pv-model-model") in created and ("endpoints", endpoint_id) in created

    # The consent blob lives outside the staged prefix: pruning never touches it.
    assert CONSENT_BLOB in blobs_in(conn, container)
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    report = arts["report-pv-model-trainingset"].data
    assert "pv-model-model" in report and endpoint_id in report and "sig=" not in report

    again = professional_voice_onboarding(params)
    assert again.created == [] and len(again.reused) == 5
    assert again.model is not None and again.model.status == "Succeeded"
    assert again.endpoint is not None and again.endpoint.status == "Succeeded"
    assert again.staging.uploaded_bytes == 0 and again.staging.deleted_files == 0
    assert _creates(emulator_state, "pv-model") == created
