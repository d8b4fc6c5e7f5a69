"""Parameter models of the onboarding flows, shared by the flows, the CLI and prefect.yaml.

Each flow takes ONE of these models as its ``params`` parameter, so the Prefect UI renders it as a
form (every field has a description; no dict-typed fields). Settings (endpoint, keys, storage) are
never parameters: they come from the environment (:mod:`speechflows.settings`).

Ids that Custom Voice lets the caller choose are derived from the project id when omitted, so the
same parameters always address the same resources (DESIGN.md "Idempotent by construction").

>>> p = ProfessionalVoiceParams(project_id="jessica", data_dir="data/jessica",
...     consent=ConsentParams(voice_talent_name="Jessica Doe", company_name="Contoso",
...                           audio_file="data/consent.wav"))
>>> p.resolved_training_set_id(), p.consent.resolved_id("jessica")
('jessica-trainingset', 'jessica-consent')
"""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path, PurePath
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)

RESOURCE_ID_PATTERN = r"^[a-zA-Z0-9][a-zA-Z0-9._-]{1,62}[a-zA-Z0-9]$"
_RESOURCE_ID_RE = re.compile(RESOURCE_ID_PATTERN)
LOCALE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$"

ResourceId = Annotated[
    str,
    Field(
        pattern=RESOURCE_ID_PATTERN,
        min_length=3,
        max_length=64,
        description="Custom Voice id: 3-64 letters, digits, '.', '_' or '-' (case-sensitive, "
        "cannot be changed later)",
    ),
]


def _locale_tag(value: str) -> str:
    """A locale tag, refused in words (not as a regular expression) when it is none."""
    if not re.fullmatch(LOCALE_PATTERN, value):
        raise ValueError(f"{value!r} is not a locale tag: use a tag such as en-US, de-DE or ja-JP")
    return value


Locale = Annotated[
    str,
    AfterValidator(_locale_tag),
    Field(
        description="Locale of the data, e.g. en-US (cannot be changed later)",
        json_schema_extra={"pattern": LOCALE_PATTERN},
    ),
]

# -- data sources (issue 14): a local path, or data read in place in Blob Storage ------------
DATA_SOURCE_FORMS = (
    "a local folder or file; blob://{container}/{prefix} (the configured storage account, read "
    "in place: nothing is downloaded or uploaded); or "
    "https://{account}.blob.core.windows.net/{container}/{prefix}?{SAS} (another account, "
    "through a SAS with read + list, valid past the stage's deadline); or secret://{block} (a "
    "Prefect Secret block holding that URL, so the SAS is not kept in the run's parameters)"
)
_REMOTE_SCHEMES = ("blob://", "https://", "http://", "secret://")


def _data_source(value: object) -> Path | str:
    """A local path becomes a :class:`Path` (drops anchor it); a Blob URL stays the given string."""
    if isinstance(value, str) and value.lower().startswith(_REMOTE_SCHEMES):
        return value
    if isinstance(value, (str, PurePath)) and str(value):
        return Path(value)
    raise ValueError(f"a data source is a path or a blob:// / https:// URL, not {value!r}")


DataSource = Annotated[Path | str, PlainValidator(_data_source), WithJsonSchema({"type": "string"})]
# ---------------------------------------------------------------------------------------------

ProfessionalDataKind = Literal["AudioAndScript", "LongAudio", "AudioOnly"]
CustomSpeechDataKind = Literal[
    "Acoustic", "AudioFiles", "Language", "Pronunciation", "LanguageMarkdown", "OutputFormatting"
]
# Kinds that custom speech takes as a zip archive (the others are one text/markdown file).
ZIPPED_KINDS: frozenset[str] = frozenset({"Acoustic", "AudioFiles"})


def derive_id(base: str, suffix: str) -> str:
    """``{base}-{suffix}``, shortened with a digest when it would exceed the 64-character limit.

    >>> derive_id("jessica", "consent")
    'jessica-consent'
    >>> len(derive_id("x" * 64, "trainingset"))
    64
    """
    candidate = f"{base}-{suffix}"
    if len(candidate) <= 64 and _RESOURCE_ID_RE.match(candidate):
        return candidate
    digest = hashlib.sha256(candidate.encode()).hexdigest()[:10]
    head = re.sub(r"[^a-zA-Z0-9._-]", "-", base)[: 64 - len(suffix) - 12].strip("._-") or "id"
    return f"{head}-{suffix}-{digest}"


VERSION_HEX = 8


