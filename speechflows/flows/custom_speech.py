"""Custom speech onboarding: project → per dataset (validate → package → stage → import → wait).

Optionally: train a model on chosen datasets from a base model that adapts with their kinds (a
deprecated one is refused) → wait → evaluate the custom model against the base model on an
Acoustic test dataset → word error rates in the report → with ``release``: the model against
production, promoted to the endpoint if it passes the WER gate (:mod:`.release`). Every dataset is validated before the
first byte is uploaded. Each dataset's blob prefix (``<storage_prefix>/<dataset>/``) belongs to
the onboarding: staging leaves exactly the dataset's file in it.

Example:
    >>> custom_speech_onboarding(CustomSpeechParams(project_name="Call center",   # doctest: +SKIP
    ...     datasets=[DatasetSpec(name="phrases", kind="Language", path="data/phrases.txt")]))
"""

from __future__ import annotations

from typing import Any

from prefect import Task
from prefect.logging import get_run_logger

from speechflows.flows.audio import audio_step
from speechflows.flows.common import (
    check_settings,
    data_location,
    onboarding_flow,
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
from speechflows.location import DataLocation, DataSourceError
from speechflows.settings import load_storage_settings
from speechflows.speech.errors import ResourceFailedError
from speechflows.tasks import custom_speech as cs
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import manifest_of, package_dataset
from speechflows.tasks.in_place import blob_manifest, in_place_outcome
from speechflows.tasks.outcomes import (
    DatasetReport,
    EvaluationOutcome,
    ResourceOutcome,
    ValidationOutcome,
    shown_percent,
)
from speechflows.tasks.parking import raise_if_resumed_failed, wait_or_park


def _slug(name: str) -> str:
    return artifact_key(name) or "dataset"


@onboarding_flow("custom-speech-onboarding", "custom speech {params.project_name}")
def custom_speech_onboarding(params: CustomSpeechParams) -> CustomSpeechResult:
    """Onboard custom speech datasets (and optionally train and evaluate a model).

    Args:
        params: the fields below (each says what it does and its default).

    Returns:
        Project, per-dataset accepted/rejected lines and reports, model and WER figures, timings.
    """
    p = params
    raise_if_resumed_failed()  # the watcher found this run's parked wait Failed
    sources = {spec.name: _source(p, spec) for spec in p.datasets}
    check_settings(storage=not all(s.in_place for s in sources.values()))
    container = load_storage_settings().container
    prefixes = {spec.name: f"{p.resolved_prefix()}{_slug(spec.name)}/" for spec in p.datasets}
    with RunReport(
        f"Custom speech onboarding: {p.project_name}",
        artifact_key("report", artifact_key(p.project_name)),
    ) as report:
        # Every dataset is checked before anything is created or uploaded.
        with stage("validate"):
            checked = [(spec, _validate(p, spec, sources[spec.name])) for spec in p.datasets]
        with stage("project"):
            project = cs.ensure_speech_project(
                p.project_name, locale=p.locale, description=p.project_description
            )
        record(project)
        datasets = [
            _onboard_dataset(
                p, spec, outcome, project, container, prefixes[spec.name], sources[spec.name]
            )
            for spec, outcome in checked
        ]
        base = model = evaluation = released = None
        if p.model is not None:
            base, model, evaluation = _train_and_evaluate(p, p.model, datasets, project)
        if p.release is not None and model is not None and p.model and p.model.test_dataset:
            # The release gate loads only in a run that releases (docs/architecture.md
            # "Import-time budget").
            from speechflows.flows.release import release_step

            test = next(d for d in datasets if d.name == p.model.test_dataset)
            released = release_step(
                p.release,
                candidate=model.url or model.id,
                test_dataset=test.report.dataset.url or test.report.dataset.id,
                locale=p.locale,
                project_url=project.url,
                deadlines=p.deadlines,
            )
        return report.complete(
            CustomSpeechResult(
                project=project,
                datasets=datasets,
                base_model=base,
                model=model,
                evaluation=evaluation,
                release=released,
            )
        )


def _source(p: CustomSpeechParams, spec: DatasetSpec) -> DataLocation:
    """The dataset's data: a local path, or ONE blob (its zip or text file) read in place."""
    source = data_location(
        spec.path,
        kind=spec.kind,
        locale=p.locale,
        read_deadline_minutes=p.deadlines.dataset_minutes,
        field=f"datasets[{spec.name}].path",
    )
    if source.in_place and not source.single:
        what = "the .zip of its audio and transcript" if spec.kind in ZIPPED_KINDS else "its file"
        raise DataSourceError(
            f"dataset {spec.name!r}: {source.display} is a prefix, but custom speech imports one "
            f"file per dataset ({spec.kind}: {what}); zipping blobs would mean moving them",
            fix="name the blob itself (blob://<container>/<path>.zip, or the URL of the blob "
            "with its SAS), or give a local folder to package and upload",
        )
    return source


def _validate(p: CustomSpeechParams, spec: DatasetSpec, source: DataLocation) -> ValidationOutcome:
    _, outcome = validation_gate(
        source,
        spec.kind,
        locale=p.locale,
        table_key=artifact_key("validation", artifact_key(p.project_name), _slug(spec.name)),
        force=p.force,
        refresh_cache=p.refresh_cache,
        reject_prefix=f"{spec.name}: ",
    )
    audio_step(
        source,
        spec.kind,
        outcome,
        validation_key=artifact_key("validation", artifact_key(p.project_name), _slug(spec.name)),
        asked=p.audio_checks,
        label=spec.name,
    )
    return outcome


def _onboard_dataset(
    p: CustomSpeechParams,
    spec: DatasetSpec,
    outcome: ValidationOutcome,
    project: ResourceOutcome,
    container: str,
    prefix: str,
    source: DataLocation,
) -> DatasetResult:
    """Package → stage → import → wait for one validated dataset (read in place: import → wait)."""
    progress_key = artifact_key("progress", p.project_name, _slug(spec.name), "stage")
    drop = outcome.rejected_files if (p.force and outcome.has_errors) else []
    with stage(f"stage {spec.name}"):
        if source.in_place:
            manifest = blob_manifest(source)
            staging = in_place_outcome(manifest, source)
            container, blob = source.container, source.blob or ""
        else:
            packaged = package_dataset(source.local, spec.kind, drop)
            manifest = manifest_of(packaged)
            staging = stage_step(
                manifest,
                prefix=prefix,
                container=container,
                progress_key=progress_key,
            )
            blob = prefix + manifest.entries[0].path
    with stage(f"import {spec.name}"):
        dataset, report = _import_dataset(p, spec, manifest.hash, project, container, blob, source)
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
    source: DataLocation,
) -> tuple[ResourceOutcome, DatasetReport]:
    """Create the dataset and wait for its import: a new attempt for every failure a new import
    can fix, a refusal with the service's reason for the others.

    The rule (README "Failed imports"): a dataset that failed on the service's side
    (``cs.SERVICE_SIDE_CODES``: Internal, InaccessibleCustomerStorage...) gets a new dataset
    for the same content — at once when the service could not read the data (a fresh SAS,
    ``cs.UNREADABLE_DATA_CODES``), else on the next plain run, which finds the failed one in the
    cache, creates the new one and names the failed ones in its report (``cleanup_previous``
    deletes them). A failure the data caused is refused with the service's reason, once per
    run, never imported again as is. At most ``cs.IMPORT_ATTEMPTS`` datasets per run.
    """
    progress_key = artifact_key("progress", p.project_name, _slug(spec.name), "wait")
    refresh = p.refresh_cache
    for attempt in range(1, cs.IMPORT_ATTEMPTS + 1):
        # a new attempt must not reuse the cached (failed) dataset: it refreshes the cache
        state = cs.create_dataset.with_options(refresh_cache=refresh)(
            spec.name,
            kind=spec.kind,
            locale=p.locale,
            manifest_hash=manifest_hash,
            container=container,
            blob_name=blob_name,
            project_url=project.url,
            description=spec.description,
            read_deadline_minutes=p.deadlines.dataset_minutes,
            user_sas=source if source.sas else None,
            return_state=True,
        )
        earlier_run = state.name == "Cached"
        dataset: ResourceOutcome = settle(state)
        try:
            report = _wait_for_dataset(p, spec, dataset, project, refresh, progress_key)
        except ResourceFailedError as exc:
            last = attempt == cs.IMPORT_ATTEMPTS
            if earlier_run and cs.new_import_helps(exc.code) and not last:
                why = f"failed in an earlier run ({exc.code})"
            elif exc.code in cs.UNREADABLE_DATA_CODES and not last:
                why = f"failed: the service could not read the data ({exc.code}); fresh SAS"
            else:
                raise cs.dataset_failed(spec.name, dataset.id, exc) from exc
            message = (
                f"dataset {spec.name!r}: {dataset.id} {why}: importing the same content again "
                f"as a new dataset (attempt {attempt + 1} of at most {cs.IMPORT_ATTEMPTS})"
            )
            get_run_logger().warning(message)
            note(message)
            refresh = True
            continue
        _failed_attempts(p, spec, manifest_hash, project, dataset)
        return dataset, report
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover


