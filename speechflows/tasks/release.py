"""Release tasks: a candidate custom speech model against production, the WER gate, promotion.

The model in production is the one behind the endpoint named for the release (or, before the
endpoint exists, the candidate's base model). Both are evaluated on the same test dataset in one
evaluation (model1 = current, model2 = candidate, found again by the content hash of the two
model ids and the test data). The gate passes when the candidate's WER is at most ``max_wer`` and
below the current one by at least ``min_improvement`` (both in percentage points). On a pass the
endpoint is pointed at the candidate (``Endpoints_Update``: same endpoint id) or created the
first time; on a fail production is left alone. Every decision is a row of the table artifact
``release-<endpoint>``, which is also where a re-run reads the earlier decisions back from.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal, cast

from prefect import task
from prefect.artifacts import Artifact, create_table_artifact
from prefect.logging import get_run_logger
from pydantic import BaseModel, ConfigDict

from speechflows.redaction import redact_url
from speechflows.speech import polling
from speechflows.speech.schemas.common import Status
from speechflows.speech.schemas.speech_to_text import (
    CustomSpeechModel,
    Dataset,
    Evaluation,
    SpeechEndpoint,
)
from speechflows.speech.speech_to_text import CONTENT_HASH_PROPERTY, CustomSpeechClient, odata_quote
from speechflows.tasks import events
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.custom_speech import combined_hash, speech_client, speech_outcome
from speechflows.tasks.custom_voice import OnboardingError
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import ModelMetrics, ReleaseOutcome, ResourceOutcome
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import status_of
from speechflows.tasks.waiting import WaitOptions

WER_LABEL = "simulated by the emulator, measured by Azure"
"""How the report labels word error rates: the emulator never recognises audio."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReleaseTarget(_Frozen):
    """What the service holds for a release: candidate, test data, endpoint, current model."""

    endpoint_name: str
    locale: str
    candidate_id: str
    candidate_url: str
    candidate_name: str | None = None
    dataset_id: str
    dataset_url: str
    data_hash: str
    endpoint_id: str | None = None
    endpoint_url: str | None = None
    current_id: str
    current_url: str
    current_kind: Literal["custom", "base"]
    project_url: str | None = None


def history_key(endpoint_name: str) -> str:
    """The key of the endpoint's decision history artifact.

    >>> history_key("Call center prod")
    'release-call-center-prod'
    """
    return artifact_key("release", endpoint_name)


def _is_uuid(value: str) -> bool:
    parts = value.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(
        c in "0123456789abcdefABCDEF" for c in "".join(parts)
    )


def _newest(items: Sequence[Any]) -> Any:
    return sorted(items, key=lambda i: str(i.created_date_time or ""))[-1] if items else None


def _find_succeeded(group: Any, ref: str, locale: str, missing: str) -> Any:
    """The resource ``ref`` names in ``group`` (models, datasets): by id/URL, else the newest
    Succeeded one of that display name in ``locale``; ``missing`` says what to give instead."""
    if _is_uuid(ref.rsplit("/", 1)[-1].split("?", 1)[0]) or "://" in ref:
        return group.get(ref)
    found = [
        r
        for r in group.list(filter=f"displayName eq {odata_quote(ref)}")
        if r.display_name == ref
        and r.status is Status.SUCCEEDED
        and (r.locale or locale).casefold() == locale.casefold()
    ]
    resource = _newest(found)
    if resource is None:
        raise OnboardingError(
            f"release: no Succeeded {missing.format(ref=repr(ref), locale=locale)}"
        )
    return resource


# What to give instead when a release's candidate or test dataset is not found.
_NO_MODEL = (
    "custom model named {ref} in {locale}; give the model's id or the display name of a "
    "trained model"
)
_NO_DATASET = (
    "dataset named {ref} in {locale} to test on; give the id or the display name of an "
    "imported Acoustic dataset"
)


def _endpoint_named(
    cs: CustomSpeechClient, name: str, locale: str, project_url: str | None
) -> SpeechEndpoint | None:
    project = cs.core.entity_id("projects", project_url) if project_url else None
    found = [
        e
        for e in cs.endpoints.list(filter=f"displayName eq {odata_quote(name)}")
        if e.display_name == name
        and (e.locale or locale).casefold() == locale.casefold()
        and (project is None or cs.core.project_of(e) == project)
        and e.status is not Status.FAILED
    ]
    return _newest(found)  # type: ignore[no-any-return]


