"""Every client method's request, validated against its operation in the official specs."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.speech import CustomSpeechClient, CustomVoiceClient
from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource
from tests.speech.spec_support import (
    CONSENT,
    ENDPOINT,
    settings,
    success_response,
    validate_request,
)

EP = "9a2a2ee9-1c4b-4b8c-a1a8-0f1d1b8f4a11"
DS = f"{ENDPOINT}/speechtotext/datasets/6f9e1d2a-7f5b-4c42-8d0b-8b61bd1f7a10?api-version=2025-10-15"
BM = f"{ENDPOINT}/speechtotext/models/base/1aae1070-7972-47e9-a977-87e3b05c457d"
CM = "3d2e0c1a-2b1f-4a0e-9c55-4d7b1b7d9f01"
PJ = "1b0c3ed4-3c26-4b0a-8a7c-9a4e3f1d2c33"
TR = "ba7ea6f5-3065-40b7-b49a-a90f48584683"
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


@dataclass(frozen=True)
class In:
    """A file of the test's folder, put in place of this when the call runs."""

    name: str


@dataclass(frozen=True)
class Case:
    """One client call: ``client.<method>(*args, **kwargs)`` must send ``operation``."""

    method: str  # client group.method
    operation: str  # operationId the request validates as
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    only: set[str] | None  # the api versions it applies to, None for all

    def call(self, client: Any, folder: Path) -> Any:
        def place(value: Any) -> Any:
            if isinstance(value, In):
                return folder / value.name
            if isinstance(value, list):
                return [place(v) for v in value]
            return value

        group, name = self.method.split(".")
        method = getattr(getattr(client, group), name)
        return method(*map(place, self.args), **{k: place(v) for k, v in self.kwargs.items()})


def case(
    method: str, operation: str, *args: Any, only: set[str] | None = None, **kwargs: Any
) -> Case:
    return Case(method, operation, args, kwargs, only)


def crud(group: str, prefix: str, rid: str) -> list[Case]:
    """The get, list and delete of a resource whose operationIds follow ``<prefix>_<Verb>``."""
    return [
        case(f"{group}.get", f"{prefix}_Get", rid),
        case(f"{group}.list", f"{prefix}_List"),
        case(f"{group}.delete", f"{prefix}_Delete", rid),
    ]


# Argument sets that several calls share: a create and its get_or_create send the same body.
PERSONAL: dict[str, Any] = {"project_id": "PersonalVoice", "consent_id": "Jessica"}
VOICE_MODEL: dict[str, Any] = {
    "project_id": "Jessica",
    "consent_id": "Jessica",
    "training_set_id": "Jessica-300",
}
LANGUAGE_DATA: dict[str, Any] = {
    "kind": "Language",
    "locale": "en-US",
    "display_name": "faq",
    "content_url": "https://contoso.blob.core.windows.net/c/lang.txt?sig=x",
}
SPEECH_MODEL: dict[str, Any] = {
    "display_name": "m",
    "locale": "en-US",
    "base_model_url": BM,
    "dataset_urls": [DS],
}
EVALUATION: dict[str, Any] = {
    "display_name": "e",
    "locale": "en-US",
    "model1_url": BM,
    "model2_url": CM,
}
SPEECH_ENDPOINT: dict[str, Any] = {"display_name": "ep", "locale": "en-US", "model_url": CM}
BATCH: dict[str, Any] = {
    "display_name": "try",
    "locale": "en-US",
    "content_urls": ["https://contoso.blob.core.windows.net/c/a.wav?sig=x"],
}
MORE: dict[str, Any] = {"description": "d", "project_url": PJ, "custom_properties": {"k": "v"}}