def _failed_attempts(
    p: CustomSpeechParams,
    spec: DatasetSpec,
    manifest_hash: str,
    project: ResourceOutcome,
    dataset: ResourceOutcome,
) -> None:
    """Name the failed earlier datasets of this content in the report (one list call, only when
    this run created the dataset or cleans up); ``cleanup_previous`` deletes them."""
    if dataset.action != "created" and not p.cleanup_previous:
        return
    failed = cs.failed_dataset_attempts(
        spec.name,
        manifest_hash=manifest_hash,
        project_url=project.url,
        current_url=dataset.url or dataset.id,
        cleanup_previous=p.cleanup_previous,
    )
    for f in failed:
        what = "deleted (cleanup_previous)" if f.deleted else "kept; cleanup_previous deletes it"
        note(
            f"dataset {spec.name!r}: failed attempt {f.id} ({f.code or 'no reason'}, created "
            f"{f.created}): {what}"
        )
    if failed:
        figures((f"{spec.name}: failed attempts", ", ".join(f.id for f in failed)))


def _wait_for_dataset(
    p: CustomSpeechParams,
    spec: DatasetSpec,
    dataset: ResourceOutcome,
    project: ResourceOutcome,
    refresh: bool,
    progress_key: str,
) -> DatasetReport:
    """Wait for the dataset's import (parking the run if it takes longer than park_after)."""
    report: DatasetReport = wait_or_park(
        lambda wait: cs.wait_for_dataset.with_options(refresh_cache=refresh)(
            dataset.url or dataset.id,
            display_name=spec.name,
            kind=spec.kind,
            project_id=project.id,
            wait=wait,
            progress_key=progress_key,
        ),
        wait_options(p.deadlines, p.deadlines.dataset_minutes, parks=True),
        key=f"dataset {dataset.id}",
    )
    return report


