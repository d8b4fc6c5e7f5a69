"""A client written the way the official Azure custom-voice Python sample writes its requests
(Azure-Samples/cognitive-services-speech-sdk ``samples/custom-voice/python``; reference §5):

* ``api-version=2024-02-01-preview``, key auth, ``locale: "en-us"`` (the sample's default);
* JSON ``null`` for the optional fields it leaves unset (``description``, ``displayName``...);
* consents and personal voices as multipart POSTs, files in parts named ``audiodata``, the other
  fields as form fields (``projectId``, ``consentId``...);
* the training set by ``PUT``, then ``:upload`` with a container SAS (read + list, 1 h) to data
  it staged itself in Blob Storage under a uuid4 prefix;
* polling by re-GETting the resource until ``Succeeded``/``Failed`` (it never reads
  ``Operation-Location``).

Everything here is raw httpx and the Azure Blob SDK, with WAV and script bytes written by this
test: nothing of our own Speech client or dataset samples. The behaviour is pinned in
docs/azure-behaviour.md (§ Locales, § Custom Voice).
"""

from __future__ import annotations

import io
import math
import struct
import time
import uuid
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

from speechflows.dev.azurite import Azurite

API_VERSION = "api-version=2024-02-01-preview"
LOCALE = "en-us"
SCRIPT = [
    "The morning train leaves the station at half past seven.",
    "Could you tell me where the nearest pharmacy is?",
    "We planted tomatoes, beans and a row of sunflowers this spring.",
    "Please remember to switch off the lights when you leave!",
]


def wav_bytes(seconds: float, freq: float, rate: int = 24000) -> bytes:
    """16-bit mono PCM: a soft tone with a slow tremolo, written with the stdlib."""
    frames = bytearray()
    for i in range(int(seconds * rate)):
        t = i / rate
        amp = 6000 * (0.6 + 0.4 * math.sin(2 * math.pi * 3 * t))
        frames += struct.pack("<h", int(amp * math.sin(2 * math.pi * freq * t)))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


def stage_script(azurite: Azurite, container_prefix: str, prefix: str, *, bom: bool) -> str:
    """:data:`SCRIPT` and its four utterances under ``prefix`` in a new container named
    ``container_prefix-<12 hex>`` (the script with a UTF-8 BOM with ``bom``, as Windows editors
    write it): the container URL with a read + list SAS for an hour."""
    service = BlobServiceClient.from_connection_string(azurite.connection_string)
    container = service.get_container_client(f"{container_prefix}-{uuid.uuid4().hex[:12]}")
    container.create_container()
    script = "".join(f"{i:04d}\t{line}\n" for i, line in enumerate(SCRIPT, 1))
    container.upload_blob(
        f"{prefix}script.txt", (b"\xef\xbb\xbf" if bom else b"") + script.encode()
    )
    for i in range(1, len(SCRIPT) + 1):
        container.upload_blob(f"{prefix}{i:04d}.wav", wav_bytes(2.0 + 0.25 * i, 180 + 20 * i))
    sas = generate_container_sas(
        account_name=service.account_name or "devstoreaccount1",
        container_name=container.container_name,
        account_key=service.credential.account_key,
        permission=ContainerSasPermissions(read=True, list=True),
        expiry=datetime.now(UTC) + timedelta(hours=1),
    )
    return f"{container.url}?{sas}"


def raise_when_failed(response: httpx.Response) -> dict[str, Any]:
    """The sample's ``raise_exception_when_reqeust_failed``: any status >= 400 raises."""
    if response.status_code >= 400:
        raise AssertionError(f"{response.request.method} {response.request.url}: {response.text}")
    return dict(response.json()) if response.content else {}


