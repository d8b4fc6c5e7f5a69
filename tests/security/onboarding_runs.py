"""The flow runs the audit inspects: each onboarding once, and three ways of failing.

=====================  ======================================================================
run                    what it exercises
=====================  ======================================================================
professional voice     validate, stage (write SAS), consent, training set, upload (container
                       SAS to the service), wait, report, links, events
training set fails     the same project; the upload operation ends Failed (emulator fault)
personal voice         consent from a blob (blob SAS to the service), prompt audio as a
                       multipart upload, speaker profile id
wrong Speech key       401 from the service on the first call
custom speech          Language + Acoustic datasets (blob SAS), model, evaluation, dataset
                       report files (the service's own signed file URLs)
wrong storage key      Azurite refuses the staging (403) signed with another account key
read-only SAS          settings hold a read + list SAS: the uploads through it are refused
=====================  ======================================================================

The sample data and parameters follow tests/flows.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest

# Imported here, not in the runs: importing the flows configures Prefect's logging, which must
# happen before the test captures output (a console handler bound to a capture stream outlives it).
from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import (
    ConsentParams,
    CustomSpeechParams,
    DatasetSpec,
    PersonalVoiceParams,
    ProfessionalVoiceParams,
    SpeechModelParams,
)
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.deadlines import FAST
from tests.samples import first_file


@dataclass
class Run:
    """One audited flow run and how it ended."""

    name: str
    flow_run_id: UUID
    completed: bool
    error: BaseException | None


def wrong_key(prefix: str) -> str:
    """A distinctive key nobody else uses (the audit looks for it everywhere afterwards)."""
    return prefix + secrets.token_hex(16)


def wrong_storage_key() -> str:
    """A well-formed (base64, 64 bytes) storage account key that Azurite does not know."""
    import base64

    return base64.b64encode(b"speechflows-audit-" + secrets.token_bytes(46)).decode()


def _sample(dest: Path, kind: str, **kw: Any) -> Path:
    from speechflows.datasets import write_sample

    return write_sample(dest, kind, **kw)


def _finish(name: str, flow: Callable[..., Any], params: Any) -> Run:
    state = flow(params, return_state=True)
    error: BaseException | None = None
    if not state.is_completed():
        try:
            state.result()
        except Exception as exc:  # the audit inspects it
            error = exc
        else:
            pytest.fail(f"{name}: state {state.name} but no exception from result()")
    return Run(name, state.state_details.flow_run_id, state.is_completed(), error)


def professional_voice_runs(data: Path, emulator_url: str) -> list[Run]:
    """A clean onboarding, then a second training set of the same project whose upload fails."""
    consent_dir = _sample(data / "pv-consent", "Consent")
    consent = ConsentParams(
        voice_talent_name="Jess Doe",
        company_name="Contoso",
        audio_file=first_file(consent_dir, (".wav",)),
    )
    ok = ProfessionalVoiceParams(
        project_id="sec-pv",
        deadlines=FAST,
        consent=consent,
        data_dir=_sample(data / "pv-data", "AudioAndScript", count=5),
    )
    failing = ok.model_copy(
        update={
            "training_set_id": "sec-pv-failing",
            "data_dir": _sample(data / "pv-data-2", "AudioAndScript", count=5, seed=1),
        }
    )
    runs = [_finish("professional voice", professional_voice_onboarding, ok)]
    httpx.post(
        f"{emulator_url}/_emulator/faults", json={"fail_operations": True}, timeout=10
    ).raise_for_status()
    try:
        runs.append(
            _finish("professional voice, upload fails", professional_voice_onboarding, failing)
        )
    finally:
        httpx.delete(f"{emulator_url}/_emulator/faults", timeout=10).raise_for_status()
    return runs


def personal_voice_runs(
    data: Path,
    monkeypatch: pytest.MonkeyPatch,
    speech_key: str,
    connection_string: str,
    container: str,
) -> list[Run]:
    """A clean personal voice, its consent read from a blob (blob SAS), then a wrong Speech key."""
    from azure.core.exceptions import ResourceExistsError
    from azure.storage.blob import BlobServiceClient

    recording = first_file(_sample(data / "pers-consent", "Consent"), (".wav", ".mp3"))
    blob = f"consents/sam-roe{recording.suffix}"
    with BlobServiceClient.from_connection_string(connection_string) as service:
        with contextlib.suppress(ResourceExistsError):
            service.create_container(container)
        service.get_blob_client(container, blob).upload_blob(recording.read_bytes(), overwrite=True)
    consent = ConsentParams(voice_talent_name="Sam Roe", company_name="Contoso", audio_blob=blob)
    params = PersonalVoiceParams(
        project_id="sec-personal",
        prompt_path=_sample(data / "pers-prompt", "Prompt"),
        deadlines=FAST,
        consent=consent,
    )
    runs = [_finish("personal voice", personal_voice_onboarding, params)]
    with monkeypatch.context() as m:
        m.setenv("SPEECHFLOWS_SPEECH_KEY", speech_key)
        denied = params.model_copy(update={"project_id": "sec-personal-denied"})
        runs.append(_finish("personal voice, wrong Speech key", personal_voice_onboarding, denied))
    return runs


def custom_speech_runs(
    data: Path, monkeypatch: pytest.MonkeyPatch, bad_connection: str, read_only_connection: str
) -> list[Run]:
    """Datasets + model + evaluation, then two stagings refused by storage.

    The first signs with a wrong account key (the SDK's container create is refused); the second
    connects with a read + list SAS, so the listing works and the uploads (aiohttp, the SAS in
    every URL) are refused.
    """
    language = first_file(_sample(data / "cs-language", "Language"), (".txt",))
    params = CustomSpeechParams(
        project_name="sec speech",
        deadlines=FAST,
        datasets=[
            DatasetSpec(name="sec-phrases", kind="Language", path=language),
            DatasetSpec(
                name="sec-audio",
                kind="Acoustic",
                path=_sample(data / "cs-audio", "Acoustic", count=4),
            ),
        ],
        model=SpeechModelParams(
            display_name="sec-model", datasets=["sec-phrases"], test_dataset="sec-audio"
        ),
    )
    runs = [_finish("custom speech", custom_speech_onboarding, params)]
    refused = CustomSpeechParams(
        project_name="sec speech refused",
        deadlines=FAST,
        datasets=[DatasetSpec(name="sec-refused-phrases", kind="Language", path=language)],
    )
    with monkeypatch.context() as m:
        m.setenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", bad_connection)
        runs.append(_finish("custom speech, wrong storage key", custom_speech_onboarding, refused))
    with monkeypatch.context() as m:
        m.setenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", read_only_connection)
        read_only = refused.model_copy(update={"project_name": "sec speech read-only"})
        runs.append(_finish("custom speech, read-only SAS", custom_speech_onboarding, read_only))
    return runs


__all__ = [
    "FAST",
    "Run",
    "custom_speech_runs",
    "personal_voice_runs",
    "professional_voice_runs",
    "wrong_key",
    "wrong_storage_key",
]
