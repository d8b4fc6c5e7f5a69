"""Pydantic models of the Custom Voice and Speech to text resources.

Fields are snake_case with the API's camelCase as alias; unknown fields are kept (``extra``), so a
newer service version never breaks parsing. Statuses are enums compared case-insensitively.
URLs that may carry a SAS token (``audioUrl``, ``containerUrl``, ``contentUrl``) are redacted in
``repr``/``str`` and in ``model_dump`` unless the dump asks for ``context={"reveal": True}`` (only
the client does, to build a request body).

>>> Status("succeeded") is Status.SUCCEEDED
True
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, SerializationInfo, WrapSerializer
from pydantic.alias_generators import to_camel

from speechflows.redaction import redact_text, redact_url


def _secret_url(value: Any, handler: Any, info: SerializationInfo) -> Any:
    if isinstance(value, str) and not (info.context or {}).get("reveal"):
        return redact_url(value)
    return handler(value)


SecretUrl = Annotated[str, WrapSerializer(_secret_url)]
"""A URL that may carry a SAS token: redacted when dumped, except for requests."""


class _CaseInsensitive(StrEnum):
    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            for member in cls:
                if member.value.lower() == value.lower():
                    return member
        return None


class Status(_CaseInsensitive):
    """Resource and operation status (Custom Voice adds Disabling/Disabled for endpoints)."""

    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    DISABLING = "Disabling"
    DISABLED = "Disabled"

    @property
    def is_terminal(self) -> bool:
        """True for Succeeded, Failed and Disabled."""
        return self in (Status.SUCCEEDED, Status.FAILED, Status.DISABLED)


class ProjectKind(_CaseInsensitive):
    """Custom Voice project kind."""

    PROFESSIONAL_VOICE = "ProfessionalVoice"
    PERSONAL_VOICE = "PersonalVoice"


class VoiceKind(_CaseInsensitive):
    """Voice gender of a professional-voice training set."""

    MALE = "Male"
    FEMALE = "Female"


class TrainingDataKind(_CaseInsensitive):
    """Kind of data uploaded into a Custom Voice training set."""

    AUDIO_AND_SCRIPT = "AudioAndScript"
    LONG_AUDIO = "LongAudio"
    AUDIO_ONLY = "AudioOnly"


class SpeechDatasetKind(_CaseInsensitive):
    """Kind of a Speech to text dataset."""

    LANGUAGE = "Language"
    ACOUSTIC = "Acoustic"
    PRONUNCIATION = "Pronunciation"
    AUDIO_FILES = "AudioFiles"
    LANGUAGE_MARKDOWN = "LanguageMarkdown"
    OUTPUT_FORMATTING = "OutputFormatting"


class ApiModel(BaseModel):
    """Base of every model: camelCase aliases, unknown fields kept, secrets redacted in reprs."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        protected_namespaces=(),
    )

    def to_api(self) -> dict[str, Any]:
        """The JSON body for a request (aliases, no ``None``, secrets revealed)."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json", context={"reveal": True})

    def __repr__(self) -> str:
        return redact_text(super().__repr__())

    def __str__(self) -> str:
        return redact_text(super().__str__())


class StatusResource(ApiModel):
    """A resource with a status that moves to a terminal state."""

    status: Status | None = None
    created_date_time: datetime | None = None
    last_action_date_time: datetime | None = None

    @property
    def resource_id(self) -> str:
        """The resource's id (Custom Voice: chosen by the caller; Speech to text: from ``self``)."""
        # Read the stored fields: ``SpeechEntity.id`` is a property built on this one.
        value = self.__dict__.get("id") or self.__dict__.get("self_url") or ""
        return str(value).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]

    def failure(self) -> tuple[str | None, str | None]:
        """``(code, reason)`` the service gave for a ``Failed`` status."""
        props = getattr(self, "properties", None)
        error = getattr(props, "error", None)
        if error is not None:
            return error.code, error.message
        reason = getattr(props, "failure_reason", None)
        return (str(reason) if reason else None), None