def _id_of(url: str) -> str:
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


@task(name="Locate release", task_run_name="release {endpoint_name}", **retry_options())
def locate_release(
    endpoint_name: str,
    *,
    candidate: str,
    test_dataset: str,
    locale: str,
    project_url: str | None = None,
) -> ReleaseTarget:
    """Read the candidate, the test dataset, the endpoint and the model it serves (or the base)."""
    with speech_client() as cs:
        model: CustomSpeechModel = _find_succeeded(cs.models, candidate, locale, _NO_MODEL)
        if model.status is not Status.SUCCEEDED:
            raise OnboardingError(
                f"release: model {model.resource_id} is {status_of(model)}; only a Succeeded "
                "model can be evaluated and deployed"
            )
        dataset: Dataset = _find_succeeded(cs.datasets, test_dataset, locale, _NO_DATASET)
        endpoint = _endpoint_named(cs, endpoint_name, locale, project_url)
    if endpoint is not None and endpoint.model is not None:
        current_url, kind = endpoint.model.self_url, "custom"
    elif model.base_model is not None:
        current_url, kind = model.base_model.self_url, "base"
    else:
        raise OnboardingError(f"release: model {model.resource_id} names no base model")
    if "/models/base/" in current_url:
        kind = "base"
    return ReleaseTarget(
        endpoint_name=endpoint_name,
        locale=locale,
        candidate_id=model.resource_id,
        candidate_url=model.self_url or model.resource_id,
        candidate_name=model.display_name,
        dataset_id=dataset.resource_id,
        dataset_url=dataset.self_url or dataset.resource_id,
        data_hash=(dataset.custom_properties or {}).get(CONTENT_HASH_PROPERTY)
        or dataset.resource_id,
        endpoint_id=endpoint.resource_id if endpoint is not None else None,
        endpoint_url=redact_url(endpoint.self_url) if endpoint and endpoint.self_url else None,
        current_id=_id_of(current_url),
        current_url=current_url,
        current_kind=kind,
        project_url=project_url,
    )


@task(name="Read release history", task_run_name="history {endpoint_name}")
def read_history(endpoint_name: str) -> list[dict[str, Any]]:
    """The rows of the endpoint's decision table artifact (its latest version), oldest first."""
    return _history(endpoint_name)


def _history(endpoint_name: str) -> list[dict[str, Any]]:
    found = cast("Artifact | None", Artifact.get(history_key(endpoint_name), _sync=True))  # type: ignore[call-arg]
    if found is None or found.data is None:
        return []
    data = json.loads(found.data) if isinstance(found.data, str) else found.data
    return [dict(row) for row in data if isinstance(row, dict) and row.get("decision")]


def earlier_decision(
    history: Sequence[dict[str, Any]],
    target: ReleaseTarget,
    max_wer: float,
    min_improvement: float,
) -> dict[str, Any] | None:
    """The last decision on the same candidate, current model, test data and gate, if any.

    >>> t = ReleaseTarget(endpoint_name="e", locale="en-US", candidate_id="c", candidate_url="c",
    ...     dataset_id="d", dataset_url="d", data_hash="h", current_id="b", current_url="b",
    ...     current_kind="base")
    >>> row = {"candidate": "c", "current": "b", "data hash": "h", "max WER %": 30.0,
    ...        "min improvement": 1.0, "decision": "rejected"}
    >>> earlier_decision([row], t, 30.0, 1.0)["decision"], earlier_decision([row], t, 20.0, 1.0)
    ('rejected', None)
    """
    for row in reversed(history):
        if (
            row.get("candidate") == target.candidate_id
            and row.get("current") == target.current_id
            and row.get("data hash") == target.data_hash
            and _same(row.get("max WER %"), max_wer)
            and _same(row.get("min improvement"), min_improvement)
            and row.get("decision") in ("promoted", "rejected")
        ):
            return dict(row)
    return None


def _same(value: Any, number: float) -> bool:
    try:
        return abs(float(value) - number) < 1e-9
    except (TypeError, ValueError):
        return False


