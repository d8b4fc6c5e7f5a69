"""Speech to text (custom speech) client: projects, datasets, models, evaluations, endpoints.

Two API styles, chosen by ``settings.speech_to_text_api_version``: ``2025-10-15`` (default;
``{endpoint}/speechtotext/...?api-version=2025-10-15``) and legacy ``v3.2``
(``{endpoint}/speechtotext/v3.2/...``). Ids are server-assigned UUIDs and entities reference each
other by ``self`` URL, so every method takes a ``self`` URL or a bare id.

Creates are POSTs that are never retried by the HTTP layer (a retry could duplicate). For
idempotent re-runs use the ``get_or_create_*`` methods: they look an entity up by displayName plus a
content hash kept in ``customProperties["speechflowsContentHash"]`` before creating it.

Layout: :mod:`.speech_to_text_base` (plumbing, locales, projects) → :mod:`.speech_to_text_datasets`
(datasets) → this module (base and custom models, evaluations, endpoints).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from speechflows.speech.client_base import without_none
from speechflows.speech.models import (
    CustomSpeechModel,
    Evaluation,
    SpeechBaseModel,
    SpeechEndpoint,
)
from speechflows.speech.speech_to_text_base import (
    CONTENT_HASH_PROPERTY,
    MAX_BLOCK_BYTES,
    Ref,
    SpeechToTextBase,
    odata_quote,
)
from speechflows.speech.speech_to_text_datasets import SpeechToTextDatasets

__all__ = [
    "CONTENT_HASH_PROPERTY",
    "MAX_BLOCK_BYTES",
    "CustomSpeechClient",
    "SpeechToTextBase",
    "odata_quote",
]


class CustomSpeechClient(SpeechToTextDatasets):
    """Typed client of the Speech to text REST API (custom speech part).

    Projects and datasets come from the base classes; models, evaluations and endpoints are here.

    Example:
        >>> with CustomSpeechClient(settings) as stt:  # doctest: +SKIP
        ...     ds, created = stt.get_or_create_dataset(kind="Language", locale="en-US",
        ...         display_name="faq", content_url=sas_url, content_hash=manifest.hash)
    """

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
        body = without_none(
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

        body = without_none(
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
        body = without_none(
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
