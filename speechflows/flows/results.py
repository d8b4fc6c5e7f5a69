"""What the onboarding flows return: ids, links, counts and timings (pydantic, no secrets)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from speechflows.tasks.outcomes import (
    DatasetReport,
    EvaluationOutcome,
    ReleaseOutcome,
    ResourceOutcome,
    StageOutcome,
    StageTiming,
    ValidationOutcome,
)

MAX_LISTED_FILES = 100


class ValidationSummary(BaseModel):
    """Pre-flight validation in figures (the findings themselves are in the table artifact)."""

    model_config = ConfigDict(frozen=True)

    kind: str
    files_checked: int
    utterance_count: int
    total_audio_seconds: float
    error_count: int
    warning_count: int
    rejected_files: list[str] = Field(default_factory=list)
    counts_by_code: dict[str, int] = Field(default_factory=dict)
    forced: bool = False

    @classmethod
    def of(cls, outcome: ValidationOutcome, *, forced: bool = False) -> ValidationSummary:
        return cls(
            kind=outcome.kind,
            files_checked=outcome.files_checked,
            utterance_count=outcome.utterance_count,
            total_audio_seconds=round(outcome.total_audio_seconds, 3),
            error_count=outcome.error_count,
            warning_count=outcome.warning_count,
            rejected_files=outcome.rejected_files[:MAX_LISTED_FILES],
            counts_by_code=outcome.counts_by_code,
            forced=forced,
        )


class OnboardingResult(BaseModel):
    """What every onboarding returns; :func:`~speechflows.flows.report.reported` fills the timings,
    the report key and the duration from the run report."""

    model_config = ConfigDict(frozen=True)

    timings: list[StageTiming] = Field(default_factory=list)
    report_key: str = ""
    seconds: float = 0.0

    @property
    def resources(self) -> list[ResourceOutcome]:  # pragma: no cover - overridden
        return []

    @property
    def created(self) -> list[str]:
        """``kind id`` of every resource this run created."""
        return [f"{r.kind} {r.id}" for r in self.resources if r.action == "created"]

    @property
    def reused(self) -> list[str]:
        """``kind id`` of every resource that existed already."""
        return [f"{r.kind} {r.id}" for r in self.resources if r.action == "reused"]


class ProfessionalVoiceResult(OnboardingResult):
    """Outcome of :func:`~speechflows.flows.professional_voice.professional_voice_onboarding`."""

    project: ResourceOutcome
    consent: ResourceOutcome
    training_set: ResourceOutcome
    upload_operation_id: str
    upload_action: str
    validation: ValidationSummary
    staging: StageOutcome
    utterance_count: int | None = None
    duration_seconds: float | None = None
    model: ResourceOutcome | None = None
    endpoint: ResourceOutcome | None = None

    @property
    def resources(self) -> list[ResourceOutcome]:
        extra = [r for r in (self.model, self.endpoint) if r is not None]
        return [self.project, self.consent, self.training_set, *extra]


class PersonalVoiceResult(OnboardingResult):
    """Outcome of :func:`~speechflows.flows.personal_voice.personal_voice_onboarding`."""

    project: ResourceOutcome
    consent: ResourceOutcome
    personal_voice: ResourceOutcome
    speaker_profile_id: str
    prompt_validation: ValidationSummary

    @property
    def resources(self) -> list[ResourceOutcome]:
        return [self.project, self.consent, self.personal_voice]


class DatasetResult(BaseModel):
    """One custom speech dataset: validation, staging and the service's import report."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: str
    validation: ValidationSummary
    staging: StageOutcome
    report: DatasetReport


class CustomSpeechResult(OnboardingResult):
    """Outcome of :func:`~speechflows.flows.custom_speech.custom_speech_onboarding`."""

    project: ResourceOutcome
    datasets: list[DatasetResult]
    base_model: ResourceOutcome | None = None
    model: ResourceOutcome | None = None
    evaluation: EvaluationOutcome | None = None
    release: ReleaseOutcome | None = None

    @property
    def resources(self) -> list[ResourceOutcome]:
        out = [self.project, *[d.report.dataset for d in self.datasets]]
        if self.release is not None and self.release.endpoint is not None:
            out.append(self.release.endpoint)
        out += [r for r in (self.model,) if r is not None]
        if self.evaluation is not None:
            out.append(self.evaluation.evaluation)
        return out


__all__ = [
    "CustomSpeechResult",
    "DatasetResult",
    "OnboardingResult",
    "PersonalVoiceResult",
    "ProfessionalVoiceResult",
    "ValidationSummary",
]
