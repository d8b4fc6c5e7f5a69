"""Speech to text custom models (``client.models``): ``Models_*`` operations on custom models.

Base models are in :mod:`.base_models`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from speechflows.speech.connection import OperationGroup
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import CustomSpeechModel
from speechflows.speech.speech_to_text.core import Ref, SpeechToTextCore


class Models(OperationGroup[SpeechToTextCore]):
    """Custom models trained from a base model and datasets."""

    def create(
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
        self.core.v32_only("text", text)
        ref = self.core.self_ref
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "baseModel": ref("models/base", base_model_url),
                "datasets": [ref("datasets", d) for d in dataset_urls],
                "project": ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
                "text": text,
                "properties": {"customModelWeightPercent": custom_model_weight_percent}
                if custom_model_weight_percent is not None
                else None,
            }
        )
        # operationId: Models_Create
        return self.core.create(CustomSpeechModel, "models", body)

    def get_or_create(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[CustomSpeechModel, bool]:
        """Like ``datasets.get_or_create``, for :meth:`create` arguments."""
        return self.core.get_or_create(
            CustomSpeechModel, "models", self.create, display_name, content_hash, create
        )

    def get(self, model: Ref) -> CustomSpeechModel:
        """Get a custom model."""
        # operationId: Models_GetCustomModel
        return self.core.get(CustomSpeechModel, "models", model)

    def list(self, filter: str | None = None) -> list[CustomSpeechModel]:
        """List custom models."""
        # operationId: Models_ListCustomModels
        return self.core.list(CustomSpeechModel, "models", filter)

    def update(self, model: Ref, **fields: Any) -> CustomSpeechModel:
        """Update camelCase fields of a custom model."""
        # operationId: Models_Update
        return self.core.update(CustomSpeechModel, "models", model, fields)

    def delete(self, model: Ref, *, missing_ok: bool = True) -> bool:
        """Delete a custom model. False if it did not exist."""
        # operationId: Models_Delete
        return self.core.delete("models", model, missing_ok)
