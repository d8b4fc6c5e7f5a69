"""Release a custom speech model: evaluate against production → WER gate → promote or reject.

:func:`release_step` is the chain both callers share: the custom speech onboarding (after
training, when ``release`` is given) and the ``custom-speech-release`` deployment
(:func:`custom_speech_release`, for a model that exists already). A re-run with the same
candidate, production model, test data and gate decides nothing new: the candidate already
serving, or the same question answered in the endpoint's history artifact, ends the step before
any evaluation. The gate's figures (both models' word, token and sentence error rates,
insertions, deletions, substitutions, counts) go to the run report and the result.

Example:
    >>> custom_speech_release(SpeechReleaseParams(model="call-center-v2",  # doctest: +SKIP
    ...     test_dataset="call-center-test", release=ReleaseParams(endpoint_name="call center")))
"""

from __future__ import annotations

from typing import Any

from prefect import flow

from speechflows.flows.common import check_settings, wait_options
from speechflows.flows.params import Deadlines, ReleaseParams, SpeechReleaseParams
from speechflows.flows.report import RunReport, figures, note, record, stage
from speechflows.flows.results import OnboardingResult
from speechflows.flows.try_out import try_release
from speechflows.tasks import custom_speech as cs
from speechflows.tasks import release as rel
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.outcomes import ResourceOutcome, shown_percent


class ReleaseResult(OnboardingResult):
    """Outcome of :func:`custom_speech_release`."""

    release: rel.ReleaseOutcome

    @property
    def resources(self) -> list[ResourceOutcome]:
        return [r for r in (self.release.endpoint, self.release.evaluation) if r is not None]


@flow(
    name="custom-speech-release",
    flow_run_name="release to {params.release.endpoint_name}",
    validate_parameters=True,
)
def custom_speech_release(params: SpeechReleaseParams) -> ReleaseResult:
    """Evaluate an existing custom model against production and promote it if it passes.

    Args:
        params: see :class:`~speechflows.flows.params.SpeechReleaseParams`.
    """
    p = params
    check_settings(storage=False)
    with RunReport(
        f"Custom speech release: {p.release.endpoint_name}",
        artifact_key("report", rel.history_key(p.release.endpoint_name)),
    ) as report:
        project = None
        if p.project_name:
            with stage("project"):
                project = cs.ensure_speech_project(p.project_name, locale=p.locale)
            record(project)
        outcome = release_step(
            p.release,
            candidate=p.model,
            test_dataset=p.test_dataset,
            locale=p.locale,
            project_url=project.url if project else None,
            deadlines=p.deadlines,
        )
        return report.complete(ReleaseResult(release=outcome))


def release_step(
    r: ReleaseParams,
    *,
    candidate: str,
    test_dataset: str,
    locale: str,
    project_url: str | None,
    deadlines: Deadlines,
) -> rel.ReleaseOutcome:
    """Locate the release, decide it, then (with ``try_audio``) try both models on the user's
    audio."""
    with stage("release: locate"):
        target = rel.locate_release(
            r.endpoint_name,
            candidate=candidate,
            test_dataset=test_dataset,
            locale=locale,
            project_url=project_url,
        )
        history = rel.read_history(r.endpoint_name)
    outcome = _decide(r, target, history, deadlines)
    if r.try_audio:
        try_release(outcome, r.try_audio, locale, project_url, test_dataset, deadlines)
    return outcome


def _decide(
    r: ReleaseParams,
    target: rel.ReleaseTarget,
    history: list[dict[str, Any]],
    deadlines: Deadlines,
) -> rel.ReleaseOutcome:
    """(Decided before? stop) → evaluate → gate → promote or reject → history + event."""
    base = {
        "endpoint_name": r.endpoint_name,
        "candidate": target.candidate_id,
        "current": target.current_id,
        "current_kind": target.current_kind,
        "data_hash": target.data_hash,
        "max_wer": r.max_wer,
        "min_improvement": r.min_improvement,
    }
    earlier = rel.earlier_decision(history, target, r.max_wer, r.min_improvement)
    if target.candidate_id == target.current_id or earlier is not None:
        why = (
            "the candidate already serves on the endpoint"
            if earlier is None
            else f"decided before ({earlier.get('decision')} at {earlier.get('time')}) on the "
            "same models, test data and gate"
        )
        note(f"release {r.endpoint_name}: nothing new to decide: {why}")
        return rel.ReleaseOutcome(**base, decision="unchanged", reason=why, previous=earlier)
    with stage("release: evaluate"):
        evaluation, current, cand = rel.evaluate_release(
            target, wait=wait_options(deadlines, deadlines.evaluation_minutes)
        )
    record(evaluation)
    passes, reason = rel.gate(current, cand, r.max_wer, r.min_improvement)
    endpoint, action = None, "none"
    if passes:
        with stage("release: promote"):
            endpoint, action = rel.promote(
                target, wait=wait_options(deadlines, deadlines.endpoint_minutes)
            )
        record(endpoint)
    outcome = rel.ReleaseOutcome(
        **base,
        decision="promoted" if passes else "rejected",
        reason=reason,
        endpoint=endpoint,
        endpoint_action=action,
        evaluation=evaluation,
        candidate_metrics=cand,
        current_metrics=current,
    )
    rel.record_decision(outcome)
    _report_figures(outcome)
    return outcome


def _report_figures(o: rel.ReleaseOutcome) -> None:
    figures((f"release {o.endpoint_name}: decision", f"{o.decision}: {o.reason}"))
    for who, m in (
        ("candidate", o.candidate_metrics),
        (f"current ({o.current_kind})", o.current_metrics),
    ):
        if m is None:
            continue
        figures(
            (
                f"{who} {m.model_id}: WER / TER / SER in percent ({rel.WER_LABEL})",
                " / ".join(
                    shown_percent(r)
                    for r in (m.word_error_rate, m.token_error_rate, m.sentence_error_rate)
                ),
            ),
            (
                f"{who}: substitutions / deletions / insertions",
                f"{m.substitutions} / {m.deletions} / {m.insertions}",
            ),
            (
                f"{who}: words / correct words / sentences / tokens",
                f"{m.word_count} / {m.correct_word_count} / {m.sentence_count} / {m.token_count}",
            ),
        )
    note(
        "Most frequent error words: not given; the evaluation's result files the service "
        "documents (EvaluationDetails, Transcription) carry no per-word list we could read."
    )


__all__ = ["ReleaseResult", "custom_speech_release", "release_step"]
