"""Custom speech onboarding: project → per dataset (validate → package → stage → import → wait).

Optionally: train a model on chosen datasets from a base model that adapts with their kinds (a
deprecated one is refused) → wait → evaluate the custom model against the base model on an
Acoustic test dataset → word error rates in the report. Every dataset is validated before the
first byte is uploaded. Each dataset's blob prefix (``<storage_prefix>/<dataset>/``) belongs to
the onboarding: staging leaves exactly the dataset's file in it.

Example:
    >>> custom_speech_onboarding(CustomSpeechParams(project_name="Call center",   # doctest: +SKIP
    ...     datasets=[DatasetSpec(name="phrases", kind="Language", path="data/phrases.txt")]))
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.logging import get_run_logger

from speechflows.deployments.params import ZIPPED_KINDS, CustomSpeechParams, DatasetSpec
from speechflows.flows.common import (
    Stages,
    check_settings,
    prefetch_staged_hash,
    publish_report,
    rejects_of,
    settle,
    stage_step,
    validation_gate,
    wait_options,
)
from speechflows.flows.results import CustomSpeechResult, DatasetResult, ValidationSummary
from speechflows.tasks import custom_speech as cs
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import manifest_of, package_dataset
from speechflows.tasks.outcomes import EvaluationOutcome, ResourceOutcome, ValidationOutcome


def _slug(name: str) -> str:
    return artifact_key(name) or "dataset"


@flow(
    name="custom-speech-onboarding",
    flow_run_name="custom speech {params.project_name}",
    validate_parameters=True,
)
def custom_speech_onboarding(params: CustomSpeechParams) -> CustomSpeechResult:
    """Onboard custom speech datasets (and optionally train and evaluate a model).

    Args:
        params: see :class:`~speechflows.deployments.params.CustomSpeechParams`.

    Returns:
        Project, per-dataset accepted/rejected lines and reports, model and WER figures, timings.
    """
    log = get_run_logger()
    check_settings()
    p = params
    proj_key = artifact_key(p.project_name)
    report_key = artifact_key("report", proj_key)
    stages = Stages()
    notes: list[str] = []
    facts: list[tuple[str, object]] = []
    rejects: list[tuple[str, str, str]] = []
    project: ResourceOutcome | None = None
    results: list[DatasetResult] = []
    base: ResourceOutcome | None = None
    model: ResourceOutcome | None = None
    evaluation: EvaluationOutcome | None = None
    resources: list[ResourceOutcome | None] = []
    from speechflows.settings import load_storage_settings

    container = load_storage_settings().container
    prefixes = {spec.name: f"{p.resolved_prefix()}{_slug(spec.name)}/" for spec in p.datasets}
    last_staged = {
        name: prefetch_staged_hash(container, prefix) for name, prefix in prefixes.items()
    }
    error: BaseException | None = None
    try:
        # Every dataset is checked before anything is created or uploaded.
        checked: list[tuple[DatasetSpec, ValidationOutcome]] = []
        with stages("validate"):
            for spec in p.datasets:
                _, outcome = validation_gate(
                    spec.path,
                    spec.kind,
                    locale=p.locale,
                    table_key=artifact_key("validation", proj_key, _slug(spec.name)),
                    force=p.force,
                    refresh_cache=p.refresh_cache,
                    notes=notes,
                )
                checked.append((spec, outcome))
                rejects += [(f"{spec.name}: {f}", c, r) for f, c, r in rejects_of(outcome)]
        with stages("project"):
            project = cs.ensure_speech_project(
                p.project_name, locale=p.locale, description=p.project_description
            )
        resources.append(project)
        for spec, outcome in checked:
            slug = _slug(spec.name)
            drop = outcome.rejected_files if (p.force and outcome.has_errors) else []
            with stages(f"stage {spec.name}"):
                packaged = package_dataset(Path(spec.path), spec.kind, drop)
                manifest = manifest_of(packaged)
                prefix = prefixes[spec.name]
                staging = stage_step(
                    manifest,
                    prefix=prefix,
                    container=container,
                    progress_key=artifact_key("progress", proj_key, slug),
                    refresh_cache=p.refresh_cache,
                    last_staged=last_staged[spec.name],
                )
            with stages(f"import {spec.name}"):
                dataset = settle(
                    cs.create_dataset.with_options(refresh_cache=p.refresh_cache)(
                        spec.name,
                        kind=spec.kind,
                        locale=p.locale,
                        manifest_hash=manifest.hash,
                        container=container,
                        blob_name=prefix + manifest.entries[0].path,
                        project_url=project.url,
                        description=spec.description,
                        return_state=True,
                    )
                )
                report = cs.wait_for_dataset.with_options(refresh_cache=p.refresh_cache)(
                    dataset.url or dataset.id,
                    display_name=spec.name,
                    kind=spec.kind,
                    project_id=project.id,
                    wait=wait_options(p.deadlines, p.deadlines.dataset_minutes),
                    progress_key=artifact_key("progress", proj_key, slug),
                )
            report = report.model_copy(
                update={"dataset": report.dataset.model_copy(update={"action": dataset.action})}
            )
            resources.append(report.dataset)
            forced = bool(drop)
            results.append(
                DatasetResult(
                    name=spec.name,
                    kind=spec.kind,
                    validation=ValidationSummary.of(outcome, forced=forced),
                    staging=staging,
                    report=report,
                )
            )
            facts += [
                (
                    f"{spec.name}: accepted / rejected lines",
                    f"{report.accepted_lines} / {report.rejected_lines}",
                ),
                (f"{spec.name}: uploaded bytes", staging.uploaded_bytes),
            ]
            if report.duration_seconds is not None:
                facts.append((f"{spec.name}: audio (s)", report.duration_seconds))
        if p.model is not None:
            by_name = {r.name: r for r in results}
            train = [by_name[n] for n in p.training_dataset_names()]
            kinds = sorted({r.kind for r in train})
            with stages("base model"):
                base = cs.choose_base_model(p.locale, kinds, p.model.base_model)
            resources.append(base)
            with stages("train model"):
                model = settle(
                    cs.train_speech_model.with_options(refresh_cache=p.refresh_cache)(
                        p.model.display_name,
                        locale=p.locale,
                        base_model_url=base.url or base.id,
                        dataset_urls=[r.report.dataset.url or r.report.dataset.id for r in train],
                        project_url=project.url,
                        wait=wait_options(p.deadlines, p.deadlines.model_minutes),
                        progress_key=artifact_key("progress", proj_key, "model"),
                        return_state=True,
                    )
                )
            resources.append(model)
            if p.model.test_dataset:
                test = by_name[p.model.test_dataset]
                with stages("evaluate"):
                    evaluation = settle(
                        cs.evaluate_model.with_options(refresh_cache=p.refresh_cache)(
                            f"{p.model.display_name} vs base on {test.name}",
                            locale=p.locale,
                            base_model_url=base.url or base.id,
                            model_url=model.url or model.id,
                            dataset_url=test.report.dataset.url or test.report.dataset.id,
                            project_url=project.url,
                            wait=wait_options(p.deadlines, p.deadlines.evaluation_minutes),
                            progress_key=artifact_key("progress", proj_key, "evaluation"),
                            return_state=True,
                        )
                    )
                resources.append(evaluation.evaluation)
                facts += [
                    (
                        "WER base model (simulated by the emulator, real on Azure)",
                        evaluation.word_error_rate_base,
                    ),
                    ("WER custom model", evaluation.word_error_rate_custom),
                ]
    except BaseException as exc:
        error = exc
        raise
    finally:
        publish_report(
            f"Custom speech onboarding: {p.project_name}",
            report_key,
            resources=resources,
            facts=facts,
            rejects=rejects,
            stages=stages,
            notes=notes,
            error=error,
        )
    assert project is not None
    result = CustomSpeechResult(
        project=project,
        datasets=results,
        base_model=base,
        model=model,
        evaluation=evaluation,
        timings=stages.timings,
        report_key=report_key,
        seconds=stages.total,
    )
    log.info(
        "custom speech %r onboarded: %d datasets; created %s; reused %s",
        p.project_name,
        len(results),
        result.created or "nothing",
        result.reused or "nothing",
    )
    return result


__all__ = ["ZIPPED_KINDS", "custom_speech_onboarding"]
