"""Every client method's request, validated against its operation in the official specs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.speech import CustomSpeechClient, CustomVoiceClient
from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource
from tests.speech.spec_support import ENDPOINT, settings, success_response, validate_request

EP = "9a2a2ee9-1c4b-4b8c-a1a8-0f1d1b8f4a11"
DS = f"{ENDPOINT}/speechtotext/datasets/6f9e1d2a-7f5b-4c42-8d0b-8b61bd1f7a10?api-version=2025-10-15"
BM = f"{ENDPOINT}/speechtotext/models/base/1aae1070-7972-47e9-a977-87e3b05c457d"
CM = "3d2e0c1a-2b1f-4a0e-9c55-4d7b1b7d9f01"
PJ = "1b0c3ed4-3c26-4b0a-8a7c-9a4e3f1d2c33"
BLOB = AzureBlobContentSource(
    container_url="https://contoso.blob.core.windows.net/voice?sv=2026&sp=rl&sig=abc%3D",
    prefix="jessica/",
    extensions=[".wav"],
)
SCRIPTS = AzureBlobContentSource(
    container_url="https://contoso.blob.core.windows.net/voice?sv=2026&sp=rl&sig=abc%3D",
    prefix="jessica/",
    extensions=[".txt"],
)

Call = Callable[[Any, Path], Any]
# (client group.method, operationId, call, api versions it applies to or None for all)
CV_CALLS: list[tuple[str, str, Call, set[str] | None]] = [
    (
        "projects.create",
        "Projects_Create",
        lambda c, d: c.projects.create(
            "Jessica", kind="ProfessionalVoice", description="d", display_name="Jessica"
        ),
        None,
    ),
    (
        "projects.create",
        "Projects_Create",
        lambda c, d: c.projects.create("Jessica", kind="PersonalVoice", locale="en-US"),
        {"2026-01-01"},
    ),
    ("projects.get", "Projects_Get", lambda c, d: c.projects.get("Jessica"), None),
    (
        "projects.list",
        "Projects_List",
        lambda c, d: c.projects.list("kind eq 'PersonalVoice'"),
        None,
    ),
    (
        "projects.delete",
        "Projects_Delete",
        lambda c, d: c.projects.delete("Jessica", force=True),
        None,
    ),
    (
        "consents.create",
        "Consents_Create",
        lambda c, d: c.consents.create(
            "Jessica",
            project_id="Jessica",
            voice_talent_name="Jessica Smith",
            company_name="Contoso",
            locale="en-US",
            audio_url="https://contoso.blob.core.windows.net/c/consent.wav?sig=x",
            description="consent",
            display_name="Jessica consent",
            operation_id="op-consent-1",
        ),
        None,
    ),
    (
        "consents.create",
        "Consents_Post",
        lambda c, d: c.consents.create(
            "Jessica",
            project_id="Jessica",
            voice_talent_name="Jessica Smith",
            company_name="Contoso",
            locale="en-US",
            audio_file=d / "consent.wav",
            description="consent",
        ),
        None,
    ),
    ("consents.get", "Consents_Get", lambda c, d: c.consents.get("Jessica"), None),
    (
        "consents.list",
        "Consents_List",
        lambda c, d: c.consents.list("projectId eq 'Jessica'"),
        None,
    ),
    ("consents.delete", "Consents_Delete", lambda c, d: c.consents.delete("Jessica"), None),
    (
        "training_sets.create",
        "TrainingSets_Create",
        lambda c, d: c.training_sets.create(
            "Jessica-300",
            project_id="Jessica",
            locale="en-US",
            voice_kind="Female",
            description="300 utterances",
            display_name="general",
        ),
        None,
    ),
    (
        "training_sets.upload",
        "TrainingSets_UploadData",
        lambda c, d: c.training_sets.upload(
            "Jessica-300",
            kind="AudioAndScript",
            audios=BLOB,
            scripts=SCRIPTS,
            operation_id="sf-0123456789abcdef",
        ),
        None,
    ),
    (
        "training_sets.upload",
        "TrainingSets_UploadData",
        lambda c, d: c.training_sets.upload(
            "Jessica-300",
            kind="LongAudio",
            audios=BLOB,
            scripts=SCRIPTS,
            process_as="Contextual",
            display_name="long",
        ),
        {"2026-01-01"},
    ),
    (
        "training_sets.get",
        "TrainingSets_Get",
        lambda c, d: c.training_sets.get("Jessica-300"),
        None,
    ),
    ("training_sets.list", "TrainingSets_List", lambda c, d: c.training_sets.list(), None),
    (
        "training_sets.delete",
        "TrainingSets_Delete",
        lambda c, d: c.training_sets.delete("Jessica-300"),
        None,
    ),
    (
        "personal_voices.create",
        "PersonalVoices_Create",
        lambda c, d: c.personal_voices.create(
            "Jessica-pv",
            project_id="PersonalVoice",
            consent_id="Jessica",
            audios=BLOB,
            description="pv",
        ),
        None,
    ),
    (
        "personal_voices.create",
        "PersonalVoices_Post",
        lambda c, d: c.personal_voices.create(
            "Jessica-pv",
            project_id="PersonalVoice",
            consent_id="Jessica",
            audio_files=[d / "prompt1.wav", d / "prompt2.wav"],
            display_name="pv",
        ),
        None,
    ),
    (
        "personal_voices.get",
        "PersonalVoices_Get",
        lambda c, d: c.personal_voices.get("Jessica-pv"),
        None,
    ),
    ("personal_voices.list", "PersonalVoices_List", lambda c, d: c.personal_voices.list(), None),
    (
        "personal_voices.delete",
        "PersonalVoices_Delete",
        lambda c, d: c.personal_voices.delete("Jessica-pv"),
        None,
    ),
    ("models.list_recipes", "Models_ListRecipes", lambda c, d: c.models.list_recipes(), None),
    ("base_models.list", "BaseModels_List", lambda c, d: c.base_models.list(), None),
    (
        "models.create",
        "Models_Create",
        lambda c, d: c.models.create(
            "Jessica-model",
            project_id="Jessica",
            consent_id="Jessica",
            training_set_id="Jessica-300",
            recipe_kind="Default",
            voice_name="JessicaNeural",
            description="m",
            operation_id="op-model-1",
        ),
        None,
    ),
    (
        "models.create",
        "Models_Create",
        lambda c, d: c.models.create(
            "Jessica-ms",
            project_id="Jessica",
            consent_id="Jessica",
            training_set_id="Jessica-300",
            recipe_kind="MultiStyle",
            voice_name="JessicaMultiNeural",
            locale="en-US",
            preset_styles=["cheerful"],
            style_training_set_ids={"happy": "Jessica-happy"},
        ),
        None,
    ),
    ("models.get", "Models_Get", lambda c, d: c.models.get("Jessica-model"), None),
    ("models.list", "Models_List", lambda c, d: c.models.list(), None),
    ("models.delete", "Models_Delete", lambda c, d: c.models.delete("Jessica-model"), None),
    (
        "endpoints.create",
        "Endpoints_Create",
        lambda c, d: c.endpoints.create(
            EP, project_id="Jessica", model_id="Jessica-model", kind="FastResume", description="e"
        ),
        None,
    ),
    ("endpoints.get", "Endpoints_Get", lambda c, d: c.endpoints.get(EP), None),
    ("endpoints.list", "Endpoints_List", lambda c, d: c.endpoints.list(), None),
    ("endpoints.delete", "Endpoints_Delete", lambda c, d: c.endpoints.delete(EP), None),
    ("endpoints.suspend", "Endpoints_Suspend", lambda c, d: c.endpoints.suspend(EP), None),
    ("endpoints.resume", "Endpoints_Resume", lambda c, d: c.endpoints.resume(EP), None),
    ("operations.get", "Operations_Get", lambda c, d: c.operations.get("op-consent-1"), None),
]

STT_CALLS: list[tuple[str, str, Call, set[str] | None]] = [
    (
        "locales.list",
        "Datasets_ListSupportedLocales",
        lambda c, d: c.locales.list(),
        None,
    ),
    (
        "locales.list",
        "Models_ListSupportedLocales",
        lambda c, d: c.locales.list("models"),
        None,
    ),
    (
        "projects.create",
        "Projects_Create",
        lambda c, d: c.projects.create(
            display_name="p", locale="en-US", description="d", custom_properties={"a": "b"}
        ),
        None,
    ),
    (
        "projects.create",
        "Projects_Create",
        lambda c, d: c.projects.create(
            display_name="p", locale="en-US", foundry_project_name="foundry"
        ),
        {"2025-10-15"},
    ),
    ("projects.get", "Projects_Get", lambda c, d: c.projects.get(PJ), None),
    ("projects.list", "Projects_List", lambda c, d: c.projects.list("locale eq 'en-US'"), None),
    (
        "projects.update",
        "Projects_Update",
        lambda c, d: c.projects.update(PJ, displayName="q"),
        None,
    ),
    ("projects.delete", "Projects_Delete", lambda c, d: c.projects.delete(PJ), None),
    (
        "datasets.create",
        "Datasets_Create",
        lambda c, d: c.datasets.create(
            kind="Language",
            locale="en-US",
            display_name="faq",
            content_url="https://contoso.blob.core.windows.net/c/lang.txt?sig=x",
            description="d",
            project_url=PJ,
            custom_properties={"k": "v"},
            text_normalization_kind="Default",
        ),
        None,
    ),
    (
        "datasets.create",
        "Datasets_Create",
        lambda c, d: c.datasets.create(
            kind="Acoustic", locale="en-US", display_name="blocks", content_url=None
        ),
        None,
    ),
    (
        "datasets.get_or_create",
        "Datasets_Create",
        lambda c, d: c.datasets.get_or_create(
            kind="Language",
            locale="en-US",
            display_name="faq",
            content_url="https://contoso.blob.core.windows.net/c/lang.txt?sig=x",
            content_hash="abc",
        ),
        None,
    ),
    (
        "datasets.upload",
        "Datasets_Upload",
        lambda c, d: c.datasets.upload(
            kind="Acoustic",
            locale="en-US",
            display_name="up",
            file=d / "data.zip",
            description="d",
            project_url=PJ,
            custom_properties={"k": "v"},
        ),
        {"v3.2"},
    ),
    ("datasets.get", "Datasets_Get", lambda c, d: c.datasets.get(DS), None),
    ("datasets.list", "Datasets_List", lambda c, d: c.datasets.list("kind eq 'Language'"), None),
    (
        "datasets.update",
        "Datasets_Update",
        lambda c, d: c.datasets.update(DS, description="new", customProperties={"k": "v"}),
        None,
    ),
    ("datasets.delete", "Datasets_Delete", lambda c, d: c.datasets.delete(DS), None),
    (
        "datasets.upload_block",
        "Datasets_UploadBlock",
        lambda c, d: c.datasets.upload_block(DS, "AAE=", b"x" * 10),
        None,
    ),
    ("datasets.get_blocks", "Datasets_GetBlocks", lambda c, d: c.datasets.get_blocks(DS), None),
    (
        "datasets.commit_blocks",
        "Datasets_CommitBlocks",
        lambda c, d: c.datasets.commit_blocks(DS, ["AAE=", "AAI="]),
        None,
    ),
    (
        "datasets.upload_content",
        "Datasets_CommitBlocks",
        lambda c, d: c.datasets.upload_content(DS, d / "data.zip", block_size=4),
        None,
    ),
    (
        "datasets.list_files",
        "Datasets_ListFiles",
        lambda c, d: c.datasets.list_files(
            DS, filter="kind eq 'DatasetReport'", sas_lifetime_minutes=30
        ),
        None,
    ),
    (
        "datasets.get_file",
        "Datasets_GetFile",
        lambda c, d: c.datasets.get_file(DS, "0a5f3a7e-2d4b-4f5e-9c8d-1e2f3a4b5c6d"),
        None,
    ),
    ("datasets.get_report", "Datasets_ListFiles", lambda c, d: c.datasets.get_report(DS), None),
    (
        "base_models.list",
        "Models_ListBaseModels",
        lambda c, d: c.base_models.list("locale eq 'en-US'"),
        None,
    ),
    ("base_models.get", "Models_GetBaseModel", lambda c, d: c.base_models.get(BM), None),
    (
        "models.create",
        "Models_Create",
        lambda c, d: c.models.create(
            display_name="m",
            locale="en-US",
            base_model_url=BM,
            dataset_urls=[DS],
            description="d",
            project_url=PJ,
            custom_properties={"k": "v"},
            custom_model_weight_percent=30,
        ),
        None,
    ),
    (
        "models.create",
        "Models_Create",
        lambda c, d: c.models.create(
            display_name="m", locale="en-US", base_model_url=BM, dataset_urls=[DS], text="hello"
        ),
        {"v3.2"},
    ),
    (
        "models.get_or_create",
        "Models_Create",
        lambda c, d: c.models.get_or_create(
            display_name="m", content_hash="h", locale="en-US", base_model_url=BM, dataset_urls=[DS]
        ),
        None,
    ),
    ("models.get", "Models_GetCustomModel", lambda c, d: c.models.get(CM), None),
    ("models.list", "Models_ListCustomModels", lambda c, d: c.models.list(), None),
    ("models.update", "Models_Update", lambda c, d: c.models.update(CM, displayName="n"), None),
    ("models.delete", "Models_Delete", lambda c, d: c.models.delete(CM), None),
    (
        "evaluations.create",
        "Evaluations_Create",
        lambda c, d: c.evaluations.create(
            display_name="e",
            locale="en-US",
            model1_url=BM,
            model2_url=CM,
            dataset_url=DS,
            description="d",
            project_url=PJ,
            custom_properties={"k": "v"},
        ),
        None,
    ),
    (
        "evaluations.get_or_create",
        "Evaluations_Create",
        lambda c, d: c.evaluations.get_or_create(
            display_name="e",
            content_hash="h",
            locale="en-US",
            model1_url=BM,
            model2_url=CM,
            dataset_url=DS,
        ),
        None,
    ),
    ("evaluations.get", "Evaluations_Get", lambda c, d: c.evaluations.get(CM), None),
    ("evaluations.list", "Evaluations_List", lambda c, d: c.evaluations.list(), None),
    (
        "evaluations.update",
        "Evaluations_Update",
        lambda c, d: c.evaluations.update(CM, description="x"),
        None,
    ),
    ("evaluations.delete", "Evaluations_Delete", lambda c, d: c.evaluations.delete(CM), None),
    (
        "endpoints.create",
        "Endpoints_Create",
        lambda c, d: c.endpoints.create(
            display_name="ep",
            locale="en-US",
            model_url=CM,
            description="d",
            project_url=PJ,
            custom_properties={"k": "v"},
            logging_enabled=False,
        ),
        None,
    ),
    (
        "endpoints.get_or_create",
        "Endpoints_Create",
        lambda c, d: c.endpoints.get_or_create(
            display_name="ep", content_hash="h", locale="en-US", model_url=CM
        ),
        None,
    ),
    ("endpoints.get", "Endpoints_Get", lambda c, d: c.endpoints.get(CM), None),
    ("endpoints.list", "Endpoints_List", lambda c, d: c.endpoints.list(), None),
    (
        "endpoints.update",
        "Endpoints_Update",
        lambda c, d: c.endpoints.update(CM, displayName="x"),
        None,
    ),
    ("endpoints.delete", "Endpoints_Delete", lambda c, d: c.endpoints.delete(CM), None),
    (
        "endpoints.set_model",
        "Endpoints_Update",
        lambda c, d: c.endpoints.set_model(CM, CM),
        None,
    ),
    (
        "transcriptions.create",
        "Transcriptions_Submit",
        lambda c, d: c.transcriptions.create(
            display_name="try",
            locale="en-US",
            content_urls=["https://contoso.blob.core.windows.net/c/a.wav?sig=x"],
            model_url=CM,
            project_url=PJ,
            word_level_timestamps=True,
            custom_properties={"k": "v"},
        ),
        {"2025-10-15"},
    ),
    (
        "transcriptions.create",
        "Transcriptions_Create",
        lambda c, d: c.transcriptions.create(
            display_name="try",
            locale="en-US",
            content_container_url="https://contoso.blob.core.windows.net/c?sig=x",
            model_url=CM,
        ),
        {"v3.2"},
    ),
    (
        "transcriptions.get_or_create",
        "Transcriptions_Submit",
        lambda c, d: c.transcriptions.get_or_create(
            display_name="try",
            content_hash="h",
            locale="en-US",
            content_urls=["https://contoso.blob.core.windows.net/c/a.wav?sig=x"],
        ),
        {"2025-10-15"},
    ),
    ("transcriptions.get", "Transcriptions_Get", lambda c, d: c.transcriptions.get(TR), None),
    ("transcriptions.list", "Transcriptions_List", lambda c, d: c.transcriptions.list(), None),
    (
        "transcriptions.delete",
        "Transcriptions_Delete",
        lambda c, d: c.transcriptions.delete(TR),
        None,
    ),
    (
        "transcriptions.list_files",
        "Transcriptions_ListFiles",
        lambda c, d: c.transcriptions.list_files(TR),
        None,
    ),
    (
        "transcriptions.get_file",
        "Transcriptions_GetFile",
        lambda c, d: c.transcriptions.get_file(TR, "ee4733cd-b1a7-4813-87e2-00d582c28a29"),
        None,
    ),
    (
        "transcriptions.results",
        "Transcriptions_ListFiles",
        lambda c, d: c.transcriptions.results(TR),
        None,
    ),
]
TR = "ba7ea6f5-3065-40b7-b49a-a90f48584683"

# Sent on purpose although no spec version declares it (reference §6.1).
PERSONAL_VOICE_EXTRA = frozenset({"consentId"})


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("audio")
    for name in ("consent.wav", "prompt1.wav", "prompt2.wav"):
        (folder / name).write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + name.encode())
    (folder / "data.zip").write_bytes(b"PK\x03\x04" + b"z" * 9)
    return folder


def _run(
    client_cls: type[Any], cfg: dict[str, str], call: Call, folder: Path
) -> list[tuple[str, httpx.Request]]:
    seen: list[tuple[str, httpx.Request]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.host != httpx.URL(ENDPOINT).host:
            # A file content URL (storage SAS): no Speech credentials may go there.
            assert "ocp-apim-subscription-key" not in request.headers
            assert "authorization" not in request.headers
            return httpx.Response(200, json={"acceptedLineCount": 1})
        extra = (
            PERSONAL_VOICE_EXTRA
            if request.url.path.startswith("/customvoice/personalvoices/")
            else frozenset()
        )
        seen.append((validate_request(request, extra_form_fields=extra), request))
        return success_response(request)

    with client_cls(settings(**cfg), transport=httpx.MockTransport(handler)) as client:
        call(client, folder)
    return seen


def _cases(
    calls: list[tuple[str, str, Call, set[str] | None]], versions: tuple[str, ...]
) -> list[Any]:
    return [
        pytest.param(version, op, call, id=f"{version}-{name}-{op}-{i}")
        for i, (name, op, call, only) in enumerate(calls)
        for version in versions
        if only is None or version in only
    ]


@pytest.mark.parametrize(
    ("version", "operation", "call"), _cases(CV_CALLS, ("2026-01-01", "2024-02-01-preview"))
)
def test_custom_voice_requests_match_the_spec(
    version: str, operation: str, call: Call, files: Path
) -> None:
    seen = _run(CustomVoiceClient, {"cv": version}, call, files)
    assert operation in [op for op, _ in seen]
    for _, request in seen:
        assert request.url.params["api-version"] == version


@pytest.mark.parametrize(
    ("version", "operation", "call"), _cases(STT_CALLS, ("2025-10-15", "v3.2"))
)
def test_speech_to_text_requests_match_the_spec(
    version: str, operation: str, call: Call, files: Path
) -> None:
    seen = _run(CustomSpeechClient, {"stt": version}, call, files)
    assert operation in [op for op, _ in seen]
    for _, request in seen:
        if version == "v3.2":
            assert request.url.path.startswith("/speechtotext/v3.2/")
            assert "api-version" not in request.url.params
        else:
            assert request.url.params["api-version"] == version


def test_personal_voice_multipart_sends_consent_id_and_audiodata_parts(files: Path) -> None:
    from tests.speech.spec_support import multipart_parts

    call = next(c for n, op, c, _ in CV_CALLS if op == "PersonalVoices_Post")
    seen = _run(CustomVoiceClient, {}, call, files)
    parts = multipart_parts(seen[0][1])
    assert parts["consentId"] == [b"Jessica"]
    assert len(parts["audiodata"]) == 2
    assert parts["audiodata"][0].startswith(b"RIFF")


def _groups(cls: type[Any]) -> dict[str, type[Any]]:
    with cls(settings(), transport=httpx.MockTransport(success_response)) as client:
        return {n: type(g) for n, g in vars(client).items() if isinstance(g, OperationGroup)}


def _method(cls: type[Any], name: str) -> Any:
    group, method = name.split(".")
    return getattr(_groups(cls)[group], method)


def _public_request_methods(cls: type[Any]) -> set[str]:
    return {
        f"{group}.{name}"
        for group, group_cls in _groups(cls).items()
        for name, member in inspect.getmembers(group_cls, inspect.isfunction)
        if not name.startswith("_")
    }


@pytest.mark.parametrize(
    ("cls", "calls"), [(CustomVoiceClient, CV_CALLS), (CustomSpeechClient, STT_CALLS)]
)
def test_every_client_method_has_a_contract_case(cls: type[Any], calls: list[Any]) -> None:
    covered = {name for name, *_ in calls}
    assert _public_request_methods(cls) - covered == set()


@pytest.mark.parametrize(
    ("cls", "calls"), [(CustomVoiceClient, CV_CALLS), (CustomSpeechClient, STT_CALLS)]
)
def test_every_request_method_quotes_its_operation_id(cls: type[Any], calls: list[Any]) -> None:
    for name, op, *_ in calls:
        if name.split(".")[1].startswith("get_or_create") or name in (
            "datasets.upload_content",
            "datasets.get_report",
            "transcriptions.results",
        ):
            continue  # compositions of quoted methods
        source = inspect.getsource(_method(cls, name))
        if name == "locales.list":
            assert "# operationId: Datasets_ListSupportedLocales" in source
        elif name in (
            "endpoints.suspend",
            "endpoints.resume",
            "consents.create",
            "personal_voices.create",
        ):
            method = _method(cls, name)
            assert f"# operationId: {op}" in inspect.getsource(inspect.getmodule(method))  # type: ignore[arg-type]
        else:
            assert f"# operationId: {op}" in source, name


def _only(calls: list[tuple[str, str, Call, set[str] | None]], version: str) -> list[Call]:
    return [call for _, _, call, only in calls if only == {version}]


def test_version_specific_arguments_fail_clearly(files: Path) -> None:
    ga_only = _only(CV_CALLS, "2026-01-01")
    assert len(ga_only) == 2
    for call in ga_only:
        with pytest.raises(SpeechUsageError, match=r"needs Custom Voice api-version 2026-01-01"):
            _run(CustomVoiceClient, {"cv": "2024-02-01-preview"}, call, files)
    # Batch transcription's create differs per version by path only (both are valid calls).
    upload, text_model = _only([c for c in STT_CALLS if c[0] != "transcriptions.create"], "v3.2")
    with pytest.raises(SpeechUsageError, match=r"datasets/upload was removed"):
        _run(CustomSpeechClient, {"stt": "2025-10-15"}, upload, files)
    with pytest.raises(SpeechUsageError, match=r"only in Speech to text v3\.2"):
        _run(CustomSpeechClient, {"stt": "2025-10-15"}, text_model, files)
    foundry = _only(STT_CALLS, "2025-10-15")[0]
    with pytest.raises(SpeechUsageError, match=r"foundry_project_name needs"):
        _run(CustomSpeechClient, {"stt": "v3.2"}, foundry, files)
    with pytest.raises(SpeechUsageError, match="not a valid Custom Voice id"):
        _run(CustomVoiceClient, {}, lambda c, d: c.projects.get("-bad id-"), files)
    with pytest.raises(SpeechUsageError, match="must be a UUID"):
        _run(CustomVoiceClient, {}, lambda c, d: c.endpoints.get("not-a-uuid"), files)
