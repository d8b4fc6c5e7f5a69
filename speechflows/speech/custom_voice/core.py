"""The core every Custom Voice operation group shares: ids, URLs, generic CRUD, accepted operations.

Ids are chosen by the caller (``^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$``; endpoints: UUID),
so a create is a PUT that a re-run repeats harmlessly. Every long-running request carries an
``Operation-Id``: the caller's (derive it with :func:`operation_id_for` to re-attach on re-runs) or
a fresh UUID, which also makes HTTP retries of those POSTs safe.

>>> operation_id_for("consent", "Jessica", "abc123")[:3]
'sf-'
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import uuid
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import NotFoundError, SpeechUsageError
from speechflows.speech.http import FileSpec, SpeechHTTP, decode_json
from speechflows.speech.schemas.common import ApiModel
from speechflows.speech.schemas.custom_voice import Accepted, OperationRef

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


def endpoint_uuid(endpoint_id: uuid.UUID | str) -> str:
    """The canonical text of an endpoint id, which must be a UUID (else a usage error)."""
    try:
        return str(uuid.UUID(str(endpoint_id)))
    except ValueError:
        raise SpeechUsageError(
            f"endpoint id {endpoint_id!r} must be a UUID (e.g. {uuid.uuid4()})"
        ) from None


def operation_id_for(*parts: str) -> str:
    """A deterministic ``Operation-Id`` from the inputs of a request (e.g. ids + manifest hash)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return f"sf-{digest[:40]}"


def audio_content_type(path: Path) -> str:
    """The content type of an audio file in a multipart upload (``audio/wav`` for ``.wav``)."""
    guessed = mimetypes.guess_type(path.name)[0]
    if path.suffix.lower() == ".wav":
        return "audio/wav"
    return guessed or "application/octet-stream"


class VoiceCore:
    """URLs, id checks and generic requests of the Custom Voice API, shared by its groups."""

    def __init__(self, http: SpeechHTTP, api_version: str) -> None:
        self.http = http
        self.api_version = api_version

    def url(self, collection: str, resource_id: str | None = None, action: str = "") -> str:
        """Absolute URL of a collection or resource (without the query string)."""
        url = f"{self.http.base_url}/customvoice/{collection}"
        if resource_id is not None:
            if collection != "endpoints":  # endpoint ids are UUIDs, checked by endpoint_uuid
                check_resource_id(resource_id, f"{collection} id")
            url += "/" + quote(resource_id, safe="")
        return url + action

    @property
    def query(self) -> dict[str, str | int | bool]:
        """The query every request carries (``api-version``)."""
        return {"api-version": self.api_version}

    def get(self, cls: type[R], collection: str, resource_id: str) -> R:
        """GET one resource."""
        body = self.http.get_json(self.url(collection, resource_id), self.query)
        return cls.model_validate(body)

    def list(self, cls: type[R], collection: str, filter: str | None) -> list[R]:
        """GET every page of a collection."""
        params = {**self.query, **({"filter": filter} if filter else {})}
        items = self.http.iter_pages(
            self.url(collection), params=params, item_key="value", next_key="nextLink"
        )
        return [cls.model_validate(item) for item in items]

    def delete(self, collection: str, resource_id: str, missing_ok: bool, **params: Any) -> bool:
        """DELETE a resource; False if it did not exist and ``missing_ok``."""
        try:
            self.http.request(
                "DELETE", self.url(collection, resource_id), params={**self.query, **params}
            )
        except NotFoundError:
            if not missing_ok:
                raise
            return False
        return True

    @staticmethod
    def operation_id(operation_id: str | None) -> str:
        """The ``Operation-Id`` to send: the caller's (checked) or a new UUID."""
        return (
            check_resource_id(operation_id, "Operation-Id") if operation_id else str(uuid.uuid4())
        )

    def start(
        self, method: str, url: str, fallback: R, operation_id: str | None, **request: Any
    ) -> Accepted[R]:
        """Send a long-running request; its resource (else ``fallback``) and the operation to poll.

        The request carries :meth:`operation_id` as ``Operation-Id``, so retrying it is safe.
        """
        return self._start(method, url, fallback, self.operation_id(operation_id), **request)

    def _start(
        self, method: str, url: str, fallback: R, operation_id: str, **request: Any
    ) -> Accepted[R]:
        response = self.http.request(
            method, url, params=self.query, headers={"Operation-Id": operation_id}, **request
        )
        op_id = response.headers.get("Operation-Id") or operation_id
        location = response.headers.get("Operation-Location") or (
            self.url("operations", op_id) + f"?api-version={self.api_version}"
        )
        resource = (
            type(fallback).model_validate(decode_json(response)) if response.content else fallback
        )
        return Accepted(resource=resource, operation=OperationRef(id=op_id, location=location))

    def start_upload(
        self,
        url: str,
        fallback: R,
        operation_id: str | None,
        fields: dict[str, Any],
        audio: Sequence[Path],
    ) -> Accepted[R]:
        """:meth:`start` a multipart POST of ``fields`` and the ``audio`` files (parts named
        ``audiodata``, as the service expects)."""
        operation_id = self.operation_id(operation_id)  # a bad one fails before files are read
        with ExitStack() as stack:
            files: list[FileSpec] = [
                (
                    "audiodata",
                    (path.name, stack.enter_context(open(path, "rb")), audio_content_type(path)),
                )
                for path in audio
            ]
            return self._start("POST", url, fallback, operation_id, data=fields, files=files)

    def ga_only(self, what: str, value: object) -> None:
        """Raise a usage error if ``value`` is given with a pre-2026-01-01 api-version."""
        if value is not None and self.api_version != "2026-01-01":
            raise SpeechUsageError(
                f"{what} needs Custom Voice api-version 2026-01-01 (this client uses "
                f"{self.api_version}); leave it out or set "
                "SPEECHFLOWS_SPEECH_CUSTOM_VOICE_API_VERSION=2026-01-01"
            )


class ResourceGroup(OperationGroup[VoiceCore], Generic[R]):
    """The get, list and delete of a group whose ids are resource ids: a subclass names its
    ``model`` and ``collection`` (and joins the operationIds quoted below)."""

    model: type[R]
    collection: str

    def get(self, resource_id: str) -> R:
        """Get one resource."""
        # operationId: Consents_Get
        # operationId: Models_Get
        # operationId: PersonalVoices_Get
        # operationId: TrainingSets_Get
        return self.core.get(self.model, self.collection, resource_id)

    def list(self, filter: str | None = None) -> list[R]:
        """List the resources, e.g. ``filter="projectId eq 'Jessica'"``."""
        # operationId: Consents_List
        # operationId: Models_List
        # operationId: PersonalVoices_List
        # operationId: TrainingSets_List
        return self.core.list(self.model, self.collection, filter)

    def delete(self, resource_id: str, *, missing_ok: bool = True) -> bool:
        """Delete a resource. False if it did not exist."""
        # operationId: Consents_Delete
        # operationId: Models_Delete
        # operationId: PersonalVoices_Delete
        # operationId: TrainingSets_Delete
        return self.core.delete(self.collection, resource_id, missing_ok)
