"""Plumbing shared by the Custom Voice client: ids, URLs, generic CRUD, accepted operations."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import uuid
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from speechflows.settings import SpeechSettings
from speechflows.speech.client_base import SpeechClientBase
from speechflows.speech.errors import NotFoundError, SpeechUsageError
from speechflows.speech.http import decode_json
from speechflows.speech.models import (
    Accepted,
    ApiModel,
    OperationRef,
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


def audio_content_type(path: Path) -> str:
    guessed = mimetypes.guess_type(path.name)[0]
    if path.suffix.lower() == ".wav":
        return "audio/wav"
    return guessed or "application/octet-stream"


class CustomVoiceBase(SpeechClientBase):
    """Connection, URLs, id checks and generic CRUD of the Custom Voice API."""

    @staticmethod
    def _api_version_of(settings: SpeechSettings) -> str:
        return settings.custom_voice_api_version

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
        self,
        cls: type[R],
        response: httpx.Response,
        sent_operation_id: str,
        fallback: R | None = None,
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
        op_id = (
            check_resource_id(operation_id, "Operation-Id") if operation_id else str(uuid.uuid4())
        )
        return op_id, {"Operation-Id": op_id}
