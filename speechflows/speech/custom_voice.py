"""Custom Voice API client: projects, consents, training sets, personal voices, models, endpoints.

Ids are chosen by the caller (``^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$``; endpoints: UUID),
so a create is a PUT that a re-run repeats harmlessly. Long-running creates return
:class:`~speechflows.speech.models.Accepted`: the resource plus the operation to poll. Every
long-running request carries an ``Operation-Id``: the caller's (derive it with
:func:`operation_id_for` to re-attach on re-runs) or a fresh UUID, which also makes HTTP retries
of those POSTs safe.

>>> operation_id_for("consent", "Jessica", "abc123")[:3]
'sf-'
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import time
import uuid
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from speechflows.settings import SpeechSettings
from speechflows.speech.errors import NotFoundError, SpeechUsageError
from speechflows.speech.http import FileSpec, RetryPolicy, SpeechHTTP, TokenCredential, decode_json
from speechflows.speech.models import (
    Accepted,
    ApiModel,
    AzureBlobContentSource,
    Consent,
    Endpoint,
    Model,
    Operation,
    OperationRef,
    PersonalVoice,
    Project,
    Recipe,
    TrainingSet,
    VoiceBaseModel,
)

_ID_RE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$")
_ID_RULE = (
    "3-64 characters: letters, digits, '.', '_' or '-', starting and ending with a letter or digit"
)
R = TypeVar("R", bound=ApiModel)


def check_resource_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a valid Custom Voice id; else raise a :class:`SpeechUsageError`."""
    if not _ID_RE.match(value):
        raise SpeechUsageError(f"{what} {value!r} is not a valid Custom Voice id ({_ID_RULE})")
    return value


