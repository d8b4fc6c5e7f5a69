"""Speech to text (custom speech) client: projects, datasets, models, evaluations, endpoints.

Two API styles, chosen by ``settings.speech_to_text_api_version``: ``2025-10-15`` (default;
``{endpoint}/speechtotext/...?api-version=2025-10-15``) and legacy ``v3.2``
(``{endpoint}/speechtotext/v3.2/...``). Ids are server-assigned UUIDs and entities reference each
other by ``self`` URL, so every method takes a ``self`` URL or a bare id.

Creates are POSTs that are never retried by the HTTP layer (a retry could duplicate). For
idempotent re-runs use the ``get_or_create_*`` methods: they look an entity up by displayName plus a
content hash kept in ``customProperties["speechflowsContentHash"]`` before creating it.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx

from speechflows.redaction import redact_url
from speechflows.settings import SpeechSettings
from speechflows.speech.errors import NotFoundError, SpeechError, SpeechUsageError
from speechflows.speech.http import FileSpec, RetryPolicy, SpeechHTTP, TokenCredential, decode_json
from speechflows.speech.models import (
    CustomSpeechModel,
    Dataset,
    DatasetFile,
    Evaluation,
    SpeechBaseModel,
    SpeechEndpoint,
    SpeechEntity,
    SpeechProject,
    Status,
    UploadedBlocks,
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


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class CustomSpeechClient:
    """Typed client of the Speech to text REST API (custom speech part).

    Example:
        >>> with CustomSpeechClient(settings) as stt:  # doctest: +SKIP
        ...     ds, created = stt.get_or_create_dataset(kind="Language", locale="en-US",
        ...         display_name="faq", content_url=sas_url, content_hash=manifest.hash)
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
        self.api_version = settings.speech_to_text_api_version
        self.legacy = settings.speech_to_text_legacy_paths
        self.http = SpeechHTTP(
            settings, transport=transport, credential=credential, retry=retry, sleep=sleep, clock=clock
        )

    def __enter__(self) -> CustomSpeechClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def __repr__(self) -> str:
        return f"CustomSpeechClient({self.http.base_url!r}, api_version={self.api_version!r})"

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
            "PATCH", self.entity_url(collection, ref), params=self._q, json=_drop_none(body)
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

    def get_supported_locales(self, collection: str = "datasets") -> dict[str, list[str]] | list[str]:
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
        body = _drop_none(
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

    # -- datasets -----------------------------------------------------------------------------

    def create_dataset(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        content_url: str | None,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        text_normalization_kind: str | None = None,
    ) -> Dataset:
        """Create a dataset from ``content_url`` (a SAS URL), or, with ``None``, for block upload."""
        body = _drop_none(
            {
                "kind": str(kind),
                "locale": locale,
                "displayName": display_name,
                "description": description,
                "contentUrl": content_url,
                "customProperties": custom_properties,
                "project": self.self_ref("projects", project_url) if project_url else None,
                "properties": {"textNormalizationKind": str(text_normalization_kind)}
                if text_normalization_kind
                else None,
            }
        )
        # operationId: Datasets_Create
        return self._create(Dataset, "datasets", body)

    def get_or_create_dataset(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        content_url: str | None,
        content_hash: str,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        text_normalization_kind: str | None = None,
    ) -> tuple[Dataset, bool]:
        """The dataset with this displayName and content hash (not Failed), else a new one.

        Returns:
            ``(dataset, created)``.
        """
        existing = self._find(
            Dataset, "datasets", display_name, content_hash, kind=str(kind), locale=locale
        )
        if existing is not None:
            return existing, False
        created = self.create_dataset(
            kind=kind, locale=locale, display_name=display_name, content_url=content_url,
            description=description, project_url=project_url,
            custom_properties=self._with_hash(custom_properties, content_hash),
            text_normalization_kind=text_normalization_kind,
        )
        return created, True

    def upload_dataset(
        self,
        *,
        kind: str,
        locale: str,
        display_name: str,
        file: Path,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
    ) -> Dataset:
        """v3.2 only: create a dataset by uploading ``file`` (multipart ``/datasets/upload``)."""
        if not self.legacy:
            raise SpeechUsageError(
                f"/datasets/upload was removed after v3.2 (api-version {self.api_version}); use "
                "create_dataset with a content_url, or block upload (upload_dataset_content)"
            )
        fields = _drop_none(
            {
                "kind": str(kind),
                "locale": locale,
                "displayName": display_name,
                "description": description,
                "project": self.self_ref("projects", project_url)["self"] if project_url else None,
                "customProperties": json.dumps(custom_properties) if custom_properties else None,
            }
        )
        with open(file, "rb") as handle:
            files: list[FileSpec] = [("data", (file.name, handle, "application/octet-stream"))]
            # operationId: Datasets_Upload
            response = self.http.request(
                "POST", self.url("datasets/upload"), params=self._q, data=fields, files=files
            )
        return Dataset.model_validate(decode_json(response))

    def get_dataset(self, dataset: Ref) -> Dataset:
        """Get a dataset (``properties`` hold accepted/rejected counts and any error)."""
        # operationId: Datasets_Get
        return self._get(Dataset, "datasets", dataset)

    def list_datasets(self, filter: str | None = None) -> list[Dataset]:
        """List datasets, e.g. ``filter="displayName eq 'faq'"``."""
        # operationId: Datasets_List
        return self._list(Dataset, "datasets", filter)

    def update_dataset(self, dataset: Ref, **fields: Any) -> Dataset:
        """Update camelCase fields ``displayName``, ``description``, ``customProperties``, ``project``."""
        # operationId: Datasets_Update
        return self._update(Dataset, "datasets", dataset, fields)

    def delete_dataset(self, dataset: Ref, *, missing_ok: bool = True) -> bool:
        """Delete a dataset. False if it did not exist."""
        # operationId: Datasets_Delete
        return self._delete("datasets", dataset, missing_ok)

    def upload_dataset_block(self, dataset: Ref, block_id: str, data: bytes) -> None:
        """Upload one block (at most 8 MiB) of a dataset created without ``content_url``."""
        if len(data) > MAX_BLOCK_BYTES:
            raise SpeechUsageError(f"a block holds at most {MAX_BLOCK_BYTES} bytes, got {len(data)}")
        # operationId: Datasets_UploadBlock
        self.http.request(
            "PUT", self.entity_url("datasets", dataset) + "/blocks",
            params={**self._q, "blockid": block_id}, content=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def get_dataset_blocks(self, dataset: Ref) -> UploadedBlocks:
        """The committed and uncommitted blocks of a dataset."""
        # operationId: Datasets_GetBlocks
        body = self.http.get_json(self.entity_url("datasets", dataset) + "/blocks", self._q)
        return UploadedBlocks.model_validate(body)

    def commit_dataset_blocks(
        self, dataset: Ref, block_ids: Sequence[str], *, kind: str = "Uncommitted"
    ) -> None:
        """Commit the blocks in order; the import starts."""
        body = [{"kind": kind, "id": block_id} for block_id in block_ids]
        # operationId: Datasets_CommitBlocks
        self.http.request(
            "POST", self.entity_url("datasets", dataset) + "/blocks:commit", params=self._q, json=body
        )

    def upload_dataset_content(
        self, dataset: Ref, path: Path, *, block_size: int = 4 * 1024 * 1024
    ) -> list[str]:
        """Upload ``path`` in blocks and commit them; blocks already uploaded are skipped.

        Returns:
            The committed block ids.
        """
        if not 0 < block_size <= MAX_BLOCK_BYTES:
            raise SpeechUsageError(f"block_size must be between 1 and {MAX_BLOCK_BYTES}")
        present = {
            (b.name, b.size) for b in self.get_dataset_blocks(dataset).uncommitted_blocks
        }
        ids: list[str] = []
        with open(path, "rb") as handle:
            index = 0
            while chunk := handle.read(block_size):
                # Equal-length ids, as the service requires.
                block_id = base64.b64encode(f"{index:08d}".encode()).decode()
                if (block_id, len(chunk)) not in present:
                    self.upload_dataset_block(dataset, block_id, chunk)
                ids.append(block_id)
                index += 1
        self.commit_dataset_blocks(dataset, ids)
        return ids

    def list_dataset_files(
        self, dataset: Ref, *, filter: str | None = None, sas_lifetime_minutes: int | None = None
    ) -> list[DatasetFile]:
        """Files of a dataset (``kind`` DatasetReport, LanguageData, AcousticDataArchive, ...)."""
        params: dict[str, str | int | bool] = {**self._q, **({"filter": filter} if filter else {})}
        if sas_lifetime_minutes is not None:
            if self.legacy:
                params["sasValidityInSeconds"] = sas_lifetime_minutes * 60
            else:
                params["sasLifetimeMinutes"] = sas_lifetime_minutes
        # operationId: Datasets_ListFiles
        items = self.http.iter_pages(
            self.entity_url("datasets", dataset) + "/files",
            params=params, item_key="values", next_key="@nextLink",
        )
        return [DatasetFile.model_validate(item) for item in items]

    def get_dataset_file(self, dataset: Ref, file_id: str) -> DatasetFile:
        """One file of a dataset."""
        # operationId: Datasets_GetFile
        url = self.entity_url("datasets", dataset) + "/files/" + quote(file_id, safe="")
        return DatasetFile.model_validate(self.http.get_json(url, self._q))

    def get_dataset_report(self, dataset: Ref) -> dict[str, Any] | None:
        """The dataset's validation report (``report.json``, undocumented schema), if any."""
        files = [
            f for f in self.list_dataset_files(dataset, filter="kind eq 'DatasetReport'")
            if (f.kind or "").lower() == "datasetreport"
        ]
        if not files or not files[0].links or not files[0].links.content_url:
            return None
        url = files[0].links.content_url
        # The content URL is usually a storage SAS URL: credentials go only to our own endpoint.
        response = self.http.request("GET", url, authenticate=self.http.is_own_origin(url))
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError):
            raise SpeechError(f"the dataset report at {redact_url(url)} is not JSON") from None
        return body if isinstance(body, dict) else {"items": body}

    # -- base and custom models ---------------------------------------------------------------

    def list_base_models(self, filter: str | None = None) -> list[SpeechBaseModel]:
        """Base models, e.g. ``filter="locale eq 'en-US'"``."""
        # operationId: Models_ListBaseModels
        return self._list(SpeechBaseModel, "models/base", filter)

    def get_base_model(self, base_model: Ref) -> SpeechBaseModel:
        """Get a base model."""
        # operationId: Models_GetBaseModel
        return self._get(SpeechBaseModel, "models/base", base_model)

    def create_model(
        self,
        *,
        display_name: str,
        locale: str,
        base_model_url: Ref,
        dataset_urls: Sequence[Ref],
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        custom_model_weight_percent: int | None = None,
        text: str | None = None,
    ) -> CustomSpeechModel:
        """Start training a custom model from a base model and datasets."""
        self._v32_only("text", text)
        body = _drop_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "baseModel": self.self_ref("models/base", base_model_url),
                "datasets": [self.self_ref("datasets", d) for d in dataset_urls],
                "project": self.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
                "text": text,
                "properties": {"customModelWeightPercent": custom_model_weight_percent}
                if custom_model_weight_percent is not None
                else None,
            }
        )
        # operationId: Models_Create
        return self._create(CustomSpeechModel, "models", body)

    def get_or_create_model(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[CustomSpeechModel, bool]:
        """Like :meth:`get_or_create_dataset`, for :meth:`create_model` arguments."""
        existing = self._find(CustomSpeechModel, "models", display_name, content_hash)
        if existing is not None:
            return existing, False
        create["custom_properties"] = self._with_hash(create.get("custom_properties"), content_hash)
        return self.create_model(display_name=display_name, **create), True

    def get_model(self, model: Ref) -> CustomSpeechModel:
        """Get a custom model."""
        # operationId: Models_GetCustomModel
        return self._get(CustomSpeechModel, "models", model)

    def list_models(self, filter: str | None = None) -> list[CustomSpeechModel]:
        """List custom models."""
        # operationId: Models_ListCustomModels
        return self._list(CustomSpeechModel, "models", filter)

    def update_model(self, model: Ref, **fields: Any) -> CustomSpeechModel:
        """Update camelCase fields of a custom model."""
        # operationId: Models_Update
        return self._update(CustomSpeechModel, "models", model, fields)

    def delete_model(self, model: Ref, *, missing_ok: bool = True) -> bool:
        """Delete a custom model. False if it did not exist."""
        # operationId: Models_Delete
        return self._delete("models", model, missing_ok)

    # -- evaluations --------------------------------------------------------------------------

    def create_evaluation(
        self,
        *,
        display_name: str,
        locale: str,
        model1_url: Ref,
        model2_url: Ref,
        dataset_url: Ref,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
    ) -> Evaluation:
        """Compare two models (base or custom) on a test dataset."""

        def model_ref(ref: Ref) -> dict[str, str]:
            if isinstance(ref, str) and "/models/base/" in ref:
                return {"self": ref}
            if isinstance(ref, SpeechBaseModel):
                return self.self_ref("models/base", ref)
            return self.self_ref("models", ref)

        body = _drop_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "model1": model_ref(model1_url),
                "model2": model_ref(model2_url),
                "dataset": self.self_ref("datasets", dataset_url),
                "project": self.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
            }
        )
        # operationId: Evaluations_Create
        return self._create(Evaluation, "evaluations", body)

    def get_or_create_evaluation(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[Evaluation, bool]:
        """Like :meth:`get_or_create_dataset`, for :meth:`create_evaluation` arguments."""
        existing = self._find(Evaluation, "evaluations", display_name, content_hash)
        if existing is not None:
            return existing, False
        create["custom_properties"] = self._with_hash(create.get("custom_properties"), content_hash)
        return self.create_evaluation(display_name=display_name, **create), True

    def get_evaluation(self, evaluation: Ref) -> Evaluation:
        """Get an evaluation (``properties.word_error_rate1/2``)."""
        # operationId: Evaluations_Get
        return self._get(Evaluation, "evaluations", evaluation)

    def list_evaluations(self, filter: str | None = None) -> list[Evaluation]:
        """List evaluations."""
        # operationId: Evaluations_List
        return self._list(Evaluation, "evaluations", filter)

    def update_evaluation(self, evaluation: Ref, **fields: Any) -> Evaluation:
        """Update camelCase fields of an evaluation."""
        # operationId: Evaluations_Update
        return self._update(Evaluation, "evaluations", evaluation, fields)

    def delete_evaluation(self, evaluation: Ref, *, missing_ok: bool = True) -> bool:
        """Delete an evaluation. False if it did not exist."""
        # operationId: Evaluations_Delete
        return self._delete("evaluations", evaluation, missing_ok)

    # -- endpoints ----------------------------------------------------------------------------

    def create_endpoint(
        self,
        *,
        display_name: str,
        locale: str,
        model_url: Ref,
        description: str | None = None,
        project_url: Ref | None = None,
        custom_properties: dict[str, str] | None = None,
        logging_enabled: bool | None = None,
    ) -> SpeechEndpoint:
        """Deploy a custom model to an endpoint."""
        body = _drop_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "model": self.self_ref("models", model_url),
                "project": self.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
                "properties": {"loggingEnabled": logging_enabled}
                if logging_enabled is not None
                else None,
            }
        )
        # operationId: Endpoints_Create
        return self._create(SpeechEndpoint, "endpoints", body)

    def get_or_create_endpoint(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[SpeechEndpoint, bool]:
        """Like :meth:`get_or_create_dataset`, for :meth:`create_endpoint` arguments."""
        existing = self._find(SpeechEndpoint, "endpoints", display_name, content_hash)
        if existing is not None:
            return existing, False
        create["custom_properties"] = self._with_hash(create.get("custom_properties"), content_hash)
        return self.create_endpoint(display_name=display_name, **create), True

    def get_endpoint(self, endpoint: Ref) -> SpeechEndpoint:
        """Get an endpoint."""
        # operationId: Endpoints_Get
        return self._get(SpeechEndpoint, "endpoints", endpoint)

    def list_endpoints(self, filter: str | None = None) -> list[SpeechEndpoint]:
        """List endpoints."""
        # operationId: Endpoints_List
        return self._list(SpeechEndpoint, "endpoints", filter)

    def update_endpoint(self, endpoint: Ref, **fields: Any) -> SpeechEndpoint:
        """Update camelCase fields of an endpoint (``model`` swaps the deployed model)."""
        # operationId: Endpoints_Update
        return self._update(SpeechEndpoint, "endpoints", endpoint, fields)

    def delete_endpoint(self, endpoint: Ref, *, missing_ok: bool = True) -> bool:
        """Delete an endpoint. False if it did not exist."""
        # operationId: Endpoints_Delete
        return self._delete("endpoints", endpoint, missing_ok)