# ModelMetrics field <- the evaluation's property (suffixed 1 for the current model, 2 for the
# candidate).
_METRIC_PROPERTIES = {
    "word_error_rate": "word_error_rate",
    "token_error_rate": "token_error_rate",
    "sentence_error_rate": "sentence_error_rate",
    "word_count": "word_count",
    "correct_word_count": "correct_word_count",
    "sentence_count": "sentence_count",
    "token_count": "token_count",
    "substitutions": "word_substitution_count",
    "deletions": "word_deletion_count",
    "insertions": "word_insertion_count",
    "token_substitutions": "token_substitution_count",
    "token_deletions": "token_deletion_count",
    "token_insertions": "token_insertion_count",
}


def _metrics(props: Any, n: str, model_id: str, kind: str) -> ModelMetrics:
    figures = {
        field: getattr(props, f"{name}{n}", None) if props is not None else None
        for field, name in _METRIC_PROPERTIES.items()
    }
    return ModelMetrics(model_id=model_id, model_kind=kind, **figures)


def metrics_of(evaluation: Evaluation, target: ReleaseTarget) -> tuple[ModelMetrics, ModelMetrics]:
    """(current, candidate) figures of a release evaluation (model1 = current)."""
    props = evaluation.properties
    current = _metrics(props, "1", target.current_id, target.current_kind)
    return current, _metrics(props, "2", target.candidate_id, "custom")


def _polling(wait: WaitOptions) -> dict[str, float]:
    """How a release polls: to the stage's deadline in process (a release never parks)."""
    return {
        "deadline_seconds": wait.deadline_seconds,
        "min_interval": wait.min_interval,
        "max_interval": wait.max_interval,
    }


@task(name="Evaluate release", task_run_name="evaluate release {target.endpoint_name}")
def evaluate_release(
    target: ReleaseTarget, *, wait: WaitOptions
) -> tuple[ResourceOutcome, ModelMetrics, ModelMetrics]:
    """Find (by the two model ids and the test data hash) or create the evaluation; wait for it.

    Returns:
        The evaluation, the current model's figures and the candidate's.
    """
    log = get_run_logger()
    content = combined_hash(target.current_url, target.candidate_url, target.dataset_url)
    content = combined_hash(content, target.data_hash)
    name = f"release {target.endpoint_name}: {target.candidate_id[:8]} vs {target.current_id[:8]}"
    with speech_client() as cs:
        with resource_lock("evaluation", target.project_url or "", name):
            ev, created = cs.evaluations.get_or_create(
                display_name=name,
                content_hash=content,
                locale=target.locale,
                model1_url=target.current_url,
                model2_url=target.candidate_url,
                dataset_url=target.dataset_url,
                project_url=target.project_url,
            )
        final = polling.wait_for_evaluation(cs, ev, **_polling(wait))
    log.info("release evaluation %s %s", final.resource_id, "created" if created else "reused")
    current, candidate = metrics_of(final, target)
    return (
        speech_outcome("evaluation", final, "created" if created else "reused"),
        current,
        candidate,
    )


def gate(
    current: ModelMetrics, candidate: ModelMetrics, max_wer: float, min_improvement: float
) -> tuple[bool, str]:
    """Does the candidate pass? ``max_wer`` in percent, ``min_improvement`` in points.

    >>> c = ModelMetrics(model_id="b", model_kind="base", word_error_rate=0.12)
    >>> gate(c, ModelMetrics(model_id="m", model_kind="custom", word_error_rate=0.08), 10, 2)
    (True, 'candidate WER 8 % ≤ 10 % and 4 points better than current 12 % (needs ≥ 2)')
    >>> gate(c, ModelMetrics(model_id="m", model_kind="custom", word_error_rate=0.11), 15, 2)[0]
    False
    """
    new, old = candidate.wer_points, current.wer_points
    if new is None or old is None:
        return False, "the evaluation gave no word error rate for both models"
    gain = round(old - new, 4)
    if new > max_wer:
        return False, f"candidate WER {new:g} % is above the maximum {max_wer:g} %"
    if gain < min_improvement:
        return False, (
            f"candidate WER {new:g} % is {gain:g} points better than current {old:g} % "
            f"(needs ≥ {min_improvement:g})"
        )
    return True, (
        f"candidate WER {new:g} % ≤ {max_wer:g} % and {gain:g} points better than current "
        f"{old:g} % (needs ≥ {min_improvement:g})"
    )


