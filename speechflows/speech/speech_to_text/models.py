"""Speech to text custom models (``client.models``): ``Models_*`` operations on custom models.

Base models are in :mod:`.base_models`.
"""

from __future__ import annotations

from collections.abc import Sequence

from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import CustomSpeechModel
from speechflows.speech.speech_to_text.core import GetOrCreateGroup, Ref, UpdatableGroup


class Models(UpdatableGroup[CustomSpeechModel], GetOrCreateGroup[CustomSpeechModel]):
    """Custom models trained from a base model and datasets."""

    entity = CustomSpeechModel
    collection = "models"

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