def version_id(base: str, content_hash: str) -> str:
    """The id of the version of ``base`` holding the content ``content_hash``: ``<base>-v<8 hex>``.

    The base is cut to fit the 64-character limit (the version suffix is always kept whole).

    >>> version_id("jessica-trainingset", "0123456789abcdef")
    'jessica-trainingset-v01234567'
    >>> len(version_id("x" * 64, "ab" * 32))
    64
    """
    suffix = f"-v{content_hash[:VERSION_HEX].lower()}"
    return base[: 64 - len(suffix)].rstrip("._-") + suffix


def version_pattern(base: str) -> str:
    """A regex matching ``base`` itself (the unversioned id of older runs) and its versions.

    >>> import re
    >>> p = version_pattern("a-trainingset")
    >>> [bool(re.fullmatch(p, x)) for x in ("a-trainingset", "a-trainingset-v0123abcd", "b-v0123abcd")]
    [True, True, False]
    """
    head = base[: 64 - VERSION_HEX - 2].rstrip("._-")
    return f"{re.escape(base)}|{re.escape(head)}-v[0-9a-f]{{{VERSION_HEX}}}"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Deadlines(_Params):
    """How long each stage may wait for the service, and how often it asks."""

    consent_minutes: float = Field(10.0, gt=0, description="Deadline for a consent to be processed")
    training_set_minutes: float = Field(
        180.0, gt=0, description="Deadline for a training-set upload to be processed"
    )
    personal_voice_minutes: float = Field(
        15.0, gt=0, description="Deadline for a personal voice to be created"
    )
    dataset_minutes: float = Field(
        180.0, gt=0, description="Deadline for a custom speech dataset to be validated"
    )
    model_minutes: float = Field(
        4320.0, gt=0, description="Deadline for model training (professional voice takes hours)"
    )
    evaluation_minutes: float = Field(240.0, gt=0, description="Deadline for an evaluation")
    endpoint_minutes: float = Field(60.0, gt=0, description="Deadline for an endpoint deployment")
    poll_min_seconds: float = Field(
        5.0, gt=0, description="Shortest wait between two status checks (Retry-After wins)"
    )
    poll_max_seconds: float = Field(
        60.0, gt=0, description="Longest wait between two status checks (backoff ceiling)"
    )
    # Parking (issue 18): a long wait frees its worker instead of polling for hours.
    park_after_minutes: float | None = Field(
        10.0,
        ge=0,
        description="Model training, dataset processing and evaluations still running after this "
        "long park the flow run (Suspended, the worker is free) until the watch deployment "
        "resumes it; null never parks. Runs not started from a deployment wait in process",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Deadlines:
        if self.poll_max_seconds < self.poll_min_seconds:
            raise ValueError("poll_max_seconds must be >= poll_min_seconds")
        return self


def _deadlines_shown(*stages: str, parks: bool = True) -> WithJsonSchema:
    """The form schema of :class:`Deadlines` with only ``stages`` (and the polling) shown.

    Every flow takes the whole model (so one ``Deadlines`` serves all, and a stage's field is
    there when code reads it); its form shows only the deadlines the flow waits on.
    """
    schema = Deadlines.model_json_schema()
    keep = [f"{stage}_minutes" for stage in stages] + ["poll_min_seconds", "poll_max_seconds"]
    keep += ["park_after_minutes"] if parks else []  # personal voice's waits are short: no park
    schema["properties"] = {k: schema["properties"][k] for k in keep}
    schema.pop("additionalProperties", None)  # the other stages' values are still accepted
    schema["description"] = "Waiting limits of this onboarding's stages, and how often it asks"
    return WithJsonSchema(schema)


VoiceDeadlines = Annotated[
    Deadlines, _deadlines_shown("consent", "training_set", "model", "endpoint")
]
PersonalDeadlines = Annotated[Deadlines, _deadlines_shown("consent", "personal_voice", parks=False)]
SpeechDeadlines = Annotated[
    Deadlines, _deadlines_shown("dataset", "model", "evaluation", "endpoint")
]


class ConsentParams(_Params):
    """The voice talent's recorded consent statement, and who gives it to whom."""

    consent_id: ResourceId | None = Field(
        None, description="Consent id; default '{project_id}-consent'"
    )
    voice_talent_name: str = Field(
        ..., min_length=1, description="The talent's name exactly as spoken in the statement"
    )
    company_name: str = Field(
        ..., min_length=1, description="The company name exactly as spoken in the statement"
    )
    audio_file: Path | None = Field(
        None, description="Local consent recording (wav/mp3), uploaded with the request"
    )
    audio_blob: str | None = Field(
        None,
        description="Or: blob name of the recording in the configured storage container "
        "(a short read-only SAS is minted for the service)",
    )
    description: str | None = Field(None, description="Free-text description of the consent")

    @model_validator(mode="after")
    def _one_source(self) -> ConsentParams:
        if (self.audio_file is None) == (self.audio_blob is None):
            raise ValueError("consent: give exactly one of audio_file (local) or audio_blob")
        if self.audio_blob is not None and ("?" in self.audio_blob or "://" in self.audio_blob):
            raise ValueError(
                "consent.audio_blob is a blob name inside the configured container, not a URL "
                "(never put a SAS URL in parameters: it is a secret)"
            )
        return self

    def resolved_id(self, project_id: str) -> str:
        """The consent id to use in ``project_id``."""
        return self.consent_id or derive_id(project_id, "consent")


class VoiceModelParams(_Params):
    """Optional professional voice model training (and deployment)."""

    model_id: ResourceId | None = Field(None, description="Model id; default '{project_id}-model'")
    voice_name: str = Field(
        ...,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9:_-]*Neural$",
        description="Voice name used in synthesis; must end in 'Neural' (HD: ':DragonHDLatestNeural')",
    )
    recipe_kind: str = Field(
        "Default", description="Model recipe kind (see /modelrecipes): Default, CrossLingual, ..."
    )
    model_locale: Locale | None = Field(
        None,
        description="Target locale for CrossLingual/MultiStyle recipes; default the data locale",
    )
    description: str | None = Field(None, description="Free-text description of the model")
    deploy_endpoint: bool = Field(False, description="Also deploy the trained model to an endpoint")
    endpoint_id: uuid.UUID | None = Field(
        None, description="Endpoint id (a UUID); default derived from the model id"
    )

    def resolved_model_id(self, project_id: str) -> str:
        return self.model_id or derive_id(project_id, "model")

    def resolved_endpoint_id(self, project_id: str) -> uuid.UUID:
        return self.endpoint_id or uuid.uuid5(
            uuid.NAMESPACE_URL, f"speechflows:endpoint:{self.resolved_model_id(project_id)}"
        )