CV_CALLS: list[Case] = [
    case(
        "projects.create",
        "Projects_Create",
        "Jessica",
        kind="ProfessionalVoice",
        description="d",
        display_name="Jessica",
    ),
    case(
        "projects.create",
        "Projects_Create",
        "Jessica",
        kind="PersonalVoice",
        locale="en-US",
        only={"2026-01-01"},
    ),
    case("projects.get", "Projects_Get", "Jessica"),
    case("projects.list", "Projects_List", "kind eq 'PersonalVoice'"),
    case("projects.delete", "Projects_Delete", "Jessica", force=True),
    case(
        "consents.create",
        "Consents_Create",
        "Jessica",
        **CONSENT,
        audio_url="https://contoso.blob.core.windows.net/c/consent.wav?sig=x",
        description="consent",
        display_name="Jessica consent",
        operation_id="op-consent-1",
    ),
    case(
        "consents.create",
        "Consents_Post",
        "Jessica",
        **CONSENT,
        audio_file=In("consent.wav"),
        description="consent",
    ),
    case("consents.get", "Consents_Get", "Jessica"),
    case("consents.list", "Consents_List", "projectId eq 'Jessica'"),
    case("consents.delete", "Consents_Delete", "Jessica"),
    case(
        "training_sets.create",
        "TrainingSets_Create",
        "Jessica-300",
        project_id="Jessica",
        locale="en-US",
        voice_kind="Female",
        description="300 utterances",
        display_name="general",
    ),
    case(
        "training_sets.upload",
        "TrainingSets_UploadData",
        "Jessica-300",
        kind="AudioAndScript",
        audios=BLOB,
        scripts=SCRIPTS,
        operation_id="sf-0123456789abcdef",
    ),
    case(
        "training_sets.upload",
        "TrainingSets_UploadData",
        "Jessica-300",
        kind="LongAudio",
        audios=BLOB,
        scripts=SCRIPTS,
        process_as="Contextual",
        display_name="long",
        only={"2026-01-01"},
    ),
    *crud("training_sets", "TrainingSets", "Jessica-300"),
    case(
        "personal_voices.create",
        "PersonalVoices_Create",
        "Jessica-pv",
        **PERSONAL,
        audios=BLOB,
        description="pv",
    ),
    case(
        "personal_voices.create",
        "PersonalVoices_Post",
        "Jessica-pv",
        **PERSONAL,
        audio_files=[In("prompt1.wav"), In("prompt2.wav")],
        display_name="pv",
    ),
    *crud("personal_voices", "PersonalVoices", "Jessica-pv"),
    case("models.list_recipes", "Models_ListRecipes"),
    case("base_models.list", "BaseModels_List"),
    case(
        "models.create",
        "Models_Create",
        "Jessica-model",
        **VOICE_MODEL,
        recipe_kind="Default",
        voice_name="JessicaNeural",
        description="m",
        operation_id="op-model-1",
    ),
    case(
        "models.create",
        "Models_Create",
        "Jessica-ms",
        **VOICE_MODEL,
        recipe_kind="MultiStyle",
        voice_name="JessicaMultiNeural",
        locale="en-US",
        preset_styles=["cheerful"],
        style_training_set_ids={"happy": "Jessica-happy"},
    ),
    *crud("models", "Models", "Jessica-model"),
    case(
        "endpoints.create",
        "Endpoints_Create",
        EP,
        project_id="Jessica",
        model_id="Jessica-model",
        kind="FastResume",
        description="e",
    ),
    *crud("endpoints", "Endpoints", EP),
    case("endpoints.suspend", "Endpoints_Suspend", EP),
    case("endpoints.resume", "Endpoints_Resume", EP),
    case("operations.get", "Operations_Get", "op-consent-1"),
]

