"""Every client method's request, validated against its operation in the official specs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.speech import CustomSpeechClient, CustomVoiceClient
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.models import AzureBlobContentSource
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
# (client method, operationId, call, api versions it applies to or None for all)
CV_CALLS: list[tuple[str, str, Call, set[str] | None]] = [
    (
        "create_project",
        "Projects_Create",
        lambda c, d: c.create_project(
            "Jessica", kind="ProfessionalVoice", description="d", display_name="Jessica"
        ),
        None,
    ),
    (
        "create_project",
        "Projects_Create",
        lambda c, d: c.create_project("Jessica", kind="PersonalVoice", locale="en-US"),
        {"2026-01-01"},
    ),
    ("get_project", "Projects_Get", lambda c, d: c.get_project("Jessica"), None),
    (
        "list_projects",
        "Projects_List",
        lambda c, d: c.list_projects("kind eq 'PersonalVoice'"),
        None,
    ),
    (
        "delete_project",
        "Projects_Delete",
        lambda c, d: c.delete_project("Jessica", force=True),
        None,
    ),
    (
        "create_consent",
        "Consents_Create",
        lambda c, d: c.create_consent(
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
        "create_consent",
        "Consents_Post",
        lambda c, d: c.create_consent(
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
    ("get_consent", "Consents_Get", lambda c, d: c.get_consent("Jessica"), None),
    (
        "list_consents",
        "Consents_List",
        lambda c, d: c.list_consents("projectId eq 'Jessica'"),
        None,
    ),
    ("delete_consent", "Consents_Delete", lambda c, d: c.delete_consent("Jessica"), None),
    (
        "create_training_set",
        "TrainingSets_Create",
        lambda c, d: c.create_training_set(
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
        "upload_training_set_data",
        "TrainingSets_UploadData",
        lambda c, d: c.upload_training_set_data(
            "Jessica-300",
            kind="AudioAndScript",
            audios=BLOB,
            scripts=SCRIPTS,
            operation_id="sf-0123456789abcdef",
        ),
        None,
    ),
    (
        "upload_training_set_data",
        "TrainingSets_UploadData",
        lambda c, d: c.upload_training_set_data(
            "Jessica-300",
            kind="LongAudio",
            audios=BLOB,
            scripts=SCRIPTS,
            process_as="Contextual",
            display_name="long",
        ),
        {"2026-01-01"},
    ),
    ("get_training_set", "TrainingSets_Get", lambda c, d: c.get_training_set("Jessica-300"), None),
    ("list_training_sets", "TrainingSets_List", lambda c, d: c.list_training_sets(), None),
    (
        "delete_training_set",
        "TrainingSets_Delete",
        lambda c, d: c.delete_training_set("Jessica-300"),
        None,
    ),
    (
        "create_personal_voice",
        "PersonalVoices_Create",
        lambda c, d: c.create_personal_voice(
            "Jessica-pv",
            project_id="PersonalVoice",
            consent_id="Jessica",
            audios=BLOB,
            description="pv",
        ),
        None,
    ),
    (
        "create_personal_voice",
        "PersonalVoices_Post",
        lambda c, d: c.create_personal_voice(
            "Jessica-pv",
            project_id="PersonalVoice",
            consent_id="Jessica",
            audio_files=[d / "prompt1.wav", d / "prompt2.wav"],
            display_name="pv",
        ),
        None,
    ),
    (
        "get_personal_voice",
        "PersonalVoices_Get",
        lambda c, d: c.get_personal_voice("Jessica-pv"),
        None,
    ),
    ("list_personal_voices", "PersonalVoices_List", lambda c, d: c.list_personal_voices(), None),
    (
        "delete_personal_voice",
        "PersonalVoices_Delete",
        lambda c, d: c.delete_personal_voice("Jessica-pv"),
        None,
    ),
    ("list_model_recipes", "Models_ListRecipes", lambda c, d: c.list_model_recipes(), None),
    ("list_base_models", "BaseModels_List", lambda c, d: c.list_base_models(), None),
    (
        "create_model",
        "Models_Create",
        lambda c, d: c.create_model(
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
        "create_model",
        "Models_Create",
        lambda c, d: c.create_model(
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
    ("get_model", "Models_Get", lambda c, d: c.get_model("Jessica-model"), None),
    ("list_models", "Models_List", lambda c, d: c.list_models(), None),
    ("delete_model", "Models_Delete", lambda c, d: c.delete_model("Jessica-model"), None),
    (
        "create_endpoint",
        "Endpoints_Create",
        lambda c, d: c.create_endpoint(
            EP, project_id="Jessica", model_id="Jessica-model", kind="FastResume", description="e"
        ),
        None,
    ),
    ("get_endpoint", "Endpoints_Get", lambda c, d: c.get_endpoint(EP), None),
    ("list_endpoints", "Endpoints_List", lambda c, d: c.list_endpoints(), None),
    ("delete_endpoint", "Endpoints_Delete", lambda c, d: c.delete_endpoint(EP), None),
    ("suspend_endpoint", "Endpoints_Suspend", lambda c, d: c.suspend_endpoint(EP), None),
    ("resume_endpoint", "Endpoints_Resume", lambda c, d: c.resume_endpoint(EP), None),
    ("get_operation", "Operations_Get", lambda c, d: c.get_operation("op-consent-1"), None),
]

STT_CALLS: list[tuple[str, str, Call, set[str] | None]] = [
    (
        "get_supported_locales",
        "Datasets_ListSupportedLocales",
        lambda c, d: c.get_supported_locales(),
        None,
    ),
    (
        "get_supported_locales",
        "Models_ListSupportedLocales",
        lambda c, d: c.get_supported_locales("models"),
        None,
    ),
    (
        "create_project",
        "Projects_Create",
        lambda c, d: c.create_project(
            display_name="p", locale="en-US", description="d", custom_properties={"a": "b"}
        ),
        None,
    ),
    (
        "create_project",
        "Projects_Create",
        lambda c, d: c.create_project(
            display_name="p", locale="en-US", foundry_project_name="foundry"
        ),
        {"2025-10-15"},
    ),
    ("get_project", "Projects_Get", lambda c, d: c.get_project(PJ), None),
    ("list_projects", "Projects_List", lambda c, d: c.list_projects("locale eq 'en-US'"), None),
    ("update_project", "Projects_Update", lambda c, d: c.update_project(PJ, displayName="q"), None),
    ("delete_project", "Projects_Delete", lambda c, d: c.delete_project(PJ), None),
    (
        "create_dataset",
        "Datasets_Create",
        lambda c, d: c.create_dataset(
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
        "create_dataset",
        "Datasets_Create",
        lambda c, d: c.create_dataset(
            kind="Acoustic", locale="en-US", display_name="blocks", content_url=None
        ),
        None,
    ),
    (
        "get_or_create_dataset",
        "Datasets_Create",
        lambda c, d: c.get_or_create_dataset(
            kind="Language",
            locale="en-US",
            display_name="faq",
            content_url="https://contoso.blob.core.windows.net/c/lang.txt?sig=x",
            content_hash="abc",
        ),
        None,
    ),
    (
        "upload_dataset",
        "Datasets_Upload",
        lambda c, d: c.upload_dataset(
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
    ("get_dataset", "Datasets_Get", lambda c, d: c.get_dataset(DS), None),
    ("list_datasets", "Datasets_List", lambda c, d: c.list_datasets("kind eq 'Language'"), None),
    (
        "update_dataset",
        "Datasets_Update",
        lambda c, d: c.update_dataset(DS, description="new", customProperties={"k": "v"}),
        None,
    ),
    ("delete_dataset", "Datasets_Delete", lambda c, d: c.delete_dataset(DS), None),
    (
        "upload_dataset_block",
        "Datasets_UploadBlock",
        lambda c, d: c.upload_dataset_block(DS, "AAE=", b"x" * 10),
        None,
    ),
    ("get_dataset_blocks", "Datasets_GetBlocks", lambda c, d: c.get_dataset_blocks(DS), None),
    (
        "commit_dataset_blocks",
        "Datasets_CommitBlocks",
        lambda c, d: c.commit_dataset_blocks(DS, ["AAE=", "AAI="]),
        None,
    ),
    (
        "upload_dataset_content",
        "Datasets_CommitBlocks",
        lambda c, d: c.upload_dataset_content(DS, d / "data.zip", block_size=4),
        None,
    ),
    (
        "list_dataset_files",
        "Datasets_ListFiles",
        lambda c, d: c.list_dataset_files(
            DS, filter="kind eq 'DatasetReport'", sas_lifetime_minutes=30
        ),
        None,
    ),
    (
        "get_dataset_file",
        "Datasets_GetFile",
        lambda c, d: c.get_dataset_file(DS, "0a5f3a7e-2d4b-4f5e-9c8d-1e2f3a4b5c6d"),
        None,
    ),
    ("get_dataset_report", "Datasets_ListFiles", lambda c, d: c.get_dataset_report(DS), None),
    (
        "list_base_models",
        "Models_ListBaseModels",
        lambda c, d: c.list_base_models("locale eq 'en-US'"),
        None,
    ),
    ("get_base_model", "Models_GetBaseModel", lambda c, d: c.get_base_model(BM), None),
    (
        "create_model",
        "Models_Create",
        lambda c, d: c.create_model(
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
        "create_model",
        "Models_Create",
        lambda c, d: c.create_model(
            display_name="m", locale="en-US", base_model_url=BM, dataset_urls=[DS], text="hello"
        ),
        {"v3.2"},
    ),
    (
        "get_or_create_model",
        "Models_Create",
        lambda c, d: c.get_or_create_model(
            display_name="m", content_hash="h", locale="en-US", base_model_url=BM, dataset_urls=[DS]
        ),
        None,
    ),
    ("get_model", "Models_GetCustomModel", lambda c, d: c.get_model(CM), None),
    ("list_models", "Models_ListCustomModels", lambda c, d: c.list_models(), None),
    ("update_model", "Models_Update", lambda c, d: c.update_model(CM, displayName="n"), None),
    ("delete_model", "Models_Delete", lambda c, d: c.delete_model(CM), None),
    (
        "create_evaluation",
        "Evaluations_Create",
        lambda c, d: c.create_evaluation(
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
        "get_or_create_evaluation",
        "Evaluations_Create",
        lambda c, d: c.get_or_create_evaluation(
            display_name="e",
            content_hash="h",
            locale="en-US",
            model1_url=BM,
            model2_url=CM,
            dataset_url=DS,
        ),
        None,
    ),
    ("get_evaluation", "Evaluations_Get", lambda c, d: c.get_evaluation(CM), None),
    ("list_evaluations", "Evaluations_List", lambda c, d: c.list_evaluations(), None),
    (
        "update_evaluation",
        "Evaluations_Update",
        lambda c, d: c.update_evaluation(CM, description="x"),
        None,
    ),
    ("delete_evaluation", "Evaluations_Delete", lambda c, d: c.delete_evaluation(CM), None),
    (
        "create_endpoint",
        "Endpoints_Create",
        lambda c, d: c.create_endpoint(
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
        "get_or_create_endpoint",
        "Endpoints_Create",
        lambda c, d: c.get_or_create_endpoint(
            display_name="ep", content_hash="h", locale="en-US", model_url=CM
        ),
        None,
    ),
    ("get_endpoint", "Endpoints_Get", lambda c, d: c.get_endpoint(CM), None),
    ("list_endpoints", "Endpoints_List", lambda c, d: c.list_endpoints(), None),
    (
        "update_endpoint",
        "Endpoints_Update",
        lambda c, d: c.update_endpoint(CM, displayName="x"),
        None,
    ),
    ("delete_endpoint", "Endpoints_Delete", lambda c, d: c.delete_endpoint(CM), None),
]

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


def _public_request_methods(cls: type[Any]) -> set[str]:
    helpers = {"close", "url", "entity_url", "self_ref"}
    return {
        name
        for name, member in inspect.getmembers(cls, inspect.isfunction)
        if not name.startswith("_") and name not in helpers
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
        if name.startswith("get_or_create") or name in (
            "upload_dataset_content",
            "get_dataset_report",
        ):
            continue  # compositions of quoted methods
        source = inspect.getsource(getattr(cls, name))
        if name == "get_supported_locales":
            assert "# operationId: Datasets_ListSupportedLocales" in source
        elif name in (
            "suspend_endpoint",
            "resume_endpoint",
            "create_consent",
            "create_personal_voice",
        ):
            method = getattr(cls, name)
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
    upload, text_model = _only(STT_CALLS, "v3.2")
    with pytest.raises(SpeechUsageError, match=r"datasets/upload was removed"):
        _run(CustomSpeechClient, {"stt": "2025-10-15"}, upload, files)
    with pytest.raises(SpeechUsageError, match=r"only in Speech to text v3\.2"):
        _run(CustomSpeechClient, {"stt": "2025-10-15"}, text_model, files)
    foundry = _only(STT_CALLS, "2025-10-15")[0]
    with pytest.raises(SpeechUsageError, match=r"foundry_project_name needs"):
        _run(CustomSpeechClient, {"stt": "v3.2"}, foundry, files)
    with pytest.raises(SpeechUsageError, match="not a valid Custom Voice id"):
        _run(CustomVoiceClient, {}, lambda c, d: c.get_project("-bad id-"), files)
    with pytest.raises(SpeechUsageError, match="must be a UUID"):
        _run(CustomVoiceClient, {}, lambda c, d: c.get_endpoint("not-a-uuid"), files)
