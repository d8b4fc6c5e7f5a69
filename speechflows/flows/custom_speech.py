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

from speechflows.flows.common import (
    check_settings,
    settle,
    stage_step,
    validation_gate,
    wait_options,
)
from speechflows.flows.params import (
    ZIPPED_KINDS,
    CustomSpeechParams,
    DatasetSpec,
    SpeechModelParams,
)
from speechflows.flows.report import RunReport, figures, note, record, stage
from speechflows.flows.results import CustomSpeechResult, DatasetResult, ValidationSummary
from speechflows.settings import load_storage_settings
from speechflows.speech.errors import ResourceFailedError
from speechflows.tasks import custom_speech as cs
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import manifest_of, package_dataset
from speechflows.tasks.outcomes import (
    DatasetReport,
    EvaluationOutcome,
    ResourceOutcome,
    ValidationOutcome,
)


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
        params: the fields below (each says what it does and its default).

    Returns:
        Project, per-dataset accepted/rejected lines and reports, model and WER figures, timings.
    """
    p = params
    check_settings()
    container = load_storage_settings().container
    prefixes = {spec.name: f"{p.resolved_prefix()}{_slug(spec.name)}/" for spec in p.datasets}
    with RunReport(
        f"Custom speech onboarding: {p.project_name}",
        artifact_key("report", artifact_key(p.project_name)),
    ) as report:
        # Every dataset is checked before anything is created or uploaded.
        with stage("validate"):
            checked = [(spec, _validate(p, spec)) for spec in p.datasets]
        with stage("project"):
            project = cs.ensure_speech_project(
                p.project_name, locale=p.locale, description=p.project_description
            )
        record(project)
        datasets = [
            _onboard_dataset(p, spec, outcome, project, container, prefixes[spec.name])
            for spec, outcome in checked
        ]
        base = model = evaluation = None
        if p.model is not None:
            base, model, evaluation = _train_and_evaluate(p, p.model, datasets, project)
        return report.complete(
            CustomSpeechResult(
                project=project,
                datasets=datasets,
                base_model=base,
                model=model,
                evaluation=evaluation,
            )
        )


def _validate(p: CustomSpeechParams, spec: DatasetSpec) -> ValidationOutcome:
    _, outcome = validation_gate(
        spec.path,
        spec.kind,
        locale=p.locale,
        table_key=artifact_key("validation", artifact_key(p.project_name), _slug(spec.name)),
        force=p.force,
        refresh_cache=p.refresh_cache,
        reject_prefix=f"{spec.name}: ",
    )
    return outcome


def _onboard_dataset(
    p: CustomSpeechParams,
    spec: DatasetSpec,
    outcome: ValidationOutcome,
    project: ResourceOutcome,
    container: str,
    prefix: str,
) -> DatasetResult:
    """Package → stage → import → wait for one validated dataset."""
    progress_key = artifact_key("progress", artifact_key(p.project_name), _slug(spec.name))
    drop = outcome.rejected_files if (p.force and outcome.has_errors) else []
    with stage(f"stage {spec.name}"):
        packaged = package_dataset(Path(spec.path), spec.kind, drop)
        manifest = manifest_of(packaged)
        staging = stage_step(
            manifest,
            prefix=prefix,
            container=container,
            progress_key=progress_key,
        )
    with stage(f"import {spec.name}"):
        dataset, report = _import_dataset(
            p, spec, manifest.hash, project, container, prefix + manifest.entries[0].path
        )
    report = report.model_copy(
        update={"dataset": report.dataset.model_copy(update={"action": dataset.action})}
    )
    record(report.dataset)
    figures(
        (
            f"{spec.name}: accepted / rejected lines",
            f"{report.accepted_lines} / {report.rejected_lines}",
        ),
        (f"{spec.name}: uploaded bytes", staging.uploaded_bytes),
    )
    if report.duration_seconds is not None:
        figures((f"{spec.name}: audio (s)", report.duration_seconds))
    return DatasetResult(
        name=spec.name,
        kind=spec.kind,
        validation=ValidationSummary.of(outcome, forced=bool(drop)),
        staging=staging,
        report=report,
    )


def _import_dataset(
    p: CustomSpeechParams,
    spec: DatasetSpec,
    manifest_hash: str,
    project: ResourceOutcome,
    container: str,
    blob_name: str,
) -> tuple[ResourceOutcome, DatasetReport]:
    """Create the dataset and wait for its import; with a fresh SAS again if the read failed.

    An import the service could not read (``cs.UNREADABLE_DATA_CODES``, e.g. the SAS expired
    while the import was queued) is created again with a newly minted SAS, at most
    ``cs.IMPORT_ATTEMPTS`` times. The lookup skips Failed datasets, so a new attempt creates a
    new dataset; the failed one stays on the service as the record of the failure.
    """
    progress_key = artifact_key("progress", artifact_key(p.project_name), _slug(spec.name))
    for attempt in range(1, cs.IMPORT_ATTEMPTS + 1):
        # a new attempt must not reuse the cached (failed) dataset: it refreshes the cache
        refresh = p.refresh_cache or attempt > 1
        dataset = settle(
            cs.create_dataset.with_options(refresh_cache=refresh)(
                spec.name,
                kind=spec.kind,
                locale=p.locale,
                manifest_hash=manifest_hash,
                container=container,
                blob_name=blob_name,
                project_url=project.url,
                description=spec.description,
                read_deadline_minutes=p.deadlines.dataset_minutes,
                return_state=True,
            )
        )
        try:
            report = cs.wait_for_dataset.with_options(refresh_cache=refresh)(
                dataset.url or dataset.id,
                display_name=spec.name,
                kind=spec.kind,
                project_id=project.id,
                wait=wait_options(p.deadlines, p.deadlines.dataset_minutes),
                progress_key=progress_key,
            )
        except ResourceFailedError as exc:
            if exc.code not in cs.UNREADABLE_DATA_CODES or attempt == cs.IMPORT_ATTEMPTS:
                raise
            message = (
                f"dataset {spec.name!r}: the service could not read the data ({exc.code}, "
                f"dataset {dataset.id}, attempt {attempt} of {cs.IMPORT_ATTEMPTS}); minting a "
                "fresh SAS and creating the dataset again"
            )
            get_run_logger().warning(message)
            note(message)
            continue
        return dataset, report
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _train_and_evaluate(
    p: CustomSpeechParams,
    m: SpeechModelParams,
    datasets: list[DatasetResult],
    project: ResourceOutcome,
) -> tuple[ResourceOutcome, ResourceOutcome, EvaluationOutcome | None]:
    """Base model → custom model trained on the chosen datasets → evaluation if a test set is named."""
    proj_key = artifact_key(p.project_name)
    by_name = {r.name: r for r in datasets}
    train = [by_name[n] for n in p.training_dataset_names()]
    with stage("base model"):
        base = cs.choose_base_model(p.locale, sorted({r.kind for r in train}), m.base_model)
    record(base)
    with stage("train model"):
        model: ResourceOutcome = settle(
            cs.train_speech_model.with_options(refresh_cache=p.refresh_cache)(
                m.display_name,
                locale=p.locale,
                base_model_url=base.url or base.id,
                dataset_urls=[r.report.dataset.url or r.report.dataset.id for r in train],
                project_url=project.url,
                wait=wait_options(p.deadlines, p.deadlines.model_minutes),
                progress_key=artifact_key("progress", proj_key, "model"),
                return_state=True,
            )
        )
    record(model)
    if not m.test_dataset:
        return base, model, None
    test = by_name[m.test_dataset]
    with stage("evaluate"):
        evaluation: EvaluationOutcome = settle(
            cs.evaluate_model.with_options(refresh_cache=p.refresh_cache)(
                f"{m.display_name} vs base on {test.name}",
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
    record(evaluation.evaluation)
    figures(
        (
            "WER base model (simulated by the emulator, real on Azure)",
            evaluation.word_error_rate_base,
        ),
        ("WER custom model", evaluation.word_error_rate_custom),
    )
    return base, model, evaluation


__all__ = ["ZIPPED_KINDS", "custom_speech_onboarding"]
