"""Plumbing shared by the Speech to text client: URLs, entity references, CRUD, get-or-create.

Two API styles, chosen by ``settings.speech_to_text_api_version``: ``2025-10-15`` (default;
``{endpoint}/speechtotext/...?api-version=2025-10-15``) and legacy ``v3.2``
(``{endpoint}/speechtotext/v3.2/...``). Ids are server-assigned UUIDs and entities reference each
other by ``self`` URL, so every method takes a ``self`` URL or a bare id.
"""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from speechflows.redaction import redact_url
from speechflows.settings import SpeechSettings
from speechflows.speech.client_base import SpeechClientBase, without_none
from speechflows.speech.errors import NotFoundError, SpeechUsageError
from speechflows.speech.http import decode_json
from speechflows.speech.models import (
    SpeechEntity,
    SpeechProject,
    Status,
)

CONTENT_HASH_PROPERTY = "speechflowsContentHash"
"""The ``customProperties`` key that holds the content hash of what an entity was created from."""
MAX_BLOCK_BYTES = 8 * 1024 * 1024
E = TypeVar("E", bound=SpeechEntity)
Ref = str | SpeechEntity


def odata_quote(value: str) -> str:
    """Quote a string literal for an OData ``filter`` (single quotes doubled).

    >>> odata_quote("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


class SpeechToTextBase(SpeechClientBase):
    """Connection, URLs and generic CRUD of the Speech to text API; locales and projects."""

    @staticmethod
    def _api_version_of(settings: SpeechSettings) -> str:
        return settings.speech_to_text_api_version

    @property
    def legacy(self) -> bool:
        """True when this client addresses the legacy ``v3.2`` paths."""
        return self.settings.speech_to_text_legacy_paths

    # -- plumbing -----------------------------------------------------------------------------

    @property
    def root(self) -> str:
        """``{endpoint}/speechtotext`` or ``{endpoint}/speechtotext/v3.2``."""
        return f"{self.http.base_url}/speechtotext" + ("/v3.2" if self.legacy else "")

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (e.g. ``datasets``), without the query string."""
        return f"{self.root}/{path}"

    @property
    def _q(self) -> dict[str, str | int | bool]:
        return {} if self.legacy else {"api-version": self.api_version}

    def entity_url(self, collection: str, ref: Ref) -> str:
        """URL of one entity of ``collection`` from its ``self`` URL, an entity, or its id."""
        value = ref.self_url if isinstance(ref, SpeechEntity) else ref
        if not value:
            raise SpeechUsageError(f"no {collection} reference given (empty self URL or id)")
        if value.startswith(("http://", "https://")):
            path = urlsplit(value).path
            marker = "/speechtotext/"
            if marker not in path:
                raise SpeechUsageError(f"{redact_url(value)} is not a Speech to text URL")
            rest = path.split(marker, 1)[1]
            rest = rest.removeprefix("v3.2/")
            if not rest.startswith(collection + "/"):
                raise SpeechUsageError(f"{redact_url(value)} is not a {collection} URL")
            value = rest[len(collection) + 1 :].split("/", 1)[0]
        if not value or any(c in value for c in "/?#"):
            raise SpeechUsageError(f"{value!r} is not a valid {collection} id")
        return self.url(f"{collection}/{quote(value, safe='')}")

    def self_ref(self, collection: str, ref: Ref) -> dict[str, str]:
        """An ``EntityReference`` body (``{"self": url}``) for ``ref``."""
        if isinstance(ref, SpeechEntity) and ref.self_url:
            return {"self": ref.self_url}
        if isinstance(ref, str) and ref.startswith(("http://", "https://")):
            return {"self": ref}
        url = self.entity_url(collection, ref)
        return {"self": url if self.legacy else f"{url}?api-version={self.api_version}"}

    def _create(self, cls: type[E], collection: str, body: dict[str, Any]) -> E:
        response = self.http.request("POST", self.url(collection), params=self._q, json=body)
        return cls.model_validate(decode_json(response))

    def _get(self, cls: type[E], collection: str, ref: Ref) -> E:
        return cls.model_validate(self.http.get_json(self.entity_url(collection, ref), self._q))

    def _list(
        self, cls: type[E], collection: str, filter: str | None, url: str | None = None
    ) -> list[E]:
        params = {**self._q, **({"filter": filter} if filter else {})}
        items = self.http.iter_pages(
            url or self.url(collection), params=params, item_key="values", next_key="@nextLink"
        )
        return [cls.model_validate(item) for item in items]

    def _update(self, cls: type[E], collection: str, ref: Ref, body: dict[str, Any]) -> E:
        response = self.http.request(
            "PATCH", self.entity_url(collection, ref), params=self._q, json=without_none(body)
        )
        return cls.model_validate(decode_json(response))

    def _delete(self, collection: str, ref: Ref, missing_ok: bool) -> bool:
        try:
            self.http.request("DELETE", self.entity_url(collection, ref), params=self._q)
        except NotFoundError:
            if not missing_ok:
                raise
            return False
        return True

    def _find(
        self, cls: type[E], collection: str, display_name: str, content_hash: str, **match: str
    ) -> E | None:
        found = [
            item
            for item in self._list(cls, collection, f"displayName eq {odata_quote(display_name)}")
            if item.display_name == display_name
            and (item.custom_properties or {}).get(CONTENT_HASH_PROPERTY) == content_hash
            and item.status is not Status.FAILED  # a failed one is retried with a new entity
            and all(str(getattr(item, k, None)) == v for k, v in match.items())
        ]
        found.sort(key=lambda item: str(item.created_date_time or ""))
        return found[-1] if found else None

    @staticmethod
    def _with_hash(custom_properties: dict[str, str] | None, content_hash: str) -> dict[str, str]:
        return {**(custom_properties or {}), CONTENT_HASH_PROPERTY: content_hash}

    def _v32_only(self, what: str, value: object) -> None:
        if value is not None and not self.legacy:
            raise SpeechUsageError(
                f"{what} exists only in Speech to text v3.2; with api-version {self.api_version} "
                "leave it out (or set SPEECHFLOWS_SPEECH_SPEECH_TO_TEXT_API_VERSION=v3.2)"
            )

    # -- locales ------------------------------------------------------------------------------

    def get_supported_locales(
        self, collection: str = "datasets"
    ) -> dict[str, list[str]] | list[str]:
        """Supported locales: per dataset kind for ``datasets``, a list for the other collections."""
        if collection not in ("datasets", "models", "evaluations", "endpoints", "projects"):
            raise SpeechUsageError(f"no supported-locales list for {collection!r}")
        # operationId: Datasets_ListSupportedLocales (or Models_/Evaluations_/Endpoints_/Projects_)
        body = self.http.get_json(self.url(f"{collection}/locales"), self._q)
        if isinstance(body, dict):
            return {str(k): [str(x) for x in v] for k, v in body.items() if isinstance(v, list)}
        return [str(x) for x in body]

    # -- projects -----------------------------------------------------------------------------

    def create_project(
        self,
        *,
        display_name: str,
        locale: str,
        description: str | None = None,
        custom_properties: dict[str, str] | None = None,
        foundry_project_name: str | None = None,
    ) -> SpeechProject:
        """Create a project (new entity on every call)."""
        if foundry_project_name is not None and self.legacy:
            raise SpeechUsageError("foundry_project_name needs api-version 2025-10-15")
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "customProperties": custom_properties,
                "foundryProjectName": foundry_project_name,
            }
        )
        # operationId: Projects_Create
        return self._create(SpeechProject, "projects", body)

    def get_project(self, project: Ref) -> SpeechProject:
        """Get a project."""
        # operationId: Projects_Get
        return self._get(SpeechProject, "projects", project)

    def list_projects(self, filter: str | None = None) -> list[SpeechProject]:
        """List projects (every page)."""
        # operationId: Projects_List
        return self._list(SpeechProject, "projects", filter)

    def update_project(self, project: Ref, **fields: Any) -> SpeechProject:
        """Update a project: camelCase fields such as ``displayName``, ``customProperties``."""
        # operationId: Projects_Update
        return self._update(SpeechProject, "projects", project, fields)

    def delete_project(self, project: Ref, *, missing_ok: bool = True) -> bool:
        """Delete a project. False if it did not exist."""
        # operationId: Projects_Delete
        return self._delete("projects", project, missing_ok)
