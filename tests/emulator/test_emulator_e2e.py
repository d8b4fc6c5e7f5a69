"""End to end over loopback: the real Speech client → the emulator in its own process → the
session Azurite, with data written by the validation samples and staged by the storage code.

The numbers the emulator reports must equal the figures the samples are built with (computed
here by hand from their construction, never by a validator): that is the proof they are
computed, not invented, and that the emulator's model reads the data as it was made.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from speechflows.datasets.manifest import build_manifest
from speechflows.settings import StorageSettings
from speechflows.speech import CustomSpeechClient, CustomVoiceClient, ResourceFailedError
from speechflows.speech.polling import wait_for_dataset, wait_for_operation
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource, Operation, OperationRef
from speechflows.speech.schemas.speech_to_text import Dataset
from speechflows.storage import blob_sas_url, container_sas_url, stage
from tests.emulator.polling import wait_for
from tests.fixtures.emulator import EmulatorService


# Expected figures come from how the samples are built (speechflows/datasets/samples_clean.py),
# computed here by hand, never from a validator: utterance i of a clean AudioAndScript sample
# lasts 0.6 + (i % 5) × 0.2 s; Acoustic file i lasts 1.0 + (i % 3) × 0.5 s.
def _aas_seconds(count: int) -> float:
    return round(sum(0.6 + (i % 5) * 0.2 for i in range(1, count + 1)), 3)


# The broken AudioAndScript sample (speechflows/datasets/samples_broken.py): the files it seeds
# with a defect the service rejects, as its README lists them; 19 utterances stay good.
BROKEN_REJECTED_FILES = sorted(
    [" 0000000140.wav", "sub/0000000001.wav", "binary.txt", "blank.txt"]
    + [f"0000000{n}.wav" for n in (101, 102, 103, 104, 105, 106, 107, 110, 112, 113, 141)]
)
BROKEN_GOOD_UTTERANCES = 19

# The voice talent of every consent here (consents.create's talent arguments).
TALENT = {"voice_talent_name": "Jess Smith", "company_name": "Contoso", "locale": "en-US"}


def wait_op(client: CustomVoiceClient, operation: OperationRef | str) -> Operation:
    return wait_for_operation(
        client, operation, min_interval=0.05, max_interval=0.2, deadline_seconds=60
    )


def wait_ds(client: CustomSpeechClient, dataset: Dataset) -> Dataset:
    return wait_for_dataset(
        client, dataset, min_interval=0.05, max_interval=0.2, deadline_seconds=60
    )


@pytest.fixture
def voice(emulator: EmulatorService) -> Iterator[CustomVoiceClient]:
    with CustomVoiceClient(emulator.speech_settings()) as client:
        yield client


def _stage(folder: Path, settings: StorageSettings, prefix: str) -> None:
    stage(build_manifest(folder), settings=settings, prefix=prefix)


def _training_set(voice: CustomVoiceClient, name: str) -> None:
    voice.projects.create(name, kind="ProfessionalVoice")
    voice.training_sets.create(name, project_id=name, locale="en-US", voice_kind="Female")


def _upload(voice: CustomVoiceClient, name: str, sas: str, prefix: str) -> str:
    op = voice.training_sets.upload(
        name,
        kind="AudioAndScript",
        audios=AzureBlobContentSource(container_url=sas, prefix=prefix, extensions=[".wav"]),
        scripts=AzureBlobContentSource(container_url=sas, prefix=prefix, extensions=["*.txt"]),
        operation_id=f"{name}-upload",
    )
    return op.id


@pytest.mark.e2e
def test_good_training_set_succeeds_with_the_constructed_utterance_count(
    voice: CustomVoiceClient, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    data = write_sample(tmp_path / "good", "AudioAndScript")
    assert _aas_seconds(12) == 11.8  # 12 × 0.6 + 0.2 × (1+2+3+4+0+1+2+3+4+0+1+2)
    _stage(data, storage_settings, "voice/good")
    _training_set(voice, "GoodSet")
    op_id = _upload(voice, "GoodSet", container_sas_url(storage_settings), "voice/good/")
    assert wait_op(voice, op_id).id == op_id
    ts = voice.training_sets.get("GoodSet")
    assert ts.status == "Succeeded"
    assert ts.properties is not None
    assert ts.properties.utterance_count == 12
    assert ts.properties.duration_in_seconds == pytest.approx(11.8, abs=0.01)


@pytest.mark.e2e
def test_broken_files_are_rejected_and_reported(
    voice: CustomVoiceClient,
    storage_settings: StorageSettings,
    emulator: EmulatorService,
    tmp_path: Path,
) -> None:
    data = write_sample(tmp_path / "broken", "AudioAndScript", broken=True)
    # The service only reads the extensions it is given: validate exactly those files.
    seen = tmp_path / "seen"
    for f in data.rglob("*"):
        if f.suffix in (".wav", ".txt"):
            (seen / f.relative_to(data)).parent.mkdir(parents=True, exist_ok=True)
            (seen / f.relative_to(data)).write_bytes(f.read_bytes())
    _stage(data, storage_settings, "voice/broken")
    _training_set(voice, "BrokenSet")
    op_id = _upload(voice, "BrokenSet", container_sas_url(storage_settings), "voice/broken/")
    wait_op(voice, op_id)
    ts = voice.training_sets.get("BrokenSet")
    assert ts.properties is not None
    assert ts.properties.utterance_count == BROKEN_GOOD_UTTERANCES
    job = emulator.job(op_id)
    assert sorted(job["report"]["rejected_files"]) == BROKEN_REJECTED_FILES
    rejections = job["report"]["report"]["rejections"]
    assert {r["file"] for r in rejections} >= set(BROKEN_REJECTED_FILES) | {"script.txt"}
    assert all(r["reason"] for r in rejections)


@pytest.mark.e2e
def test_sas_without_list_permission_fails_like_azure(
    voice: CustomVoiceClient,
    storage_settings: StorageSettings,
    emulator: EmulatorService,
    tmp_path: Path,
) -> None:
    data = write_sample(tmp_path / "nolist", "AudioAndScript", count=3)
    _stage(data, storage_settings, "voice/nolist")
    _training_set(voice, "NoListSet")
    read_only = container_sas_url(storage_settings, permissions="r")
    op_id = _upload(voice, "NoListSet", read_only, "voice/nolist/")
    with pytest.raises(ResourceFailedError):
        wait_op(voice, op_id)
    assert voice.training_sets.get("NoListSet").status == "Failed"
    result = emulator.job(op_id)["result"]
    assert result["reason"] == "InaccessibleCustomerStorage"
    assert "403" in result["message"] and "sig=" not in result["message"]


@pytest.mark.e2e
def test_restart_mid_operation_resumes(
    storage_settings: StorageSettings, tmp_path_factory: pytest.TempPathFactory
) -> None:
    slow = EmulatorService(tmp_path_factory.mktemp("slow-emulator"), step_seconds=1.5).start()
    try:
        data = write_sample(tmp_path_factory.mktemp("restart"), "AudioAndScript", count=4)
        _stage(data, storage_settings, "voice/restart")
        with CustomVoiceClient(slow.speech_settings()) as client:
            _training_set(client, "RestartSet")
            op_id = _upload(
                client, "RestartSet", container_sas_url(storage_settings), "voice/restart/"
            )
            assert client.operations.get(op_id).status in ("NotStarted", "Running")
        slow.restart()
        with CustomVoiceClient(slow.speech_settings()) as client:
            wait_op(client, op_id)
            ts = client.training_sets.get("RestartSet")
            assert ts.properties is not None
            assert ts.properties.utterance_count == 4
    finally:
        slow.stop()


@pytest.mark.e2e
@pytest.mark.parametrize("version", ["2025-10-15", "v3.2"])
def test_acoustic_dataset_import_reports_counts_and_a_report_file(
    emulator: EmulatorService, storage_settings: StorageSettings, tmp_path: Path, version: str
) -> None:
    folder = write_sample(tmp_path / "acoustic", "Acoustic")
    archive = build_zip(folder, tmp_path / "acoustic.zip")
    # 10 files of 1.0 + (i % 3) × 0.5 s: 10 × 1.0 + 0.5 × (1+2+0+1+2+0+1+2+0+1) = 15.0 s
    _stage(archive, storage_settings, f"speech/{version}")
    url = blob_sas_url(
        storage_settings, storage_settings.container, f"speech/{version}/{archive.name}"
    )
    settings = emulator.speech_settings(speech_to_text_api_version=version)
    with CustomSpeechClient(settings) as client:
        created = client.datasets.create(
            kind="Acoustic", locale="en-US", display_name=f"acoustic {version}", content_url=url
        )
        done = wait_ds(client, created)
        raw = client.http.request(
            "GET",
            str(done.self_url),
            params=(None if version == "v3.2" else {"api-version": version}),
        ).json()
    props = raw["properties"]
    assert props["acceptedLineCount"] == 10
    assert props["rejectedLineCount"] == 0
    if version == "v3.2":
        assert props["duration"].startswith("PT") and "durationMilliseconds" not in props
    else:
        assert props["durationMilliseconds"] == 15_000
    assert "sig=" not in raw["contentUrl"]
    files = httpx.get(
        raw["links"]["files"], headers={"Ocp-Apim-Subscription-Key": emulator.key}
    ).json()["values"]
    report = next(f for f in files if f["kind"] == "DatasetReport")
    content = httpx.get(report["links"]["contentUrl"]).json()
    assert content["acceptedLineCount"] == 10
    tampered = report["links"]["contentUrl"].replace("sig=", "sig=0")
    assert httpx.get(tampered).status_code == 403


@pytest.mark.e2e
def test_broken_language_dataset_fails_with_an_error(
    emulator: EmulatorService, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    text = tmp_path / "latin1.txt"
    text.write_bytes("caf\xe9 au lait\n".encode("latin-1"))  # 0xE9 alone: not UTF-8
    _stage(text, storage_settings, "speech/latin1")
    url = blob_sas_url(storage_settings, storage_settings.container, "speech/latin1/latin1.txt")
    with CustomSpeechClient(emulator.speech_settings()) as client:
        created = client.datasets.create(
            kind="Language", locale="de-DE", display_name="latin1", content_url=url
        )
        with pytest.raises(ResourceFailedError) as failed:
            wait_ds(client, created)
    assert failed.value.code == "NoUtf8WithBom"


@pytest.mark.e2e
def test_consent_and_personal_voice_from_uploaded_files(
    voice: CustomVoiceClient, emulator: EmulatorService, tmp_path: Path
) -> None:
    consent_audio = write_sample(tmp_path / "consent", "Consent")
    prompts = write_sample(tmp_path / "prompt", "Prompt")
    audio = consent_audio if consent_audio.is_file() else next(consent_audio.glob("*.wav"))
    prompt_files = [prompts] if prompts.is_file() else sorted(prompts.glob("*.wav"))
    voice.projects.create("PersonalE2E", kind="PersonalVoice")
    consent = voice.consents.create(
        "TalentE2E", project_id="PersonalE2E", **TALENT, audio_file=audio
    )
    pv = voice.personal_voices.create(
        "VoiceE2E", project_id="PersonalE2E", consent_id="TalentE2E", audio_files=prompt_files
    )
    wait_op(voice, consent.operation)
    wait_op(voice, pv.operation)
    got = voice.personal_voices.get("VoiceE2E")
    assert got.status == "Succeeded" and got.speaker_profile_id
    state = emulator.state()
    assert state["create_counts"]["customvoice/personalvoices/VoiceE2E"] == 1
    # A retry with the same Operation-Id re-attaches instead of creating again.
    again = voice.personal_voices.create(
        "VoiceE2E",
        project_id="PersonalE2E",
        consent_id="TalentE2E",
        audio_files=prompt_files,
        operation_id=pv.operation.id,
    )
    assert again.operation.id == pv.operation.id
    assert emulator.state()["create_counts"]["customvoice/personalvoices/VoiceE2E"] == 1
    wait_for(
        lambda: json.dumps(emulator.job(pv.operation.id)["status"]) == '"Succeeded"',
        what="personal voice job",
    )


@pytest.mark.e2e
def test_professional_voice_model_endpoint_suspend_resume(
    voice: CustomVoiceClient,
    storage_settings: StorageSettings,
    emulator: EmulatorService,
    tmp_path: Path,
) -> None:
    data = write_sample(tmp_path / "pro", "AudioAndScript", count=4)
    consent_audio = write_sample(tmp_path / "consent", "Consent")
    _stage(data, storage_settings, "voice/pro")
    _training_set(voice, "ProVoice")
    wait_op(
        voice,
        voice.consents.create(
            "ProTalent", project_id="ProVoice", **TALENT, audio_file=consent_audio
        ).operation,
    )
    wait_op(voice, _upload(voice, "ProVoice", container_sas_url(storage_settings), "voice/pro/"))
    model = voice.models.create(
        "ProVoiceModel",
        project_id="ProVoice",
        consent_id="ProTalent",
        training_set_id="ProVoice",
        recipe_kind="Default",
        voice_name="ProVoiceNeural",
    )
    wait_op(voice, model.operation)
    assert voice.models.get("ProVoiceModel").status == "Succeeded"
    endpoint_id = "5f0e4a52-8b7e-4d55-a3a1-2c9f64e9d0a1"
    wait_op(
        voice,
        voice.endpoints.create(
            endpoint_id, project_id="ProVoice", model_id="ProVoiceModel"
        ).operation,
    )
    wait_op(voice, voice.endpoints.suspend(endpoint_id).operation)
    assert voice.endpoints.get(endpoint_id).status == "Disabled"
    wait_op(voice, voice.endpoints.resume(endpoint_id).operation)
    assert voice.endpoints.get(endpoint_id).status == "Succeeded"
    kinds = {c["collection"] for c in emulator.state()["creates"]}
    assert {"projects", "consents", "trainingsets", "models", "endpoints"} <= kinds


@pytest.mark.e2e
def test_second_upload_skips_names_the_set_already_holds(
    voice: CustomVoiceClient, storage_settings: StorageSettings, tmp_path: Path
) -> None:
    """Ledger "Custom Voice: resources, operations, imports": a second ``:upload`` into a set that
    holds data keeps the audio it has under a name (no double count) and adds only new names."""
    six = write_sample(tmp_path / "six", "AudioAndScript", count=6)
    eight = write_sample(tmp_path / "eight", "AudioAndScript", count=8)
    # The second folder also changes a file the set already holds (other audio, same name):
    # utterance 1 (0.8 s) becomes a copy of utterance 8 (1.2 s).
    wavs = sorted(eight.glob("*.wav"))
    wavs[0].write_bytes(wavs[-1].read_bytes())
    assert wavs[0].stat().st_size > (six / wavs[0].name).stat().st_size
    _stage(six, storage_settings, "voice/twice-1")
    _stage(eight, storage_settings, "voice/twice-2")
    _training_set(voice, "TwiceSet")
    sas = container_sas_url(storage_settings)
    wait_op(voice, _upload(voice, "TwiceSet", sas, "voice/twice-1/"))
    first = voice.training_sets.get("TwiceSet").properties
    assert first is not None and first.utterance_count == 6
    assert first.duration_in_seconds == pytest.approx(_aas_seconds(6), abs=0.01)  # 5.8 s
    second = voice.training_sets.upload(
        "TwiceSet",
        kind="AudioAndScript",
        audios=AzureBlobContentSource(
            container_url=sas, prefix="voice/twice-2/", extensions=[".wav"]
        ),
        scripts=AzureBlobContentSource(
            container_url=sas, prefix="voice/twice-2/", extensions=[".txt"]
        ),
        operation_id="TwiceSet-upload-2",
    )
    assert wait_op(voice, second).status == "Succeeded"
    after = voice.training_sets.get("TwiceSet").properties
    assert after is not None and after.utterance_count == 8  # 6 kept + 2 new, not 6 + 8
    # Duration: the six files as first imported (not the changed one) plus the two new ones.
    assert after.duration_in_seconds == pytest.approx(_aas_seconds(8), abs=0.01)  # 8.0 s