def evaluated_on_training_data(
    test: str, test_hash: str, train: list[tuple[str, str]]
) -> str | None:
    """A warning when the test dataset is also training data: by name (``model.datasets``
    names it) or by content (another dataset holds the same data); ``None`` otherwise.

    >>> evaluated_on_training_data("calls", "h1", [("calls", "h1")]) is not None
    True
    >>> print(evaluated_on_training_data("calls", "h1", [("faq", "h2")]))
    None
    """
    same = [n for n, h in train if n == test] or [n for n, h in train if h == test_hash]
    if not same:
        return None
    how = (
        "model.datasets names it"
        if same == [test]
        else f"it holds the same data as training dataset {same[0]!r}"
    )
    return (
        f"model.test_dataset {test!r} is also training data ({how}): the word error rate on "
        "it says little about audio the model has not heard → leave it out of model.datasets, "
        "or test on recordings the model was not trained on"
    )


def _parked(
    p: CustomSpeechParams,
    step: Task[..., Any],
    minutes: float,
    key: str,
    progress: str,
    *args: Any,
    **kwargs: Any,
) -> Any:
    """The result of the task ``step`` (cache refreshed when asked) given the stage's wait of
    ``minutes``, which parks the run past ``park_after_minutes`` (:func:`wait_or_park`, ``key``),
    and the progress artifact ``progress`` of the project."""
    progress_key = artifact_key("progress", artifact_key(p.project_name), progress)
    return wait_or_park(
        lambda wait: settle(
            step.with_options(refresh_cache=p.refresh_cache)(
                *args, wait=wait, progress_key=progress_key, return_state=True, **kwargs
            )
        ),
        wait_options(p.deadlines, minutes, parks=True),
        key=key,
    )


def _train_and_evaluate(
    p: CustomSpeechParams,
    m: SpeechModelParams,
    datasets: list[DatasetResult],
    project: ResourceOutcome,
) -> tuple[ResourceOutcome, ResourceOutcome, EvaluationOutcome | None]:
    """Base model → custom model trained on the chosen datasets → evaluation if a test set is named."""
    by_name = {r.name: r for r in datasets}
    train = [by_name[n] for n in p.training_dataset_names()]
    with stage("base model"):
        base = cs.choose_base_model(p.locale, sorted({r.kind for r in train}), m.base_model)
    record(base)
    with stage("train model"):
        model: ResourceOutcome = _parked(
            p,
            cs.train_speech_model,
            p.deadlines.model_minutes,
            f"speech model {m.display_name}",
            "model",
            m.display_name,
            locale=p.locale,
            base_model_url=base.url or base.id,
            dataset_urls=[r.report.dataset.url or r.report.dataset.id for r in train],
            project_url=project.url,
        )
    record(model)
    if not m.test_dataset:
        return base, model, None
    test = by_name[m.test_dataset]
    overlap = evaluated_on_training_data(
        test.name, test.staging.manifest_hash, [(r.name, r.staging.manifest_hash) for r in train]
    )
    if overlap:
        get_run_logger().warning(overlap)
        note(overlap)
    with stage("evaluate"):
        evaluation: EvaluationOutcome = _parked(
            p,
            cs.evaluate_model,
            p.deadlines.evaluation_minutes,
            f"evaluation {m.display_name} on {test.name}",
            "evaluation",
            f"{m.display_name} vs base on {test.name}",
            locale=p.locale,
            base_model_url=base.url or base.id,
            model_url=model.url or model.id,
            dataset_url=test.report.dataset.url or test.report.dataset.id,
            project_url=project.url,
        )
    record(evaluation.evaluation)
    figures(
        (
            "WER base model (simulated by the emulator, real on Azure)",
            shown_percent(evaluation.word_error_rate_base),
        ),
        ("WER custom model", shown_percent(evaluation.word_error_rate_custom)),
    )
    return base, model, evaluation


__all__ = ["ZIPPED_KINDS", "custom_speech_onboarding", "evaluated_on_training_data"]