class _OnboardingParams(_Params):
    project_id: ResourceId = Field(..., description="Custom Voice project id")
    project_description: str | None = Field(None, description="Free-text project description")
    locale: Locale = "en-US"
    deadlines: Deadlines = Field(default_factory=Deadlines, description="Waiting limits per stage")
    refresh_cache: bool = Field(
        False,
        description="Ignore cached results and check every step with the service again "
        "(creates stay idempotent)",
    )
    audio_checks: bool = Field(
        True,
        description="Analyse the accepted audio before upload: SNR, levels, clipping, silence "
        "and DC offset per utterance (warnings only; a table artifact and a CSV/JSON report)",
    )


class ProfessionalVoiceParams(_OnboardingParams):
    """Professional voice: project, consent, training set from a local folder, optional model."""

    consent: ConsentParams = Field(..., description="The voice talent's consent")
    deadlines: VoiceDeadlines = Field(default_factory=Deadlines, description="Waiting limits")
    training_set_id: ResourceId | None = Field(
        None,
        description="Base id of the training set; default '{project_id}-trainingset'. Each "
        "content gets its own set '{base}-v{8 hex of the manifest hash}' (Azure skips names a "
        "set already holds, so changed data never goes into an old set)",
    )
    cleanup_previous: bool = Field(
        False,
        description="After a new training set version succeeded, delete the previous versions "
        "of the same base id that no model uses",
    )
    voice_kind: Literal["Male", "Female"] = Field(
        "Female", description="Voice kind of the training set (cannot be changed later)"
    )
    data_dir: DataSource = Field(
        ..., description=f"The recordings and scripts: {DATA_SOURCE_FORMS}"
    )
    data_kind: ProfessionalDataKind = Field(
        "AudioAndScript", description="How the training data is organised"
    )
    min_utterances: int | None = Field(
        None, ge=1, description="Warn below this many utterances (default: the recipe minimum)"
    )
    force: bool = Field(
        False,
        description="Upload even when validation finds errors: only the valid files are staged",
    )
    storage_prefix: str | None = Field(
        None,
        description=(
            "Blob prefix for the staged data; default 'professional-voice/{project}/{training set}/'. "
            "The prefix belongs to this onboarding: blobs under it that the data folder no longer "
            "has are deleted, so the service never lists stale takes"
        ),
    )
    model: VoiceModelParams | None = Field(
        None, title="Model", description="Train a model after the upload"
    )
    try_sentences: list[str] | None = Field(
        None,
        description="After the model is deployed to an endpoint, synthesise these sentences and report them with "
        "links to the audio and the SSML to paste; [] for a short default set in the locale; "
        "null (default) to skip",
    )

    def resolved_training_set_id(self) -> str:
        """The base id: the staging prefix and the versions' names derive from it."""
        return self.training_set_id or derive_id(self.project_id, "trainingset")

    def versioned_training_set_id(self, manifest_hash: str) -> str:
        """The training set holding this content: ``<base>-v<8 hex>``, see :func:`version_id`."""
        return version_id(self.resolved_training_set_id(), manifest_hash)

    def resolved_prefix(self) -> str:
        prefix = self.storage_prefix or (
            f"professional-voice/{self.project_id}/{self.resolved_training_set_id()}"
        )
        return prefix.strip("/") + "/"