STT_CALLS: list[Case] = [
    case("locales.list", "Datasets_ListSupportedLocales"),
    case("locales.list", "Models_ListSupportedLocales", "models"),
    case(
        "projects.create",
        "Projects_Create",
        display_name="p",
        locale="en-US",
        description="d",
        custom_properties={"a": "b"},
    ),
    case(
        "projects.create",
        "Projects_Create",
        display_name="p",
        locale="en-US",
        foundry_project_name="foundry",
        only={"2025-10-15"},
    ),
    case("projects.get", "Projects_Get", PJ),
    case("projects.list", "Projects_List", "locale eq 'en-US'"),
    case("projects.update", "Projects_Update", PJ, displayName="q"),
    case("projects.delete", "Projects_Delete", PJ),
    case(
        "datasets.create",
        "Datasets_Create",
        **LANGUAGE_DATA,
        **MORE,
        text_normalization_kind="Default",
    ),
    case(
        "datasets.create",
        "Datasets_Create",
        kind="Acoustic",
        locale="en-US",
        display_name="blocks",
        content_url=None,
    ),
    case("datasets.get_or_create", "Datasets_Create", **LANGUAGE_DATA, content_hash="abc"),
    case(
        "datasets.upload",
        "Datasets_Upload",
        kind="Acoustic",
        locale="en-US",
        display_name="up",
        file=In("data.zip"),
        **MORE,
        only={"v3.2"},
    ),
    case("datasets.get", "Datasets_Get", DS),
    case("datasets.list", "Datasets_List", "kind eq 'Language'"),
    case("datasets.update", "Datasets_Update", DS, description="new", customProperties={"k": "v"}),
    case("datasets.delete", "Datasets_Delete", DS),
    case("datasets.upload_block", "Datasets_UploadBlock", DS, "AAE=", b"x" * 10),
    case("datasets.get_blocks", "Datasets_GetBlocks", DS),
    case("datasets.commit_blocks", "Datasets_CommitBlocks", DS, ["AAE=", "AAI="]),
    case("datasets.upload_content", "Datasets_CommitBlocks", DS, In("data.zip"), block_size=4),
    case(
        "datasets.list_files",
        "Datasets_ListFiles",
        DS,
        filter="kind eq 'DatasetReport'",
        sas_lifetime_minutes=30,
    ),
    case("datasets.get_file", "Datasets_GetFile", DS, "0a5f3a7e-2d4b-4f5e-9c8d-1e2f3a4b5c6d"),
    case("datasets.get_report", "Datasets_ListFiles", DS),
    case("base_models.list", "Models_ListBaseModels", "locale eq 'en-US'"),
    case("base_models.get", "Models_GetBaseModel", BM),
    case(
        "models.create",
        "Models_Create",
        **SPEECH_MODEL,
        **MORE,
        custom_model_weight_percent=30,
    ),
    case("models.create", "Models_Create", **SPEECH_MODEL, text="hello", only={"v3.2"}),
    case("models.get_or_create", "Models_Create", **SPEECH_MODEL, content_hash="h"),
    case("models.get", "Models_GetCustomModel", CM),
    case("models.list", "Models_ListCustomModels"),
    case("models.update", "Models_Update", CM, displayName="n"),
    case("models.delete", "Models_Delete", CM),
    case("evaluations.create", "Evaluations_Create", **EVALUATION, dataset_url=DS, **MORE),
    case(
        "evaluations.get_or_create",
        "Evaluations_Create",
        **EVALUATION,
        dataset_url=DS,
        content_hash="h",
    ),
    case("evaluations.get", "Evaluations_Get", CM),
    case("evaluations.list", "Evaluations_List"),
    case("evaluations.update", "Evaluations_Update", CM, description="x"),
    case("evaluations.delete", "Evaluations_Delete", CM),
    case("endpoints.create", "Endpoints_Create", **SPEECH_ENDPOINT, **MORE, logging_enabled=False),
    case("endpoints.get_or_create", "Endpoints_Create", **SPEECH_ENDPOINT, content_hash="h"),
    case("endpoints.get", "Endpoints_Get", CM),
    case("endpoints.list", "Endpoints_List"),
    case("endpoints.update", "Endpoints_Update", CM, displayName="x"),
    case("endpoints.delete", "Endpoints_Delete", CM),
    case("endpoints.set_model", "Endpoints_Update", CM, CM),
    case(
        "transcriptions.create",
        "Transcriptions_Submit",
        **BATCH,
        model_url=CM,
        project_url=PJ,
        word_level_timestamps=True,
        custom_properties={"k": "v"},
        only={"2025-10-15"},
    ),
    case(
        "transcriptions.create",
        "Transcriptions_Create",
        display_name="try",
        locale="en-US",
        content_container_url="https://contoso.blob.core.windows.net/c?sig=x",
        model_url=CM,
        only={"v3.2"},
    ),
    case(
        "transcriptions.get_or_create",
        "Transcriptions_Submit",
        **BATCH,
        content_hash="h",
        only={"2025-10-15"},
    ),
    *crud("transcriptions", "Transcriptions", TR),
    case("transcriptions.list_files", "Transcriptions_ListFiles", TR),
    case(
        "transcriptions.get_file",
        "Transcriptions_GetFile",
        TR,
        "ee4733cd-b1a7-4813-87e2-00d582c28a29",
    ),
    case("transcriptions.results", "Transcriptions_ListFiles", TR),
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


def _cases(api: str, calls: list[Case], versions: tuple[str, ...]) -> list[Any]:
    return [
        pytest.param(
            api, version, c.operation, c.call, id=f"{api}-{version}-{c.method}-{c.operation}-{i}"
        )
        for i, c in enumerate(calls)
        for version in versions
        if c.only is None or version in c.only
    ]


@pytest.mark.parametrize(
    ("api", "version", "operation", "call"),
    [
        *_cases("cv", CV_CALLS, ("2026-01-01", "2024-02-01-preview")),
        *_cases("stt", STT_CALLS, ("2025-10-15", "v3.2")),
    ],
)
def test_requests_match_the_spec(
    api: str, version: str, operation: str, call: Call, files: Path
) -> None:
    client_cls = CustomVoiceClient if api == "cv" else CustomSpeechClient
    seen = _run(client_cls, {api: version}, call, files)
    assert operation in [op for op, _ in seen]
    for _, request in seen:
        if version == "v3.2":
            assert request.url.path.startswith("/speechtotext/v3.2/")
            assert "api-version" not in request.url.params
        else:
            assert request.url.params["api-version"] == version


def test_personal_voice_multipart_sends_consent_id_and_audiodata_parts(files: Path) -> None:
    from tests.speech.spec_support import multipart_parts

    call = next(c.call for c in CV_CALLS if c.operation == "PersonalVoices_Post")
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
def test_every_client_method_has_a_contract_case(cls: type[Any], calls: list[Case]) -> None:
    covered = {c.method for c in calls}
    assert _public_request_methods(cls) - covered == set()


@pytest.mark.parametrize(
    ("cls", "calls"), [(CustomVoiceClient, CV_CALLS), (CustomSpeechClient, STT_CALLS)]
)
def test_every_request_method_quotes_its_operation_id(cls: type[Any], calls: list[Case]) -> None:
    for name, op in ((c.method, c.operation) for c in calls):
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


def _only(calls: list[Case], version: str) -> list[Call]:
    return [c.call for c in calls if c.only == {version}]


def test_version_specific_arguments_fail_clearly(files: Path) -> None:
    ga_only = _only(CV_CALLS, "2026-01-01")
    assert len(ga_only) == 2
    for call in ga_only:
        with pytest.raises(SpeechUsageError, match=r"needs Custom Voice api-version 2026-01-01"):
            _run(CustomVoiceClient, {"cv": "2024-02-01-preview"}, call, files)
    # Batch transcription's create differs per version by path only (both are valid calls).
    upload, text_model = _only(
        [c for c in STT_CALLS if c.method != "transcriptions.create"], "v3.2"
    )
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
