"""The core every Speech to text operation group shares: URLs, entity references, generic CRUD.

Two API styles, chosen by ``settings.speech_to_text_api_version``: ``2025-10-15`` (default;
``{endpoint}/speechtotext/...?api-version=2025-10-15``) and legacy ``v3.2``
(``{endpoint}/speechtotext/v3.2/...``). Ids are server-assigned UUIDs and entities reference each
other by ``self`` URL, so every operation takes a ``self`` URL or a bare id.

Creates are POSTs that are never retried by the HTTP layer (a retry could duplicate). For
idempotent re-runs the groups' ``get_or_create`` look an entity up by displayName plus a content
hash kept in ``customProperties["speechflowsContentHash"]``, within the same project only (its
``project`` reference, else ``customProperties["speechflowsProject"]``), before creating it.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

from speechflows.redaction import redact_url
from speechflows.speech.connection import OperationGroup
from speechflows.speech.errors import NotFoundError, SpeechError, SpeechUsageError
from speechflows.speech.http import SpeechHTTP, decode_json, without_none
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.speech_to_text import DatasetFile, SpeechBaseModel, SpeechEntity

CONTENT_HASH_PROPERTY = "speechflowsContentHash"
"""The ``customProperties`` key that holds the content hash of what an entity was created from."""
PROJECT_PROPERTY = "speechflowsProject"
"""The ``customProperties`` key that holds the id of the project an entity was created for (the
2024-11-15+ APIs may not echo ``project`` back, so the lookup does not rely on it alone)."""
MAX_BLOCK_BYTES = 8 * 1024 * 1024
E = TypeVar("E", bound=SpeechEntity)
Ref = str | SpeechEntity
"""An entity given by its ``self`` URL, the entity itself, or its id."""


def odata_quote(value: str) -> str:
    """Quote a string literal for an OData ``filter`` (single quotes doubled).

    >>> odata_quote("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


class SpeechToTextCore:
    """URLs, entity references and generic requests of the Speech to text API."""

    def __init__(self, http: SpeechHTTP, api_version: str, *, legacy: bool) -> None:
        self.http = http
        self.api_version = api_version
        self.legacy = legacy
        """True when this client addresses the legacy ``v3.2`` paths."""

    @property
    def root(self) -> str:
        """``{endpoint}/speechtotext`` or ``{endpoint}/speechtotext/v3.2``."""
        return f"{self.http.base_url}/speechtotext" + ("/v3.2" if self.legacy else "")

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` (e.g. ``datasets``), without the query string."""
        return f"{self.root}/{path}"

    @property
    def query(self) -> dict[str, str | int | bool]:
        """The query every request carries (``api-version``; nothing with v3.2 paths)."""
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

    def model_ref(self, ref: Ref) -> dict[str, str]:
        """A base model's or a custom model's reference (base model URLs kept as given)."""
        if isinstance(ref, str) and "/models/base/" in ref:
            return {"self": ref}
        if isinstance(ref, SpeechBaseModel):
            return self.self_ref("models/base", ref)
        return self.self_ref("models", ref)

    def create(self, cls: type[E], collection: str, body: dict[str, Any]) -> E:
        """POST a new entity to a collection."""
        response = self.http.request("POST", self.url(collection), params=self.query, json=body)
        return cls.model_validate(decode_json(response))

    def get(self, cls: type[E], collection: str, ref: Ref) -> E:
        """GET one entity."""
        return cls.model_validate(self.http.get_json(self.entity_url(collection, ref), self.query))

    def list(
        self, cls: type[E], collection: str, filter: str | None, url: str | None = None
    ) -> list[E]:
        """GET every page of a collection (or of ``url``)."""
        params = {**self.query, **({"filter": filter} if filter else {})}
        items = self.http.iter_pages(
            url or self.url(collection), params=params, item_key="values", next_key="@nextLink"
        )
        return [cls.model_validate(item) for item in items]

    def list_files(
        self, collection: str, ref: Ref, params: dict[str, str | int | bool]
    ) -> builtins.list[DatasetFile]:
        """Every page of the ``files`` of an entity (a dataset's, a transcription's)."""
        items = self.http.iter_pages(
            self.entity_url(collection, ref) + "/files",
            params=params,
            item_key="values",
            next_key="@nextLink",
        )
        return [DatasetFile.model_validate(item) for item in items]

    def get_file(self, collection: str, ref: Ref, file_id: str) -> DatasetFile:
        """One file of an entity."""
        url = self.entity_url(collection, ref) + "/files/" + quote(file_id, safe="")
        return DatasetFile.model_validate(self.http.get_json(url, self.query))

    def read_json(self, url: str, what: str) -> Any:
        """The JSON at a file's content URL (``what`` names it in the error if it is not JSON).

        The content URL is usually a storage SAS URL: credentials go only to our own endpoint.
        """
        response = self.http.request("GET", url, authenticate=self.http.is_own_origin(url))
        try:
            return response.json()
        except (ValueError, UnicodeDecodeError):
            raise SpeechError(f"{what} at {redact_url(url)} is not JSON") from None

    def update(self, cls: type[E], collection: str, ref: Ref, body: dict[str, Any]) -> E:
        """PATCH camelCase fields of an entity (``None`` values left out)."""
        response = self.http.request(
            "PATCH", self.entity_url(collection, ref), params=self.query, json=without_none(body)
        )
        return cls.model_validate(decode_json(response))

    def delete(self, collection: str, ref: Ref, missing_ok: bool) -> bool:
        """DELETE an entity; False if it did not exist and ``missing_ok``."""
        try:
            self.http.request("DELETE", self.entity_url(collection, ref), params=self.query)
        except NotFoundError:
            if not missing_ok:
                raise
            return False
        return True

    def get_or_create(
        self,
        cls: type[E],
        collection: str,
        create: Callable[..., E],
        display_name: str,
        content_hash: str,
        arguments: dict[str, Any],
        **match: str,
    ) -> tuple[E, bool]:
        """The newest entity with this displayName and content hash (not Failed), else a new one.

        Only entities of the same project match (``arguments["project_url"]``; without one,
        only entities of no project): the same data under another project is another entity.
        A new one is ``create(display_name=..., **arguments)`` with the hash and the project id
        added to the ``custom_properties`` argument. ``match`` narrows the lookup to entities
        whose fields equal these values.

        Returns:
            ``(entity, created)``.
        """
        project_ref = arguments.get("project_url")
        project = self.entity_id("projects", project_ref) if project_ref else None
        existing = self._find(cls, collection, display_name, content_hash, project, **match)
        if existing is not None:
            return existing, False
        properties = {
            **(arguments.get("custom_properties") or {}),
            CONTENT_HASH_PROPERTY: content_hash,
            **({PROJECT_PROPERTY: project} if project else {}),
        }
        return create(
            display_name=display_name, **{**arguments, "custom_properties": properties}
        ), True

    def entity_id(self, collection: str, ref: Ref) -> str:
        """The id of an entity given by ``self`` URL, entity or id."""
        return self.entity_url(collection, ref).rsplit("/", 1)[-1]

    def project_of(self, item: SpeechEntity) -> str | None:
        """The id of the project ``item`` belongs to: its ``project`` reference, else ours."""
        if item.project is not None and item.project.self_url:
            return self.entity_id("projects", item.project.self_url)
        return (item.custom_properties or {}).get(PROJECT_PROPERTY)

    def _find(
        self,
        cls: type[E],
        collection: str,
        display_name: str,
        content_hash: str,
        project: str | None,
        **match: str,
    ) -> E | None:
        found = [
            item
            for item in self.list(cls, collection, f"displayName eq {odata_quote(display_name)}")
            if item.display_name == display_name
            and (item.custom_properties or {}).get(CONTENT_HASH_PROPERTY) == content_hash
            and self.project_of(item) == project
            and item.status is not Status.FAILED  # a failed one is retried with a new entity
            and all(str(getattr(item, k, None)) == v for k, v in match.items())
        ]
        found.sort(key=lambda item: str(item.created_date_time or ""))
        return found[-1] if found else None

    def v32_only(self, what: str, value: object) -> None:
        """Raise a usage error if ``value`` is given with the 2025-10-15 API."""
        if value is not None and not self.legacy:
            raise SpeechUsageError(
                f"{what} exists only in Speech to text v3.2; with api-version {self.api_version} "
                "leave it out (or set SPEECHFLOWS_SPEECH_SPEECH_TO_TEXT_API_VERSION=v3.2)"
            )


class EntityGroup(OperationGroup[SpeechToTextCore], Generic[E]):
    """The get, list and delete of one collection: a subclass names its ``entity`` and
    ``collection`` (and joins the operationIds quoted below)."""

    entity: type[E]
    collection: str

    def get(self, ref: Ref) -> E:
        """Get one entity (``properties`` hold its counts, error, word error rates...)."""
        # operationId: Projects_Get
        # operationId: Datasets_Get
        # operationId: Models_GetCustomModel
        # operationId: Evaluations_Get
        # operationId: Endpoints_Get
        # operationId: Transcriptions_Get
        return self.core.get(self.entity, self.collection, ref)

    def list(self, filter: str | None = None) -> builtins.list[E]:
        """List the entities (every page), e.g. ``filter="displayName eq 'faq'"``."""
        # operationId: Projects_List
        # operationId: Datasets_List
        # operationId: Models_ListCustomModels
        # operationId: Evaluations_List
        # operationId: Endpoints_List
        # operationId: Transcriptions_List
        return self.core.list(self.entity, self.collection, filter)

    def delete(self, ref: Ref, *, missing_ok: bool = True) -> bool:
        """Delete an entity. False if it did not exist."""
        # operationId: Projects_Delete
        # operationId: Datasets_Delete
        # operationId: Models_Delete
        # operationId: Evaluations_Delete
        # operationId: Endpoints_Delete
        # operationId: Transcriptions_Delete
        return self.core.delete(self.collection, ref, missing_ok)


class UpdatableGroup(EntityGroup[E]):
    """An :class:`EntityGroup` whose entities take a PATCH."""

    def update(self, ref: Ref, **fields: Any) -> E:
        """Update camelCase fields such as ``displayName``, ``description``, ``customProperties``
        (an endpoint's ``model`` swaps the deployed model: :meth:`Endpoints.set_model`)."""
        # operationId: Projects_Update
        # operationId: Datasets_Update
        # operationId: Models_Update
        # operationId: Evaluations_Update
        # operationId: Endpoints_Update
        return self.core.update(self.entity, self.collection, ref, fields)


class GetOrCreateGroup(EntityGroup[E]):
    """An :class:`EntityGroup` whose ``create`` a re-run finds again by displayName and content
    hash (:meth:`SpeechToTextCore.get_or_create`)."""

    create: Callable[..., E]

    def get_or_create(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[E, bool]:
        """Like ``datasets.get_or_create``, for :meth:`create` arguments: ``(entity, created)``."""
        return self.core.get_or_create(
            self.entity, self.collection, self.create, display_name, content_hash, create
        )
