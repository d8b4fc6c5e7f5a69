"""Professional voice onboarding: project → consent → training set → validate → stage → upload → wait.

Optionally a model (recipe checked against the utterance count) and an endpoint. Every step is a
task with transient-only retries; staging and the upload are cached on the manifest hash, so an
unchanged re-run uploads nothing and creates nothing. Works against real Azure or the emulator:
only the settings in the environment differ.

The blob prefix (``storage_prefix``, default ``professional-voice/<project>/<training set>/``)
belongs to the onboarding: staging mirrors the local folder into it, deleting blobs of files
that were deleted or renamed locally, so the service never imports a stale file.

Example:
    >>> from speechflows.flows.params import ConsentParams, ProfessionalVoiceParams
    >>> professional_voice_onboarding(ProfessionalVoiceParams(          # doctest: +SKIP
    ...     project_id="jessica", data_dir="data/jessica",
    ...     consent=ConsentParams(voice_talent_name="Jessica Doe", company_name="Contoso",
    ...                           audio_file="data/consent.wav")))
"""

from __future__ import annotations

from speechflows.datasets.manifest import Manifest
from speechflows.flows.audio import audio_step
from speechflows.flows.common import (
    check_settings,
    consent_gate,
    data_location,
    onboarding_flow,
    previous_versions,
    settle,
    stage_step,
    validation_gate,
    voice_project_and_consent,
    wait_options,
)
from speechflows.flows.params import ProfessionalVoiceParams, VoiceModelParams, version_pattern
from speechflows.flows.report import RunReport, figures, note, record, stage
from speechflows.flows.results import ProfessionalVoiceResult, ValidationSummary
from speechflows.flows.try_out import try_voice_step
from speechflows.location import DataLocation
from speechflows.settings import load_storage_settings
from speechflows.tasks import custom_voice as cv
from speechflows.tasks import voice_models
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import AUDIO_EXTENSIONS, SCRIPT_EXTENSIONS, extensions_for
from speechflows.tasks.in_place import in_place_outcome
from speechflows.tasks.outcomes import (
    OperationOutcome,
    ResourceOutcome,
    StageOutcome,
    TrainingSetReport,
    ValidationOutcome,
)
from speechflows.tasks.parking import raise_if_resumed_failed, wait_or_park
from speechflows.tasks.try_voice import VoiceTarget


@onboarding_flow("professional-voice-onboarding", "professional voice {params.project_id}")
def professional_voice_onboarding(params: ProfessionalVoiceParams) -> ProfessionalVoiceResult:
    """Onboard a professional voice training set (and optionally train and deploy a model).

    Args:
        params: what to onboard; the fields below (each says what it does and its default).

    Returns:
        Ids, links, counts (utterances, duration, rejects) and timings per stage.
    """
    p = params
    raise_if_resumed_failed()  # the watcher found this run's parked wait Failed
    source = data_location(
        p.data_dir,
        kind=p.data_kind,
        locale=p.locale,
        read_deadline_minutes=p.deadlines.training_set_minutes,
    )
    check_settings(storage=not source.in_place)
    base_id = p.resolved_training_set_id()
    container, prefix = _where(p, source)
    with RunReport(
        f"Professional voice onboarding: {p.project_id}",
        artifact_key("report", p.project_id, base_id),
    ) as report:
        with stage("validate"):
            manifest, validation = _validate(p, source)
            if p.model is not None:  # refused now, not after project, consent and upload
                voice_models.check_recipe(
                    p.model.recipe_kind, utterance_count=validation.utterance_count, locale=p.locale
                )
            consent_hash = consent_gate(
                p.consent, project_id=p.project_id, locale=p.locale, refresh_cache=p.refresh_cache
            )
        project, consent = voice_project_and_consent(p, "ProfessionalVoice", consent_hash)
        ts_id = p.versioned_training_set_id(manifest.hash)
        with stage("training set"):
            training_set = cv.ensure_training_set(
                ts_id, project_id=p.project_id, locale=p.locale, voice_kind=p.voice_kind
            )
        record(training_set)
        with stage("stage"):
            staged = (
                in_place_outcome(manifest, source)
                if source.in_place
                else stage_step(
                    manifest,
                    prefix=prefix,
                    container=container,
                    progress_key=artifact_key("progress", p.project_id, base_id, "stage"),
                )
            )
        figures(*_staging_figures(staged))
        with stage("upload"):
            operation = _upload(p, ts_id, manifest.hash, staged, source)
        with stage("wait for training set"):
            uploaded = _wait_for(p, ts_id, operation, manifest.hash, staged)
        training_set = record(
            training_set.model_copy(update={"status": uploaded.training_set.status})
        )
        with stage("lineage"):
            _lineage(p, ts_id)
        model, endpoint = (
            _model_and_endpoint(p, p.model, uploaded, consent.id) if p.model else (None, None)
        )
        if p.try_sentences is not None and p.model is not None:
            _try_voice(p, p.model, endpoint)
        return report.complete(
            ProfessionalVoiceResult(
                project=project,
                consent=consent,
                training_set=training_set,
                upload_operation_id=operation.operation_id,
                upload_action=operation.action,
                validation=ValidationSummary.of(
                    validation, forced=bool(p.force and validation.has_errors)
                ),
                staging=staged,
                utterance_count=uploaded.utterance_count,
                duration_seconds=uploaded.duration_seconds,
                model=model,
                endpoint=endpoint,
            )
        )