class PersonalVoiceParams(_OnboardingParams):
    """Personal voice: project, consent, then a voice from prompt audio → speakerProfileId."""

    consent: ConsentParams = Field(..., description="The speaker's consent")
    deadlines: PersonalDeadlines = Field(default_factory=Deadlines, description="Waiting limits")
    personal_voice_id: ResourceId | None = Field(
        None,
        description="Base personal voice id; default '{project_id}-voice'. Each prompt audio "
        "content gets its own voice '{base}-v{8 hex of the manifest hash}' (and its own "
        "speakerProfileId), so changed prompt audio makes a new voice, never a refusal",
    )
    cleanup_previous: bool = Field(
        False,
        description="After the voice for this prompt audio succeeded, delete the voices of "
        "the same base id made from earlier prompt audio",
    )
    prompt_path: DataSource = Field(
        ...,
        description="Prompt audio: one file or a folder of clean speech (5-90 s in total); "
        + DATA_SOURCE_FORMS,
    )
    force: bool = Field(False, description="Send the valid prompt files even when some have errors")
    try_sentences: list[str] | None = Field(
        None,
        description="After the voice is made, synthesise these sentences and report them with "
        "links to the audio and the SSML to paste; [] for a short default set in the locale; "
        "null (default) to skip",
    )

    def resolved_personal_voice_id(self) -> str:
        """The base id: the report's name and the versions' names derive from it."""
        return self.personal_voice_id or derive_id(self.project_id, "voice")

    def versioned_personal_voice_id(self, manifest_hash: str) -> str:
        """The voice made from this prompt audio: ``<base>-v<8 hex>``, see :func:`version_id`."""
        return version_id(self.resolved_personal_voice_id(), manifest_hash)


class DatasetSpec(_Params):
    """One custom speech dataset: a kind and where its data is."""

    name: str = Field(
        ..., min_length=1, max_length=200, description="Display name of the dataset (unique here)"
    )
    kind: CustomSpeechDataKind = Field(..., description="Dataset kind")
    path: DataSource = Field(
        ...,
        description="Folder (zipped for Acoustic/AudioFiles), a .zip, or the single text file; "
        "or, read in place, blob://{container}/{blob} or an https URL with a SAS naming the .zip "
        "or the text file (the dataset's contentUrl)",
    )
    description: str | None = Field(None, description="Free-text description of the dataset")


class SpeechModelParams(_Params):
    """Optional custom speech model: train on some datasets, evaluate against the base model."""

    display_name: str = Field(..., min_length=1, description="Display name of the custom model")
    datasets: list[str] = Field(
        default_factory=list,
        description="Names of the datasets to train on (default: all except the test dataset)",
    )
    base_model: str | None = Field(
        None,
        description="Base model id or display name; default the newest one that supports the "
        "training kinds and is not deprecated",
    )
    test_dataset: str | None = Field(
        None, description="Name of an Acoustic dataset to evaluate custom vs base model on"
    )


class ReleaseParams(_Params):
    """Release to production: a WER gate against the model the endpoint serves, then promote."""

    endpoint_name: str = Field(
        ...,
        min_length=1,
        max_length=200,
        description="Display name of the production endpoint (created by the first release that "
        "passes; later releases point the same endpoint at the new model)",
    )
    max_wer: float = Field(
        30.0, ge=0, le=100, description="Gate: the candidate's word error rate in percent at most"
    )
    min_improvement: float = Field(
        0.5,
        ge=0,
        le=100,
        description="Gate: the candidate's WER must be lower than the current model's by at least "
        "this many percentage points (the current model: the endpoint's, or the base model "
        "before the endpoint exists)",
    )
    try_audio: str | None = Field(
        None,
        description="Audio to try both models on (a local folder or blob://container/prefix; "
        "with trans.txt for the per-file word alignment): batch transcription with the "
        "candidate and with the model it would replace",
    )


