"""Speech to text evaluations (``client.evaluations``): ``Evaluations_*`` operations."""

from __future__ import annotations

from speechflows.speech.http import without_none
from speechflows.speech.schemas.speech_to_text import Evaluation
from speechflows.speech.speech_to_text.core import GetOrCreateGroup, Ref, UpdatableGroup


class Evaluations(UpdatableGroup[Evaluation], GetOrCreateGroup[Evaluation]):
    """Comparisons of two models (base or custom) on a test dataset; ``get`` shows the word
    error rates (``properties.word_error_rate1/2``)."""

    entity = Evaluation
    collection = "evaluations"

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
                "model1": self.core.model_ref(model1_url),
                "model2": self.core.model_ref(model2_url),
                "dataset": self.core.self_ref("datasets", dataset_url),
                "project": self.core.self_ref("projects", project_url) if project_url else None,
                "customProperties": custom_properties,
            }
        )
        # operationId: Evaluations_Create
        return self.core.create(Evaluation, "evaluations", body)