def operation_id_for(*parts: str) -> str:
    """A deterministic ``Operation-Id`` from the inputs of a request (e.g. ids + manifest hash)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"sf-{digest[:40]}"


def _content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0]
    if path.suffix.lower() == ".wav":
        return "audio/wav"
    return guessed or "application/octet-stream"


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class CustomVoiceClient:
    """Typed client of the Custom Voice API (``{endpoint}/customvoice``, api-version from settings).

    Example:
        >>> with CustomVoiceClient(settings) as cv:  # doctest: +SKIP
        ...     cv.create_project("jessica", kind="ProfessionalVoice", locale="en-US")
    """

    def __init__(
        self,
        settings: SpeechSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        credential: TokenCredential | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.api_version = settings.custom_voice_api_version
        self.http = SpeechHTTP(
            settings, transport=transport, credential=credential, retry=retry, sleep=sleep, clock=clock
        )

    def __enter__(self) -> CustomVoiceClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __repr__(self) -> str:
        return f"CustomVoiceClient({self.http.base_url!r}, api_version={self.api_version!r})"

    # -- plumbing -----------------------------------------------------------------------------

    def url(self, collection: str, resource_id: str | None = None, action: str = "") -> str:
        """Absolute URL of a collection or resource (without the query string)."""
        url = f"{self.http.base_url}/customvoice/{collection}"
        if resource_id is not None:
            if collection != "endpoints":  # endpoint ids are UUIDs, checked by _uuid
                check_resource_id(resource_id, f"{collection} id")
            url += "/" + quote(resource_id, safe="")
        return url + action

    @property
    def _q(self) -> dict[str, str | int | bool]:
        return {"api-version": self.api_version}

    def _get(self, cls: type[R], collection: str, resource_id: str) -> R:
        body = self.http.get_json(self.url(collection, resource_id), self._q)
        return cls.model_validate(body)

    def _list(self, cls: type[R], collection: str, filter: str | None) -> list[R]:
        params = {**self._q, **({"filter": filter} if filter else {})}
        items = self.http.iter_pages(
            self.url(collection), params=params, item_key="value", next_key="nextLink"
        )
        return [cls.model_validate(item) for item in items]

    def _delete(self, collection: str, resource_id: str, missing_ok: bool, **params: Any) -> bool:
        try:
            self.http.request(
                "DELETE", self.url(collection, resource_id), params={**self._q, **params}
            )
        except NotFoundError:
            if not missing_ok:
                raise
            return False
        return True

    def _accepted(
        self, cls: type[R], response: httpx.Response, sent_operation_id: str, fallback: R | None = None
    ) -> Accepted[R]:
        op_id = response.headers.get("Operation-Id") or sent_operation_id
        location = response.headers.get("Operation-Location") or (
            self.url("operations", op_id) + f"?api-version={self.api_version}"
        )
        if response.content:
            resource = cls.model_validate(decode_json(response))
        elif fallback is not None:
            resource = fallback
        else:  # pragma: no cover - every Accepted caller passes a fallback or gets a body
            raise SpeechUsageError("the service accepted the request without a body")
        return Accepted(resource=resource, operation=OperationRef(id=op_id, location=location))

    def _ga_only(self, what: str, value: object) -> None:
        if value is not None and self.api_version != "2026-01-01":
            raise SpeechUsageError(
                f"{what} needs Custom Voice api-version 2026-01-01 (this client uses "
                f"{self.api_version}); leave it out or set "
                "SPEECHFLOWS_SPEECH_CUSTOM_VOICE_API_VERSION=2026-01-01"
            )

    @staticmethod
    def _op_headers(operation_id: str | None) -> tuple[str, dict[str, str]]:
        op_id = check_resource_id(operation_id, "Operation-Id") if operation_id else str(uuid.uuid4())
        return op_id, {"Operation-Id": op_id}

    # -- projects -----------------------------------------------------------------------------

    def create_project(
        self,
        project_id: str,
        *,
        kind: str,
        description: str | None = None,
        display_name: str | None = None,
        locale: str | None = None,
    ) -> Project:
        """Create (or re-put) a project of kind ``ProfessionalVoice`` or ``PersonalVoice``."""
        check_resource_id(project_id, "project id")
        self._ga_only("project locale", locale)
        body = _drop_none(
            {"kind": str(kind), "description": description, "displayName": display_name, "locale": locale}
        )
        # operationId: Projects_Create
        response = self.http.request("PUT", self.url("projects", project_id), params=self._q, json=body)
        return Project.model_validate(decode_json(response))

    def get_project(self, project_id: str) -> Project:
        """Get a project."""
        # operationId: Projects_Get
        return self._get(Project, "projects", project_id)

    def list_projects(self, filter: str | None = None) -> list[Project]:
        """List projects (every page), e.g. ``filter="kind eq 'PersonalVoice'"``."""
        # operationId: Projects_List
        return self._list(Project, "projects", filter)

    def delete_project(self, project_id: str, force: bool = False, *, missing_ok: bool = True) -> bool:
        """Delete a project (``force``: also its models and endpoints). False if it did not exist."""
        # operationId: Projects_Delete
        return self._delete("projects", project_id, missing_ok, forceDelete=force)

    # -- consents -----------------------------------------------------------------------------

    def create_consent(
        self,
        consent_id: str,
        *,
        project_id: str,
        voice_talent_name: str,
        company_name: str,
        locale: str,
        audio_url: str | None = None,
        audio_file: Path | None = None,
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Consent]:
        """Create a consent from an audio URL (PUT, JSON) or a local audio file (POST, multipart).

        Processing continues after the 201; poll ``.operation`` or the consent.
        """
        check_resource_id(consent_id, "consent id")
        if (audio_url is None) == (audio_file is None):
            raise SpeechUsageError("create_consent needs exactly one of audio_url or audio_file")
        op_id, headers = self._op_headers(operation_id)
        fields = _drop_none(
            {
                "projectId": project_id,
                "voiceTalentName": voice_talent_name,
                "companyName": company_name,
                "locale": locale,
                "description": description,
                "displayName": display_name,
            }
        )
        url = self.url("consents", consent_id)
        if audio_url is not None:
            # operationId: Consents_Create
            response = self.http.request(
                "PUT", url, params=self._q, json={**fields, "audioUrl": audio_url}, headers=headers
            )
        else:
            assert audio_file is not None
            with open(audio_file, "rb") as handle:
                files: list[FileSpec] = [
                    ("audiodata", (audio_file.name, handle, _content_type(audio_file)))
                ]
                # operationId: Consents_Post
                response = self.http.request(
                    "POST", url, params=self._q, data=fields, files=files, headers=headers
                )
        return self._accepted(Consent, response, op_id, Consent(id=consent_id, **fields))

    def get_consent(self, consent_id: str) -> Consent:
        """Get a consent (``properties.failure_reason`` tells why one failed)."""
        # operationId: Consents_Get
        return self._get(Consent, "consents", consent_id)

    def list_consents(self, filter: str | None = None) -> list[Consent]:
        """List consents, e.g. ``filter="projectId eq 'Jessica'"``."""
        # operationId: Consents_List
        return self._list(Consent, "consents", filter)

    def delete_consent(self, consent_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a consent. False if it did not exist."""
        # operationId: Consents_Delete
        return self._delete("consents", consent_id, missing_ok)

    # -- training sets ------------------------------------------------------------------------

    def create_training_set(
        self,
        training_set_id: str,
        *,
        project_id: str,
        locale: str,
        voice_kind: str,
        description: str | None = None,
        display_name: str | None = None,
    ) -> TrainingSet:
        """Create (or re-put) a training set. ``voice_kind`` (Male/Female) cannot change later."""
        check_resource_id(training_set_id, "training set id")
        body = _drop_none(
            {
                "projectId": project_id,
                "locale": locale,
                "voiceKind": str(voice_kind),
                "description": description,
                "displayName": display_name,
            }
        )
        # operationId: TrainingSets_Create
        response = self.http.request(
            "PUT", self.url("trainingsets", training_set_id), params=self._q, json=body
        )
        return TrainingSet.model_validate(decode_json(response))

    def upload_training_set_data(
        self,
        training_set_id: str,
        *,
        kind: str,
        audios: AzureBlobContentSource,
        scripts: AzureBlobContentSource | None,
        process_as: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> OperationRef:
        """Import audio (and scripts) from blob containers into a training set (202 + operation)."""
        check_resource_id(training_set_id, "training set id")
        if scripts is None and str(kind) in ("AudioAndScript", "LongAudio"):
            raise SpeechUsageError(f"upload_training_set_data: kind {kind} needs scripts")
        self._ga_only("process_as", process_as)
        op_id, headers = self._op_headers(operation_id)
        body = _drop_none(
            {
                "kind": str(kind),
                "displayName": display_name,
                "processAs": str(process_as) if process_as else None,
                "audios": audios.to_api(),
                "scripts": scripts.to_api() if scripts else None,
            }
        )
        # operationId: TrainingSets_UploadData
        response = self.http.request(
            "POST", self.url("trainingsets", training_set_id, ":upload"),
            params=self._q, json=body, headers=headers,
        )
        return self._accepted(TrainingSet, response, op_id, TrainingSet(id=training_set_id)).operation

    def get_training_set(self, training_set_id: str) -> TrainingSet:
        """Get a training set (``properties.utterance_count`` once processed)."""
        # operationId: TrainingSets_Get
        return self._get(TrainingSet, "trainingsets", training_set_id)

    def list_training_sets(self, filter: str | None = None) -> list[TrainingSet]:
        """List training sets."""
        # operationId: TrainingSets_List
        return self._list(TrainingSet, "trainingsets", filter)

    def delete_training_set(self, training_set_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a training set. False if it did not exist."""
        # operationId: TrainingSets_Delete
        return self._delete("trainingsets", training_set_id, missing_ok)

    # -- personal voices ----------------------------------------------------------------------

    def create_personal_voice(
        self,
        personal_voice_id: str,
        *,
        project_id: str,
        consent_id: str,
        audios: AzureBlobContentSource | None = None,
        audio_files: Sequence[Path] = (),
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[PersonalVoice]:
        """Create a personal voice from prompt audio in a blob container (PUT) or local files (POST).

        The multipart form sends ``consentId`` and parts named ``audiodata``, as the service expects
        (the spec omits the first and spells the second ``audioData``).
        """
        check_resource_id(personal_voice_id, "personal voice id")
        if (audios is None) == (not audio_files):
            raise SpeechUsageError("create_personal_voice needs exactly one of audios or audio_files")
        op_id, headers = self._op_headers(operation_id)
        fields = _drop_none(
            {
                "projectId": project_id,
                "consentId": consent_id,
                "description": description,
                "displayName": display_name,
            }
        )
        url = self.url("personalvoices", personal_voice_id)
        if audios is not None:
            # operationId: PersonalVoices_Create
            response = self.http.request(
                "PUT", url, params=self._q, json={**fields, "audios": audios.to_api()}, headers=headers
            )
        else:
            with ExitStack() as stack:
                files: list[FileSpec] = [
                    ("audiodata", (path.name, stack.enter_context(open(path, "rb")), _content_type(path)))
                    for path in audio_files
                ]
                # operationId: PersonalVoices_Post
                response = self.http.request(
                    "POST", url, params=self._q, data=fields, files=files, headers=headers
                )
        fallback = PersonalVoice(id=personal_voice_id, **fields)
        return self._accepted(PersonalVoice, response, op_id, fallback)

    def get_personal_voice(self, personal_voice_id: str) -> PersonalVoice:
        """Get a personal voice (``speaker_profile_id`` is what synthesis uses)."""
        # operationId: PersonalVoices_Get
        return self._get(PersonalVoice, "personalvoices", personal_voice_id)

    def list_personal_voices(self, filter: str | None = None) -> list[PersonalVoice]:
        """List personal voices."""
        # operationId: PersonalVoices_List
        return self._list(PersonalVoice, "personalvoices", filter)

    def delete_personal_voice(self, personal_voice_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a personal voice. False if it did not exist."""
        # operationId: PersonalVoices_Delete
        return self._delete("personalvoices", personal_voice_id, missing_ok)

    # -- recipes, base models, models ---------------------------------------------------------

    def list_model_recipes(self) -> list[Recipe]:
        """Training recipes and their minimums (a bare array before 2026-01-01, paged since)."""
        # operationId: Models_ListRecipes
        return self._list(Recipe, "modelrecipes", None)

    def list_base_models(self) -> list[VoiceBaseModel]:
        """Base models (e.g. ``PhoenixV2Neural`` with capability ``PersonalVoice``)."""
        # operationId: BaseModels_List
        return self._list(VoiceBaseModel, "basemodels", None)

    def create_model(
        self,
        model_id: str,
        *,
        project_id: str,
        consent_id: str,
        training_set_id: str,
        recipe_kind: str,
        voice_name: str,
        locale: str | None = None,
        recipe_version: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        preset_styles: Sequence[str] | None = None,
        style_training_set_ids: dict[str, str] | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Model]:
        """Start training a voice model (hours); poll ``.operation`` or the model."""
        check_resource_id(model_id, "model id")
        op_id, headers = self._op_headers(operation_id)
        properties = _drop_none(
            {
                "presetStyles": list(preset_styles) if preset_styles else None,
                "styleTrainingSetIds": style_training_set_ids,
            }
        )
        body = _drop_none(
            {
                "voiceName": voice_name,
                "description": description,
                "displayName": display_name,
                "recipe": _drop_none({"kind": recipe_kind, "version": recipe_version}),
                "locale": locale,
                "projectId": project_id,
                "consentId": consent_id,
                "trainingSetId": training_set_id,
                "properties": properties or None,
            }
        )
        # operationId: Models_Create
        response = self.http.request(
            "PUT", self.url("models", model_id), params=self._q, json=body, headers=headers
        )
        return self._accepted(Model, response, op_id, Model.model_validate({"id": model_id, **body}))

    def get_model(self, model_id: str) -> Model:
        """Get a voice model."""
        # operationId: Models_Get
        return self._get(Model, "models", model_id)

    def list_models(self, filter: str | None = None) -> list[Model]:
        """List voice models."""
        # operationId: Models_List
        return self._list(Model, "models", filter)

    def delete_model(self, model_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a voice model. False if it did not exist."""
        # operationId: Models_Delete
        return self._delete("models", model_id, missing_ok)

    # -- endpoints ----------------------------------------------------------------------------

    @staticmethod
    def _uuid(endpoint_id: uuid.UUID | str) -> str:
        try:
            return str(uuid.UUID(str(endpoint_id)))
        except ValueError:
            raise SpeechUsageError(
                f"endpoint id {endpoint_id!r} must be a UUID (e.g. {uuid.uuid4()})"
            ) from None

    def create_endpoint(
        self,
        endpoint_id: uuid.UUID | str,
        *,
        project_id: str,
        model_id: str,
        kind: str | None = None,
        description: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> Accepted[Endpoint]:
        """Deploy a model at a UUID endpoint id (``kind``: HighPerformance or FastResume)."""
        eid = self._uuid(endpoint_id)
        op_id, headers = self._op_headers(operation_id)
        body = _drop_none(
            {
                "projectId": project_id,
                "modelId": model_id,
                "description": description,
                "displayName": display_name,
                "properties": {"kind": str(kind)} if kind else None,
            }
        )
        # operationId: Endpoints_Create
        response = self.http.request(
            "PUT", self.url("endpoints", eid), params=self._q, json=body, headers=headers
        )
        return self._accepted(Endpoint, response, op_id, Endpoint.model_validate({"id": eid, **body}))

    def get_endpoint(self, endpoint_id: uuid.UUID | str) -> Endpoint:
        """Get an endpoint."""
        # operationId: Endpoints_Get
        return self._get(Endpoint, "endpoints", self._uuid(endpoint_id))

    def list_endpoints(self, filter: str | None = None) -> list[Endpoint]:
        """List endpoints."""
        # operationId: Endpoints_List
        return self._list(Endpoint, "endpoints", filter)

    def delete_endpoint(self, endpoint_id: uuid.UUID | str, *, missing_ok: bool = True) -> bool:
        """Delete an endpoint. False if it did not exist."""
        # operationId: Endpoints_Delete
        return self._delete("endpoints", self._uuid(endpoint_id), missing_ok)

    def _endpoint_action(
        self, endpoint_id: uuid.UUID | str, action: str, operation_id: str | None
    ) -> Accepted[Endpoint]:
        eid = self._uuid(endpoint_id)
        op_id, headers = self._op_headers(operation_id)
        response = self.http.request(
            "POST", self.url("endpoints", eid, action), params=self._q, headers=headers
        )
        return self._accepted(Endpoint, response, op_id, Endpoint(id=eid))

    def suspend_endpoint(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Suspend an endpoint (status goes Disabling → Disabled)."""
        # operationId: Endpoints_Suspend
        return self._endpoint_action(endpoint_id, ":suspend", operation_id)

    def resume_endpoint(
        self, endpoint_id: uuid.UUID | str, *, operation_id: str | None = None
    ) -> Accepted[Endpoint]:
        """Resume a suspended endpoint."""
        # operationId: Endpoints_Resume
        return self._endpoint_action(endpoint_id, ":resume", operation_id)

    # -- operations ---------------------------------------------------------------------------

    def get_operation(self, operation: OperationRef | str) -> Operation:
        """Get an operation by id, ``Operation-Location`` URL or :class:`OperationRef`."""
        if isinstance(operation, OperationRef):
            target = operation.location or operation.id
        else:
            target = operation
        if target.startswith(("http://", "https://")):
            url = self.http.rebase(target)
            params = None if "api-version=" in url else self._q
        else:
            url, params = self.url("operations", check_resource_id(target, "operation id")), self._q
        # operationId: Operations_Get
        return Operation.model_validate(self.http.get_json(url, params))