class SpeechReleaseParams(_Params):
    """Release an existing custom speech model: evaluate against production, gate, promote."""

    model: str = Field(
        ..., min_length=1, description="The candidate: custom model id or display name"
    )
    test_dataset: str = Field(
        ...,
        min_length=1,
        description="Id or display name of the Acoustic dataset both models are evaluated on",
    )
    locale: Locale = "en-US"
    project_name: str | None = Field(
        None,
        max_length=200,
        description="Speech project the endpoint and the evaluation belong to (optional)",
    )
    release: ReleaseParams = Field(..., description="The endpoint and the quality gate")
    deadlines: Deadlines = Field(default_factory=Deadlines, description="Waiting limits per stage")


class CustomSpeechParams(_Params):
    """Custom speech: project, datasets (validate → stage → import), optional model + evaluation."""

    project_name: str = Field(..., min_length=1, max_length=200, description="Project display name")
    project_description: str | None = Field(None, description="Free-text project description")
    locale: Locale = "en-US"
    datasets: list[DatasetSpec] = Field(..., min_length=1, description="Datasets to onboard")
    model: SpeechModelParams | None = Field(
        None, title="Model", description="Train and evaluate a model"
    )
    release: ReleaseParams | None = Field(
        None,
        title="Release",
        description="After training: evaluate the model against production on "
        "model.test_dataset and promote it to the endpoint if it passes the gate",
    )

    @model_validator(mode="after")
    def _release_needs_a_test(self) -> CustomSpeechParams:
        if self.release is not None and (self.model is None or not self.model.test_dataset):
            raise ValueError(
                "release needs a trained model and a test set: set model.test_dataset to an "
                "Acoustic dataset (or leave release out)"
            )
        return self

    cleanup_previous: bool = Field(
        False,
        description="Delete the failed earlier datasets of the same content (earlier import "
        "attempts), after this one succeeded",
    )
    force: bool = Field(
        False, description="Upload datasets even when validation finds errors (valid files only)"
    )
    storage_prefix: str | None = Field(
        None,
        description=(
            "Blob prefix for staged data; default 'custom-speech/{project name}/'. The prefix "
            "belongs to this onboarding: stale blobs under it are deleted"
        ),
    )
    deadlines: SpeechDeadlines = Field(default_factory=Deadlines, description="Waiting limits")
    refresh_cache: bool = Field(
        False, description="Ignore cached results and check every step with the service again"
    )
    audio_checks: bool = Field(
        False,
        description="Analyse the audio of Acoustic/AudioFiles datasets before upload: SNR, "
        "levels, clipping, silence and DC offset per utterance (warnings only)",
    )

    @field_validator("datasets")
    @classmethod
    def _unique_names(cls, value: list[DatasetSpec]) -> list[DatasetSpec]:
        names = [d.name for d in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"dataset names must be unique; repeated: {', '.join(dupes)}")
        return value

    @model_validator(mode="after")
    def _model_refs(self) -> CustomSpeechParams:
        if self.model is None:
            return self
        known = {d.name: d for d in self.datasets}
        for name in [
            *self.model.datasets,
            *([self.model.test_dataset] if self.model.test_dataset else []),
        ]:
            if name not in known:
                raise ValueError(
                    f"model refers to dataset {name!r}, which is not in datasets "
                    f"(known: {', '.join(sorted(known))})"
                )
        if self.model.test_dataset and known[self.model.test_dataset].kind != "Acoustic":
            raise ValueError("model.test_dataset must be an Acoustic dataset (audio + transcript)")
        return self

    def resolved_prefix(self) -> str:
        slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", self.project_name).strip("-") or "project"
        return (self.storage_prefix or f"custom-speech/{slug}").strip("/") + "/"

    def training_dataset_names(self) -> list[str]:
        """The datasets the model trains on."""
        if self.model is None:
            return []
        if self.model.datasets:
            return list(self.model.datasets)
        return [d.name for d in self.datasets if d.name != self.model.test_dataset]


__all__ = [
    "DATA_SOURCE_FORMS",
    "LOCALE_PATTERN",
    "RESOURCE_ID_PATTERN",
    "ZIPPED_KINDS",
    "ConsentParams",
    "CustomSpeechDataKind",
    "CustomSpeechParams",
    "DataSource",
    "DatasetSpec",
    "Deadlines",
    "PersonalVoiceParams",
    "ProfessionalDataKind",
    "ProfessionalVoiceParams",
    "SpeechModelParams",
    "VoiceModelParams",
    "derive_id",
    "version_id",
    "version_pattern",
]