@task(name="Promote model", task_run_name="promote to {target.endpoint_name}", **retry_options())
def promote(
    target: ReleaseTarget, *, wait: WaitOptions, description: str | None = None
) -> tuple[ResourceOutcome, Literal["created", "updated"]]:
    """Point the endpoint at the candidate (same id), or create it the first time.

    Under the endpoint's lock the endpoint is read again: if the model it serves is no longer
    the one evaluated (another release ran meanwhile), nothing changes and the release fails.
    """
    log = get_run_logger()
    with speech_client() as cs, resource_lock("speech-endpoint", target.endpoint_name):
        endpoint = _endpoint_named(cs, target.endpoint_name, target.locale, target.project_url)
        serving = _id_of(endpoint.model.self_url) if endpoint and endpoint.model else None
        expected = target.current_id if target.endpoint_id else None
        if serving != expected:
            raise OnboardingError(
                f"release {target.endpoint_name!r}: the endpoint now serves {serving or 'nothing'}"
                f", not {expected or 'nothing'} as evaluated; production was left as it is. Run "
                "the release again to evaluate against what serves now"
            )
        if endpoint is None:
            endpoint = cs.endpoints.create(
                display_name=target.endpoint_name,
                locale=target.locale,
                model_url=target.candidate_url,
                project_url=target.project_url,
                description=description,
            )
            action: Literal["created", "updated"] = "created"
        else:
            endpoint = cs.endpoints.set_model(endpoint, target.candidate_url)
            action = "updated"
        final = polling.wait_for_endpoint(cs, endpoint, **_polling(wait))
    log.info("endpoint %s %s: serves %s", final.resource_id, action, target.candidate_id)
    return speech_outcome(
        "speech endpoint", final, "created" if action == "created" else "reused"
    ), action


def history_row(outcome: ReleaseOutcome) -> dict[str, Any]:
    """The decision as a row of the history table."""
    cand, cur = outcome.candidate_metrics, outcome.current_metrics
    return {
        "time": outcome.decided_at.isoformat(timespec="seconds"),
        "candidate": outcome.candidate,
        "current": outcome.current,
        "current kind": outcome.current_kind,
        "candidate WER %": cand.wer_points if cand else None,
        "current WER %": cur.wer_points if cur else None,
        "decision": outcome.decision,
        "endpoint": outcome.endpoint.id if outcome.endpoint else "",
        "endpoint action": outcome.endpoint_action,
        "data hash": outcome.data_hash,
        "max WER %": outcome.max_wer,
        "min improvement": outcome.min_improvement,
        "evaluation": outcome.evaluation.id if outcome.evaluation else "",
        "reason": outcome.reason,
    }


# The decision's fields the ``speechflows.model.<decision>`` event carries as they are.
_EVENT_FIELDS = {
    "endpoint_name",
    "endpoint_action",
    "candidate",
    "current",
    "current_kind",
    "max_wer",
    "min_improvement",
    "data_hash",
    "reason",
}


@task(name="Record release decision", task_run_name="record {outcome.endpoint_name}")
def record_decision(outcome: ReleaseOutcome) -> None:
    """Add the decision to the endpoint's history table and emit ``speechflows.model.<decision>``.

    The history is read again and written under the endpoint's history lock, so two releases
    deciding at once both keep their row.
    """
    with resource_lock("release-history", outcome.endpoint_name):
        rows = [*_history(outcome.endpoint_name), history_row(outcome)]
        create_table_artifact(
            key=history_key(outcome.endpoint_name),
            table=rows,
            description=f"Release decisions of endpoint {outcome.endpoint_name!r} "
            f"({len(rows)}; WER {WER_LABEL})",
        )
    cand, cur = outcome.candidate_metrics, outcome.current_metrics
    events.emit(
        f"model.{outcome.decision}",
        kind="speech model",
        rid=outcome.candidate,
        related=[("speech model", outcome.current)]
        + ([("speech endpoint", outcome.endpoint.id)] if outcome.endpoint else []),
        payload={
            **outcome.model_dump(mode="json", include=_EVENT_FIELDS),
            "endpoint": outcome.endpoint.id if outcome.endpoint else None,
            # in percent, as the gate (max_wer) compares them
            "candidate_wer_percent": cand.wer_points if cand else None,
            "current_wer_percent": cur.wer_points if cur else None,
        },
    )


__all__ = [
    "WER_LABEL",
    "ModelMetrics",
    "ReleaseOutcome",
    "ReleaseTarget",
    "earlier_decision",
    "evaluate_release",
    "gate",
    "history_key",
    "history_row",
    "locate_release",
    "metrics_of",
    "promote",
    "read_history",
    "record_decision",
]