# -- Custom Voice -----------------------------------------------------------------------------


class AzureBlobContentSource(ApiModel):
    """Files in a blob container: a container SAS URL (read + list), a prefix and extensions."""

    container_url: SecretUrl
    prefix: str | None = None
    extensions: list[str] = Field(default_factory=list)


class Project(ApiModel):
    """Custom Voice project."""

    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    kind: ProjectKind | str | None = None
    locale: str | None = None
    created_date_time: datetime | None = None


class FailureProperties(ApiModel):
    """``properties`` of consents, personal voices and models: why they failed."""

    failure_reason: str | None = None


class Consent(StatusResource):
    """A voice talent's recorded consent."""

    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    voice_talent_name: str | None = None
    company_name: str | None = None
    audio_url: SecretUrl | None = None
    locale: str | None = None
    project_id: str | None = None
    properties: FailureProperties | None = None


class TrainingSetProperties(ApiModel):
    """Counts the service computed for a training set."""

    utterance_count: int | None = None
    duration_in_seconds: float | None = None
    is_contextual: bool | None = None


class TrainingSet(StatusResource):
    """A professional-voice training set."""

    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    locale: str | None = None
    voice_kind: VoiceKind | str | None = None
    project_id: str | None = None
    properties: TrainingSetProperties | None = None


class PersonalVoice(StatusResource):
    """A personal voice; ``speaker_profile_id`` is what synthesis uses."""

    id: str | None = None
    speaker_profile_id: str | None = None
    display_name: str | None = None
    description: str | None = None
    project_id: str | None = None
    consent_id: str | None = None
    audios: AzureBlobContentSource | None = None
    properties: FailureProperties | None = None


class Recipe(ApiModel):
    """A model training recipe and its data minimums."""

    kind: str | None = None
    version: str | None = None
    description: str | None = None
    min_utterance_count: int | None = None
    min_style_utterance_count: int | None = None
    max_custom_style_num: int | None = None
    dataset_locales: list[str] | None = None
    model_locales: list[str] | None = None
    preset_styles: dict[str, Any] | None = None
    min_duration_in_seconds: float | None = None


class VoiceBaseModel(ApiModel):
    """A Custom Voice base model (e.g. ``PhoenixV2Neural`` for personal voice)."""

    name: str | None = None
    description: str | None = None
    release_date_time: datetime | None = None
    expiration_date_time: datetime | None = None
    capabilities: list[str] | None = None


class ModelProperties(FailureProperties):
    """Styles and failure details of a voice model."""

    preset_styles: list[str] | None = None
    style_training_set_ids: dict[str, str] | None = None
    voice_styles: list[str] | None = None
    failed_trainingsets: list[str] | None = None
    secondary_locales: list[str] | None = None


class Model(StatusResource):
    """A professional-voice model."""

    id: str | None = None
    voice_name: str | None = None
    display_name: str | None = None
    description: str | None = None
    recipe: Recipe | None = None
    locale: str | None = None
    project_id: str | None = None
    consent_id: str | None = None
    training_set_id: str | None = None
    engine_version: str | None = None
    properties: ModelProperties | None = None


class EndpointProperties(ApiModel):
    """Endpoint options."""

    kind: str | None = None


class Endpoint(StatusResource):
    """A Custom Voice deployment (UUID id)."""

    id: str | None = None
    display_name: str | None = None
    description: str | None = None
    project_id: str | None = None
    model_id: str | None = None
    properties: EndpointProperties | None = None


class Operation(ApiModel):
    """A Custom Voice long-running operation."""

    id: str | None = None
    status: Status | None = None


class OperationRef(ApiModel):
    """Where to poll a Custom Voice operation: ``Operation-Id`` and ``Operation-Location``."""

    id: str
    location: str | None = None


# -- Speech to text ---------------------------------------------------------------------------


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


T = TypeVar("T")


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """A Custom Voice resource whose processing continues in ``operation``."""

    resource: T
    operation: OperationRef
