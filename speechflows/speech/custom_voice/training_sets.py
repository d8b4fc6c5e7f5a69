"""Custom Voice training sets (``client.training_sets``): ``TrainingSets_*`` operations."""

from __future__ import annotations

from speechflows.speech.custom_voice.core import ResourceGroup, check_resource_id
from speechflows.speech.errors import SpeechUsageError
from speechflows.speech.http import decode_json, without_none
from speechflows.speech.schemas.custom_voice import (
    AzureBlobContentSource,
    OperationRef,
    TrainingSet,
)


class TrainingSets(ResourceGroup[TrainingSet]):
    """Professional-voice training sets and the import of their audio and scripts
    (``properties.utterance_count`` once processed)."""

    model = TrainingSet
    collection = "trainingsets"

    def create(
        self,
        training_set_id: str,
        *,
        project_id: str,
        locale: str,
        voice_kind: str,
        description: str | None = None,
        display_name: str | None = None,
    ) -> TrainingSet:
        """Create (or re-put) a training set. ``voice_kind`` (Male/Female) cannot change later."""
        check_resource_id(training_set_id, "training set id")
        body = without_none(
            {
                "projectId": project_id,
                "locale": locale,
                "voiceKind": str(voice_kind),
                "description": description,
                "displayName": display_name,
            }
        )
        # operationId: TrainingSets_Create
        response = self.core.http.request(
            "PUT",
            self.core.url("trainingsets", training_set_id),
            params=self.core.query,
            json=body,
        )
        return TrainingSet.model_validate(decode_json(response))

    def upload(
        self,
        training_set_id: str,
        *,
        kind: str,
        audios: AzureBlobContentSource,
        scripts: AzureBlobContentSource | None,
        process_as: str | None = None,
        display_name: str | None = None,
        operation_id: str | None = None,
    ) -> OperationRef:
        """Import audio (and scripts) from blob containers into a training set (202 + operation)."""
        check_resource_id(training_set_id, "training set id")
        if scripts is None and str(kind) in ("AudioAndScript", "LongAudio"):
            raise SpeechUsageError(f"training_sets.upload: kind {kind} needs scripts")
        self.core.ga_only("process_as", process_as)
        body = without_none(
            {
                "kind": str(kind),
                "displayName": display_name,
                "processAs": str(process_as) if process_as else None,
                "audios": audios.to_api(),
                "scripts": scripts.to_api() if scripts else None,
            }
        )
        url = self.core.url("trainingsets", training_set_id, ":upload")
        # operationId: TrainingSets_UploadData
        return self.core.start(
            "POST", url, TrainingSet(id=training_set_id), operation_id, json=body
        ).operation
