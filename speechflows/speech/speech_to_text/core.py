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

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

from speechflows.redaction import redact_url
from speechflows.speech.errors import NotFoundError, SpeechUsageError
from speechflows.speech.http import SpeechHTTP, decode_json, without_none
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.speech_to_text import SpeechEntity

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
