"""What the tasks return: small pydantic models with no secrets, safe to persist as cached results.

URLs here are the service's resource URLs (no query secrets) or blob locations without a query
string; SAS URLs never reach these models.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

Action = Literal["created", "reused"]


class _Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)


def percent(rate: float | None) -> float | None:
    """A rate the service gives as a fraction (``wordErrorRate1`` 0.065), in percent (6.5).

    What every reader sees (CLI, report, artifacts, events) and what the WER gate compares
    (``max_wer`` is in percent), at the same precision: two decimals.

    >>> percent(0.065), percent(0.123456), percent(None)
    (6.5, 12.35, None)
    """
    return None if rate is None else round(100 * rate, 2)


def shown_percent(rate: float | None) -> str:
    """``percent(rate)`` for people: ``6.5 %``, or ``?`` when the service gave none."""
    value = percent(rate)
    return "?" if value is None else f"{value:g} %"


class ResourceOutcome(_Outcome):
    """One service resource the onboarding created or found.

    Attributes:
        kind: e.g. "project", "consent", "training set", "dataset".
        id: the resource id (Custom Voice) or the server-assigned id (Speech to text).
        url: the resource's URL on the service (no secrets), when known.
        status: the last status seen (Succeeded, Running, ...).
        action: "created" in this run, or "reused" (it existed already).
    """

    kind: str
    id: str
    url: str | None = None
    status: str | None = None
    action: Action = "created"
    display_name: str | None = None


class ValidationOutcome(_Outcome):
    """The figures of a pre-flight validation (the full findings go to the table artifact)."""

    kind: str
    locale: str
    files_checked: int
    accepted_files: list[str] = Field(default_factory=list)
    rejected_files: list[str] = Field(default_factory=list)
    utterance_count: int = 0
    rejected_count: int = 0
    total_audio_seconds: float = 0.0
    error_count: int = 0
    warning_count: int = 0
    counts_by_code: dict[str, int] = Field(default_factory=dict)
    rows: list[dict[str, str | int | None]] = Field(default_factory=list)
    text: str = ""

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0


class StageOutcome(_Outcome):
    """What staging did: the blob location and the bytes moved (0 on an unchanged re-run)."""

    container: str
    prefix: str
    manifest_hash: str
    files: int
    uploaded_files: int
    skipped_files: int
    uploaded_bytes: int
    skipped_bytes: int
    seconds: float
    cached: bool = False
    deleted_files: int = 0
    deleted_bytes: int = 0
    deleted: list[str] = Field(
        default_factory=list, description="Stale blobs removed from the prefix (first 100)"
    )

    def as_cached(self) -> StageOutcome:
        """This outcome as seen by a re-run that reused it: nothing moved."""
        return self.model_copy(
            update={
                "cached": True,
                "uploaded_files": 0,
                "uploaded_bytes": 0,
                "skipped_files": self.files,
                "skipped_bytes": self.uploaded_bytes + self.skipped_bytes,
                "seconds": 0.0,
                "deleted_files": 0,
                "deleted_bytes": 0,
                "deleted": [],
            }
        )


class OperationOutcome(_Outcome):
    """A started (or re-attached) long-running operation, by id and URL (no secrets)."""

    operation_id: str
    operation_url: str | None = None
    resource_kind: str
    resource_id: str
    action: Action = "created"
    continuation: str | None = Field(
        None, description="The poller's JSON continuation state, to re-attach from another process"
    )


class PersonalVoiceOutcome(_Outcome):
    """A processed personal voice and the speaker profile id synthesis uses."""

    voice: ResourceOutcome
    speaker_profile_id: str


class TrainingSetReport(_Outcome):
    """The service's view of a training set after its upload was processed."""

    training_set: ResourceOutcome
    operation_id: str
    utterance_count: int | None = None
    duration_seconds: float | None = None
    failure_reason: str | None = None


class DatasetReport(_Outcome):
    """The service's view of a custom speech dataset after import."""

    dataset: ResourceOutcome
    kind: str
    accepted_lines: int | None = None
    rejected_lines: int | None = None
    duration_seconds: float | None = None
    report: dict[str, object] | None = None
    report_summary: list[str] = Field(default_factory=list)


class EvaluationOutcome(_Outcome):
    """Word error rates of the base model (1) and the custom model (2) on the test dataset."""

    evaluation: ResourceOutcome
    word_error_rate_base: float | None = Field(
        None, description="As the service gives it: a fraction"
    )
    word_error_rate_custom: float | None = Field(
        None, description="As the service gives it: a fraction"
    )
    sentence_error_rate_base: float | None = None
    sentence_error_rate_custom: float | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def wer_base_percent(self) -> float | None:
        """The base model's word error rate in percent."""
        return percent(self.word_error_rate_base)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def wer_custom_percent(self) -> float | None:
        """The custom model's word error rate in percent."""
        return percent(self.word_error_rate_custom)


class StageTiming(_Outcome):
    """Wall time of one stage of an onboarding."""

    stage: str
    seconds: float
    note: str = ""


__all__ = [
    "Action",
    "DatasetReport",
    "EvaluationOutcome",
    "OperationOutcome",
    "PersonalVoiceOutcome",
    "ResourceOutcome",
    "StageOutcome",
    "StageTiming",
    "TrainingSetReport",
    "ValidationOutcome",
    "percent",
    "shown_percent",
]

Decision = Literal["promoted", "rejected", "unchanged"]
"""A release decision: the candidate went to production, stayed out, or the earlier one stands."""


class ModelMetrics(_Outcome):
    """One model's figures in an evaluation (rates as fractions, as the service gives them)."""

    model_id: str
    model_kind: Literal["custom", "base"]
    word_error_rate: float | None = None
    token_error_rate: float | None = None
    sentence_error_rate: float | None = None
    word_count: int | None = None
    correct_word_count: int | None = None
    sentence_count: int | None = None
    token_count: int | None = None
    substitutions: int | None = None
    deletions: int | None = None
    insertions: int | None = None
    token_substitutions: int | None = None
    token_deletions: int | None = None
    token_insertions: int | None = None

    @property
    def wer_points(self) -> float | None:
        """The word error rate in percent (what the gate compares and the report shows)."""
        return percent(self.word_error_rate)


class ReleaseOutcome(_Outcome):
    """One release decision: the gate's inputs and figures, and what happened to production."""

    endpoint_name: str
    decision: Decision
    reason: str
    candidate: str
    current: str
    current_kind: Literal["custom", "base"]
    data_hash: str
    max_wer: float = Field(description="Gate: highest candidate WER, in percent")
    min_improvement: float = Field(description="Gate: least WER improvement, in points")
    endpoint: ResourceOutcome | None = None
    endpoint_action: Literal["created", "updated", "none"] = "none"
    evaluation: ResourceOutcome | None = None
    candidate_metrics: ModelMetrics | None = None
    current_metrics: ModelMetrics | None = None
    previous: dict[str, Any] | None = Field(
        None, description="The earlier decision this re-run stands by (decision 'unchanged')"
    )
    decided_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
