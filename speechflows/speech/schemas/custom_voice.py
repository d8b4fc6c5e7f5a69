"""Pydantic schemas of the Custom Voice API (``{endpoint}/customvoice``): resources, operations.

The conventions (camelCase aliases, extra fields kept, case-insensitive statuses, SAS URLs redacted
unless dumped with ``context={"reveal": True}``) are described in
:mod:`speechflows.speech.schemas.common`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import Field

from speechflows.speech.schemas.common import (
    ApiModel,
    CaseInsensitiveEnum,
    SecretUrl,
    Status,
    StatusResource,
)


class ProjectKind(CaseInsensitiveEnum):
    """Custom Voice project kind."""

    PROFESSIONAL_VOICE = "ProfessionalVoice"
    PERSONAL_VOICE = "PersonalVoice"


class VoiceKind(CaseInsensitiveEnum):
    """Voice gender of a professional-voice training set."""

    MALE = "Male"
    FEMALE = "Female"


class TrainingDataKind(CaseInsensitiveEnum):
    """Kind of data uploaded into a Custom Voice training set."""

    AUDIO_AND_SCRIPT = "AudioAndScript"
    LONG_AUDIO = "LongAudio"
    AUDIO_ONLY = "AudioOnly"


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


T = TypeVar("T")


@dataclass(frozen=True)
class Accepted(Generic[T]):
    """A Custom Voice resource whose processing continues in ``operation``."""

    resource: T
    operation: OperationRef