def poll(client: httpx.Client, path: str, *, interval: float, timeout: float = 60) -> str:
    """The sample's loop: GET the resource until Succeeded or Failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = str(raise_when_failed(client.get(f"{path}?{API_VERSION}"))["status"])
        if status in ("Succeeded", "Failed"):
            return status
        time.sleep(interval)
    raise AssertionError(f"{path} did not finish within {timeout}s")


def create_consent(
    client: httpx.Client, consent_id: str, project_id: str, audio: bytes
) -> dict[str, Any]:
    """``Consent.create``: multipart POST, the audio in the part ``audiodata``."""
    form = {
        "projectId": project_id,
        "voiceTalentName": "Sample Voice Actor",
        "companyName": "Contoso",
        "locale": LOCALE,
    }
    files = [("audiodata", ("VoiceTalentVerbalStatement.wav", audio, "audio/wav"))]
    return raise_when_failed(
        client.post(f"consents/{consent_id}?{API_VERSION}", data=form, files=files)
    )


def test_official_sample_professional_voice_with_lower_case_locale(
    sample_client: httpx.Client, azurite: Azurite
) -> None:
    c = sample_client
    project_id, consent_id, ts_id = "ProfessionalVoiceProject", "VoiceTalentConsent", "TrainSet1"
    model_id, endpoint_id = "SampleVoiceModel", str(uuid.uuid4())
    # Project.create / TrainingSet.create: JSON bodies with null optional fields.
    raise_when_failed(
        c.put(
            f"projects/{project_id}?{API_VERSION}",
            json={"description": None, "kind": "ProfessionalVoice", "locale": LOCALE},
        )
    )
    consent = create_consent(c, consent_id, project_id, wav_bytes(4.0, 220))
    assert consent["locale"] == "en-US"
    assert poll(c, f"consents/{consent_id}", interval=0.1) == "Succeeded"
    ts = raise_when_failed(
        c.put(
            f"trainingsets/{ts_id}?{API_VERSION}",
            json={
                "description": None,
                "displayName": None,
                "locale": LOCALE,
                "projectId": project_id,
                "voiceKind": "Female",
            },
        )
    )
    assert ts["locale"] == "en-US" and "description" not in ts
    # Stage the data like professional_voice_sample.py: uuid4 prefix, container SAS r+l, 1 h.
    prefix = f"{uuid.uuid4()}/"
    container_url = stage_script(azurite, "sample", prefix, bom=True)
    upload = c.post(
        f"trainingsets/{ts_id}:upload?{API_VERSION}",
        json={
            "kind": "AudioAndScript",
            "audios": {"containerUrl": container_url, "prefix": prefix, "extensions": [".wav"]},
            "scripts": {"containerUrl": container_url, "prefix": prefix, "extensions": [".txt"]},
        },
    )
    assert upload.status_code == 202, upload.text
    assert poll(c, f"trainingsets/{ts_id}", interval=0.1) == "Succeeded"
    got = raise_when_failed(c.get(f"trainingsets/{ts_id}?{API_VERSION}"))
    assert got["properties"]["utteranceCount"] == len(SCRIPT)
    # Model.create: Default recipe, voiceName ending in Neural, locale/properties left null.
    raise_when_failed(
        c.put(
            f"models/{model_id}?{API_VERSION}",
            json={
                "voiceName": "SampleVoiceNeural",
                "description": None,
                "recipe": {"kind": "Default"},
                "projectId": project_id,
                "consentId": consent_id,
                "trainingSetId": ts_id,
                "locale": None,
                "properties": None,
            },
        )
    )
    assert poll(c, f"models/{model_id}", interval=0.1) == "Succeeded"
    model = raise_when_failed(c.get(f"models/{model_id}?{API_VERSION}"))
    assert model["locale"] == "en-US"
    raise_when_failed(
        c.put(
            f"endpoints/{endpoint_id}?{API_VERSION}",
            json={"projectId": project_id, "modelId": model_id, "description": None},
        )
    )
    assert poll(c, f"endpoints/{endpoint_id}", interval=0.1) == "Succeeded"
    # Endpoint.list / Model.list as the sample does: filter by projectId, follow nextLink.
    listed = raise_when_failed(
        c.get(f"models?{API_VERSION}&filter=projectId eq '{project_id}'&maxpagesize=1")
    )
    assert [m["id"] for m in listed["value"]] == [model_id] and "nextLink" not in listed


def test_official_sample_personal_voice_with_lower_case_locale(
    sample_client: httpx.Client,
) -> None:
    c = sample_client
    project_id, consent_id, voice_id = "PersonalVoiceProject", "PersonalConsent", "PersonalVoice1"
    raise_when_failed(
        c.put(
            f"projects/{project_id}?{API_VERSION}",
            json={"description": None, "kind": "PersonalVoice", "locale": LOCALE},
        )
    )
    create_consent(c, consent_id, project_id, wav_bytes(4.0, 200))
    # personal_voice_sample.py polls every second; a short interval keeps the test quick.
    assert poll(c, f"consents/{consent_id}", interval=0.1) == "Succeeded"
    files = [
        ("audiodata", (f"prompt{i}.wav", wav_bytes(6.0 + i, 160 + 30 * i), "audio/wav"))
        for i in range(2)
    ]
    created = c.post(
        f"personalvoices/{voice_id}?{API_VERSION}",
        data={"projectId": project_id, "consentId": consent_id},
        files=files,
    )
    assert created.status_code in (201, 202), created.text
    assert poll(c, f"personalvoices/{voice_id}", interval=0.1) == "Succeeded"
    voice = raise_when_failed(c.get(f"personalvoices/{voice_id}?{API_VERSION}"))
    uuid.UUID(voice["speakerProfileId"])
