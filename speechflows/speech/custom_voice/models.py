"""Custom Voice voice models (``client.models``): ``Models_*`` operations, training recipes too."""

from __future__ import annotations

from collections.abc import Sequence

from speechflows.speech.custom_voice.core import ResourceGroup, check_resource_id
from speechflows.speech.http import without_none
from speechflows.speech.schemas.custom_voice import Accepted, Model, Recipe


class Models(ResourceGroup[Model]):
    """Professional-voice models: training recipes, training, lookup and deletion."""

    model = Model
    collection = "models"

    def list_recipes(self) -> list[Recipe]:
        """Training recipes and their minimums (a bare array before 2026-01-01, paged since)."""
        # operationId: Models_ListRecipes
        return self.core.list(Recipe, "modelrecipes", None)

    def create(
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
        properties = without_none(
            {
                "presetStyles": list(preset_styles) if preset_styles else None,
                "styleTrainingSetIds": style_training_set_ids,
            }
        )
        body = without_none(
            {
                "voiceName": voice_name,
                "description": description,
                "displayName": display_name,
                "recipe": without_none({"kind": recipe_kind, "version": recipe_version}),
                "locale": locale,
                "projectId": project_id,
                "consentId": consent_id,
                "trainingSetId": training_set_id,
                "properties": properties or None,
            }
        )
        url = self.core.url("models", model_id)
        fallback = Model.model_validate({"id": model_id, **body})
        # operationId: Models_Create
        return self.core.start("PUT", url, fallback, operation_id, json=body)