def _where(p: ProfessionalVoiceParams, source: DataLocation) -> tuple[str, str]:
    """The container and prefix the service reads: the data's own when it is read in place
    (nothing staged, nothing pruned there), else the onboarding's staging prefix."""
    if source.in_place:
        return source.container, source.prefix_dir
    return load_storage_settings().container, p.resolved_prefix()


def _validate(
    p: ProfessionalVoiceParams, source: DataLocation
) -> tuple[Manifest, ValidationOutcome]:
    """The training data's manifest and validation (errors stop the flow unless ``force``)."""
    manifest, validation = validation_gate(
        source,
        p.data_kind,
        locale=p.locale,
        table_key=artifact_key("validation", p.project_id, p.resolved_training_set_id()),
        force=p.force,
        extensions=extensions_for(p.data_kind),
        min_utterances=p.min_utterances,
        refresh_cache=p.refresh_cache,
    )
    figures(
        ("files checked", validation.files_checked),
        ("valid utterances (local check)", validation.utterance_count),
        ("audio (local check, s)", round(validation.total_audio_seconds, 1)),
        ("validation errors / warnings", f"{validation.error_count} / {validation.warning_count}"),
    )
    audio_step(
        source,
        p.data_kind,
        validation,
        validation_key=artifact_key("validation", p.project_id, p.resolved_training_set_id()),
        asked=p.audio_checks,
    )
    return manifest, validation


def _staging_figures(staged: StageOutcome) -> list[tuple[str, object]]:
    return [
        (
            "staged files (uploaded / unchanged)",
            f"{staged.uploaded_files} / {staged.skipped_files}",
        ),
        ("uploaded bytes", staged.uploaded_bytes),
        ("stale blobs deleted", staged.deleted_files),
        ("blob location", f"{staged.container}/{staged.prefix}"),
        ("manifest hash", staged.manifest_hash[:16]),
    ]


def _upload(
    p: ProfessionalVoiceParams,
    ts_id: str,
    manifest_hash: str,
    staged: StageOutcome,
    source: DataLocation,
) -> OperationOutcome:
    """Start (or re-attach to) the one upload of the staged data into its training set version."""
    operation: OperationOutcome = settle(
        cv.start_training_set_upload(
            ts_id,
            kind=p.data_kind,
            manifest_hash=manifest_hash,
            container=staged.container,
            prefix=staged.prefix,
            user_sas=source if source.sas else None,
            audio_extensions=AUDIO_EXTENSIONS[p.data_kind],
            script_extensions=SCRIPT_EXTENSIONS.get(p.data_kind, ()),
            read_deadline_minutes=p.deadlines.training_set_minutes,
            return_state=True,
        )
    )
    return operation


