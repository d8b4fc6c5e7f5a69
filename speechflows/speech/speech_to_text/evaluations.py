"""Speech to text evaluations (``client.evaluations``): ``Evaluations_*`` operations."""

from __future__ import annotations

from typing import Any

from speechflows.speech.connection import OperationGroup
from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import Evaluation, SpeechBaseModel
from speechflows.speech.speech_to_text.core import Ref, SpeechToTextCore


class Evaluations(OperationGroup[SpeechToTextCore]):
    """Comparisons of two models (base or custom) on a test dataset."""

    def create(
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
        body = without_none(
            {
                "displayName": display_name,
                "locale": locale,
                "description": description,
                "model1": self._model_ref(model1_url),
                "model2": self._model_ref(model2_url),
                "dataset": self.core.self_ref("datasets", dataset_url),
                "project": self.core.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
            }
        )
        # operationId: Evaluations_Create
        return self.core.create(Evaluation, "evaluations", body)

    def get_or_create(
        self, *, display_name: str, content_hash: str, **create: Any
    ) -> tuple[Evaluation, bool]:
        """Like ``datasets.get_or_create``, for :meth:`create` arguments."""
        return self.core.get_or_create(
            Evaluation, "evaluations", self.create, display_name, content_hash, create
        )

    def get(self, evaluation: Ref) -> Evaluation:
        """Get an evaluation (``properties.word_error_rate1/2``)."""
        # operationId: Evaluations_Get
        return self.core.get(Evaluation, "evaluations", evaluation)

    def list(self, filter: str | None = None) -> list[Evaluation]:
        """List evaluations."""
        # operationId: Evaluations_List
        return self.core.list(Evaluation, "evaluations", filter)

    def update(self, evaluation: Ref, **fields: Any) -> Evaluation:
        """Update camelCase fields of an evaluation."""
        # operationId: Evaluations_Update
        return self.core.update(Evaluation, "evaluations", evaluation, fields)

    def delete(self, evaluation: Ref, *, missing_ok: bool = True) -> bool:
        """Delete an evaluation. False if it did not exist."""
        # operationId: Evaluations_Delete
        return self.core.delete("evaluations", evaluation, missing_ok)

    def _model_ref(self, ref: Ref) -> dict[str, str]:
        """A base model's or a custom model's reference (base model URLs kept as given)."""
        if isinstance(ref, str) and "/models/base/" in ref:
            return {"self": ref}
        if isinstance(ref, SpeechBaseModel):
            return self.core.self_ref("models/base", ref)
        return self.core.self_ref("models", ref)
