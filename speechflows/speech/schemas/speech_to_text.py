"""Pydantic schemas of the Speech to text API: projects, datasets, models, evaluations, endpoints.

The conventions are described in :mod:`speechflows.speech.schemas.common`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from speechflows.speech.schemas.common import (
    ApiModel,
    CaseInsensitiveEnum,
    SecretUrl,
    StatusResource,
)


class SpeechDatasetKind(CaseInsensitiveEnum):
    """Kind of a Speech to text dataset."""

    LANGUAGE = "Language"
    ACOUSTIC = "Acoustic"
    PRONUNCIATION = "Pronunciation"
    AUDIO_FILES = "AudioFiles"
    LANGUAGE_MARKDOWN = "LanguageMarkdown"
    OUTPUT_FORMATTING = "OutputFormatting"


class EntityReference(ApiModel):
    """A reference to another entity by its ``self`` URL."""

    self_url: str = Field(alias="self")


class EntityError(ApiModel):
    """Why an entity failed."""

    code: str | None = None
    message: str | None = None


class SpeechEntity(StatusResource):
    """Common fields of Speech to text entities (ids are in the ``self`` URL)."""

    self_url: str | None = Field(default=None, alias="self")
    display_name: str | None = None
    description: str | None = None
    locale: str | None = None
    custom_properties: dict[str, str] | None = None
    project: EntityReference | None = None
    links: dict[str, SecretUrl] | None = None

    @property
    def id(self) -> str:
        """The server-assigned id (last segment of ``self``)."""
        return self.resource_id


class SpeechProject(SpeechEntity):
    """A Speech to text project (v3.2; back in 2025-10-15 with ``foundryProjectName``)."""

    foundry_project_name: str | None = None


class DatasetProperties(ApiModel):
    """What the service found in a dataset."""

    accepted_line_count: int | None = None
    rejected_line_count: int | None = None
    duration_milliseconds: int | None = None
    duration: str | None = None
    text_normalization_kind: str | None = None
    error: EntityError | None = None


class Dataset(SpeechEntity):
    """A Speech to text dataset."""

    kind: SpeechDatasetKind | str | None = None
    content_url: SecretUrl | None = None
    properties: DatasetProperties | None = None


class FileLinks(ApiModel):
    """Links of a file."""

    content_url: SecretUrl | None = None


class FileProperties(ApiModel):
    """Size and duration of a file."""

    size: int | None = None
    duration_milliseconds: int | None = None
    duration: str | None = None


class DatasetFile(ApiModel):
    """A file of a dataset, model or evaluation (``DatasetReport`` = ``report.json``)."""

    self_url: str | None = Field(default=None, alias="self")
    name: str | None = None
    kind: str | None = None
    links: FileLinks | None = None
    properties: FileProperties | None = None
    created_date_time: datetime | None = None


class ResponseBlock(ApiModel):
    """An uploaded block."""

    name: str | None = None
    size: int | None = None


class UploadedBlocks(ApiModel):
    """Blocks uploaded to a dataset."""

    committed_blocks: list[ResponseBlock] = Field(default_factory=list)
    uncommitted_blocks: list[ResponseBlock] = Field(default_factory=list)


class ModelFeatures(ApiModel):
    """What a Speech to text model supports."""

    supports_adaptations_with: list[str] | None = None
    supports_transcriptions: bool | None = None
    supports_endpoints: bool | None = None


class SpeechModelProperties(ApiModel):
    """Properties of base and custom Speech to text models."""

    deprecation_dates: dict[str, Any] | None = None
    features: ModelFeatures | None = None
    custom_model_weight_percent: int | None = None
    charge_for_adaptation: bool | None = None
    error: EntityError | None = None


class SpeechBaseModel(SpeechEntity):
    """A Speech to text base model."""

    properties: SpeechModelProperties | None = None


class CustomSpeechModel(SpeechEntity):
    """A custom Speech to text model."""

    base_model: EntityReference | None = None
    datasets: list[EntityReference] | None = None
    text: str | None = None
    properties: SpeechModelProperties | None = None


class EvaluationProperties(ApiModel):
    """Error rates of the two models compared by an evaluation."""

    word_error_rate1: float | None = None
    word_error_rate2: float | None = None
    sentence_error_rate1: float | None = None
    sentence_error_rate2: float | None = None
    token_error_rate1: float | None = None
    token_error_rate2: float | None = None
    sentence_count1: int | None = None
    sentence_count2: int | None = None
    word_count1: int | None = None
    word_count2: int | None = None
    correct_word_count1: int | None = None
    correct_word_count2: int | None = None
    word_substitution_count1: int | None = None
    word_substitution_count2: int | None = None
    word_deletion_count1: int | None = None
    word_deletion_count2: int | None = None
    word_insertion_count1: int | None = None
    word_insertion_count2: int | None = None
    token_count1: int | None = None
    token_count2: int | None = None
    correct_token_count1: int | None = None
    correct_token_count2: int | None = None
    token_substitution_count1: int | None = None
    token_substitution_count2: int | None = None
    token_deletion_count1: int | None = None
    token_deletion_count2: int | None = None
    token_insertion_count1: int | None = None
    token_insertion_count2: int | None = None
    error: EntityError | None = None


class Evaluation(SpeechEntity):
    """An evaluation of model2 against model1 on a dataset."""

    model1: EntityReference | None = None
    model2: EntityReference | None = None
    dataset: EntityReference | None = None
    transcription1: EntityReference | None = None
    transcription2: EntityReference | None = None
    properties: EvaluationProperties | None = None


class SpeechEndpointProperties(ApiModel):
    """Endpoint options and failure."""

    logging_enabled: bool | None = None
    time_to_live: str | None = None
    error: EntityError | None = None


class SpeechEndpoint(SpeechEntity):
    """A custom Speech to text endpoint."""

    model: EntityReference | None = None
    text: str | None = None
    properties: SpeechEndpointProperties | None = None


class TranscriptionProperties(ApiModel):
    """Batch transcription options, duration and failure."""

    word_level_timestamps_enabled: bool | None = None
    punctuation_mode: str | None = None
    profanity_filter_mode: str | None = None
    time_to_live_hours: int | None = None
    duration_milliseconds: int | None = None
    duration: str | None = None
    error: EntityError | None = None


class Transcription(SpeechEntity):
    """A batch transcription (``Transcriptions_Submit`` / v3.2 ``Transcriptions_Create``)."""

    model: EntityReference | None = None
    properties: TranscriptionProperties | None = None