def _wait_for(
    p: ProfessionalVoiceParams,
    ts_id: str,
    operation: OperationOutcome,
    manifest_hash: str,
    staged: StageOutcome,
) -> TrainingSetReport:
    """Wait for the upload to be processed; the training set's utterances and duration."""
    uploaded = wait_or_park(
        lambda wait: cv.wait_for_training_set.with_options(refresh_cache=p.refresh_cache)(
            ts_id,
            operation_id=operation.operation_id,
            continuation_json=operation.continuation or "",
            project_id=p.project_id,
            wait=wait,
            progress_key=artifact_key(
                "progress", p.project_id, p.resolved_training_set_id(), "wait"
            ),
            continuation_var=cv.upload_state_name(ts_id, manifest_hash),
            staged=(staged.container, staged.prefix, staged.files),
        ),
        wait_options(p.deadlines, p.deadlines.training_set_minutes, parks=True),
        key=f"training set {ts_id}",
    )
    figures(
        ("upload operation", f"{operation.operation_id} ({operation.action})"),
        ("utterances (service)", uploaded.utterance_count),
        ("duration (service, s)", uploaded.duration_seconds),
    )
    return uploaded


def _lineage(p: ProfessionalVoiceParams, ts_id: str) -> None:
    """The versions of this training set in the project (and their models) into the report;
    with ``cleanup_previous``, the previous versions no model uses are deleted."""
    versions = cv.training_set_lineage(
        ts_id,
        project_id=p.project_id,
        version_pattern=version_pattern(p.resolved_training_set_id()),
        cleanup_previous=p.cleanup_previous,
    )
    previous = previous_versions("training set", ts_id, versions)
    for v in previous:
        used = f"used by models {', '.join(v.models)}" if v.models else "used by no model"
        what = (
            "deleted (cleanup_previous)"
            if v.deleted
            else "kept" + ("" if v.models else "; cleanup_previous=true deletes it")
        )
        note(
            f"previous version {v.id} ({v.status}, {v.utterance_count} utterances, created "
            f"{v.created}): {used}; {what}"
        )


def _model_and_endpoint(
    p: ProfessionalVoiceParams, m: VoiceModelParams, uploaded: TrainingSetReport, consent_id: str
) -> tuple[ResourceOutcome, ResourceOutcome | None]:
    """Train the voice model on the training set (recipe checked first), then deploy it if asked."""
    model_id = m.resolved_model_id(p.project_id)
    with stage("model"):
        minimum = voice_models.check_recipe(
            m.recipe_kind, utterance_count=uploaded.utterance_count, locale=p.locale
        )
        figures(("recipe minimum utterances", minimum))
        model = record(
            wait_or_park(
                lambda wait: settle(
                    voice_models.ensure_voice_model(
                        model_id,
                        project_id=p.project_id,
                        consent_id=consent_id,
                        training_set_id=uploaded.training_set.id,
                        recipe_kind=m.recipe_kind,
                        voice_name=m.voice_name,
                        locale=m.model_locale,
                        description=m.description,
                        wait=wait,
                        progress_key=artifact_key("progress", p.project_id, "model"),
                        return_state=True,
                    )
                ),
                wait_options(p.deadlines, p.deadlines.model_minutes, parks=True),
                key=f"voice model {model_id}",
            )
        )
    if not m.deploy_endpoint:
        return model, None
    with stage("endpoint"):
        endpoint = record(
            settle(
                voice_models.ensure_voice_endpoint(
                    m.resolved_endpoint_id(p.project_id),
                    project_id=p.project_id,
                    model_id=model_id,
                    wait=wait_options(p.deadlines, p.deadlines.endpoint_minutes),
                    progress_key=artifact_key("progress", p.project_id, "endpoint"),
                    return_state=True,
                )
            )
        )
    return model, endpoint


def _try_voice(
    p: ProfessionalVoiceParams,
    m: VoiceModelParams,
    endpoint: ResourceOutcome | None,
) -> None:
    """Hear the new voice through its endpoint (deploymentId); WAVs beside the run's data."""
    if endpoint is None:
        note("try_sentences: no endpoint was deployed (model.deploy_endpoint=true deploys one)")
        return
    model_id = m.resolved_model_id(p.project_id)
    try_voice_step(
        VoiceTarget(
            kind="professional", name=model_id, endpoint_id=endpoint.id, voice_name=m.voice_name
        ),
        p.try_sentences or [],
        locale=m.model_locale or p.locale,
        container=load_storage_settings().container,
        prefix=f"professional-voice/{p.project_id}/try-{model_id}",
        key=artifact_key("try-voice", p.project_id, model_id),
    )


__all__ = ["professional_voice_onboarding"]
