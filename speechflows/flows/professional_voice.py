"""Professional voice onboarding: project → consent → training set → validate → stage → upload → wait.

Optionally a model (recipe checked against the utterance count) and an endpoint. Every step is a
task with transient-only retries; staging and the upload are cached on the manifest hash, so an
unchanged re-run uploads nothing and creates nothing. Works against real Azure or the emulator:
only the settings in the environment differ.

The blob prefix (``storage_prefix``, default ``professional-voice/<project>/<training set>/``)
belongs to the onboarding: staging mirrors the local folder into it, deleting blobs of files
that were deleted or renamed locally, so the service never imports a stale file.

Example:
    >>> from speechflows.deployments.params import ConsentParams, ProfessionalVoiceParams
    >>> professional_voice_onboarding(ProfessionalVoiceParams(          # doctest: +SKIP
    ...     project_id="jessica", data_dir="data/jessica",
    ...     consent=ConsentParams(voice_talent_name="Jessica Doe", company_name="Contoso",
    ...                           audio_file="data/consent.wav")))
"""

from __future__ import annotations

from prefect import flow
from prefect.logging import get_run_logger

from speechflows.deployments.params import ProfessionalVoiceParams
from speechflows.flows.common import (
    Stages,
    check_settings,
    consent_gate,
    consent_step,
    prefetch_staged_hash,
    publish_report,
    rejects_of,
    settle,
    stage_step,
    validation_gate,
    wait_options,
)
from speechflows.flows.results import ProfessionalVoiceResult, ValidationSummary
from speechflows.tasks import custom_voice as cv
from speechflows.tasks import voice_models
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import AUDIO_EXTENSIONS, SCRIPT_EXTENSIONS, extensions_for
from speechflows.tasks.outcomes import ResourceOutcome, StageOutcome, ValidationOutcome


@flow(
    name="professional-voice-onboarding",
    flow_run_name="professional voice {params.project_id}",
    validate_parameters=True,
)
def professional_voice_onboarding(params: ProfessionalVoiceParams) -> ProfessionalVoiceResult:
    """Onboard a professional voice training set (and optionally train and deploy a model).

    Args:
        params: what to onboard; see :class:`~speechflows.deployments.params.ProfessionalVoiceParams`.

    Returns:
        Ids, links, counts (utterances, duration, rejects) and timings per stage.
    """
    log = get_run_logger()
    check_settings()
    p = params
    ts_id = p.resolved_training_set_id()
    consent_id = p.consent.resolved_id(p.project_id)
    report_key = artifact_key("report", p.project_id, ts_id)
    progress_key = artifact_key("progress", p.project_id, ts_id)
    stages = Stages()
    notes: list[str] = []
    project: ResourceOutcome | None = None
    consent: ResourceOutcome | None = None
    training_set: ResourceOutcome | None = None
    model: ResourceOutcome | None = None
    endpoint: ResourceOutcome | None = None
    validation: ValidationOutcome | None = None
    staging: StageOutcome | None = None
    facts: list[tuple[str, object]] = []
    from speechflows.settings import load_storage_settings

    container = load_storage_settings().container
    last_staged = prefetch_staged_hash(container, p.resolved_prefix())
    error: BaseException | None = None
    try:
        with stages("validate"):
            manifest, validation = validation_gate(
                p.data_dir,
                p.data_kind,
                locale=p.locale,
                table_key=artifact_key("validation", p.project_id, ts_id),
                force=p.force,
                extensions=extensions_for(p.data_kind),
                min_utterances=p.min_utterances,
                refresh_cache=p.refresh_cache,
                notes=notes,
            )
            consent_hash = consent_gate(
                p.consent,
                project_id=p.project_id,
                locale=p.locale,
                refresh_cache=p.refresh_cache,
                notes=notes,
            )
        facts += [
            ("files checked", validation.files_checked),
            ("valid utterances (local check)", validation.utterance_count),
            ("audio (local check, s)", round(validation.total_audio_seconds, 1)),
            (
                "validation errors / warnings",
                f"{validation.error_count} / {validation.warning_count}",
            ),
        ]
        with stages("project"):
            project = cv.ensure_voice_project(
                p.project_id,
                kind="ProfessionalVoice",
                locale=p.locale,
                description=p.project_description,
            )
        with stages("consent"):
            consent = consent_step(
                p.consent,
                project_id=p.project_id,
                locale=p.locale,
                audio_hash=consent_hash,
                deadlines=p.deadlines,
            )
        with stages("training set"):
            training_set = cv.ensure_training_set(
                ts_id,
                project_id=p.project_id,
                locale=p.locale,
                voice_kind=p.voice_kind,
            )
        with stages("stage"):
            staging = stage_step(
                manifest,
                prefix=p.resolved_prefix(),
                container=container,
                progress_key=progress_key,
                refresh_cache=p.refresh_cache,
                last_staged=last_staged,
            )
        facts += [
            (
                "staged files (uploaded / unchanged)",
                f"{staging.uploaded_files} / {staging.skipped_files}",
            ),
            ("uploaded bytes", staging.uploaded_bytes),
            ("stale blobs deleted", staging.deleted_files),
            ("blob location", f"{staging.container}/{staging.prefix}"),
            ("manifest hash", staging.manifest_hash[:16]),
        ]
        with stages("upload"):
            operation = settle(
                cv.start_training_set_upload.with_options(refresh_cache=p.refresh_cache)(
                    ts_id,
                    kind=p.data_kind,
                    manifest_hash=manifest.hash,
                    container=container,
                    prefix=p.resolved_prefix(),
                    audio_extensions=AUDIO_EXTENSIONS[p.data_kind],
                    script_extensions=SCRIPT_EXTENSIONS.get(p.data_kind, ()),
                    return_state=True,
                )
            )
        with stages("wait for training set"):
            ts_report = cv.wait_for_training_set.with_options(refresh_cache=p.refresh_cache)(
                ts_id,
                operation_id=operation.operation_id,
                continuation_json=operation.continuation or "",
                project_id=p.project_id,
                wait=wait_options(p.deadlines, p.deadlines.training_set_minutes),
                progress_key=progress_key,
                continuation_var=cv.upload_state_name(ts_id, manifest.hash),
            )
        training_set = training_set.model_copy(update={"status": ts_report.training_set.status})
        facts += [
            ("upload operation", f"{operation.operation_id} ({operation.action})"),
            ("utterances (service)", ts_report.utterance_count),
            ("duration (service, s)", ts_report.duration_seconds),
        ]
        if p.model is not None:
            model_id = p.model.resolved_model_id(p.project_id)
            with stages("model"):
                minimum = voice_models.check_recipe(
                    p.model.recipe_kind, utterance_count=ts_report.utterance_count, locale=p.locale
                )
                facts.append(("recipe minimum utterances", minimum))
                model = settle(
                    voice_models.ensure_voice_model(
                        model_id,
                        project_id=p.project_id,
                        consent_id=consent_id,
                        training_set_id=ts_id,
                        recipe_kind=p.model.recipe_kind,
                        voice_name=p.model.voice_name,
                        locale=p.model.model_locale,
                        description=p.model.description,
                        wait=wait_options(p.deadlines, p.deadlines.model_minutes),
                        progress_key=artifact_key("progress", p.project_id, "model"),
                        return_state=True,
                    )
                )
            if p.model.deploy_endpoint:
                with stages("endpoint"):
                    endpoint = settle(
                        voice_models.ensure_voice_endpoint(
                            p.model.resolved_endpoint_id(p.project_id),
                            project_id=p.project_id,
                            model_id=model_id,
                            wait=wait_options(p.deadlines, p.deadlines.endpoint_minutes),
                            progress_key=artifact_key("progress", p.project_id, "endpoint"),
                            return_state=True,
                        )
                    )
    except BaseException as exc:
        error = exc
        raise
    finally:
        publish_report(
            f"Professional voice onboarding: {p.project_id}",
            report_key,
            resources=[project, consent, training_set, model, endpoint],
            facts=facts,
            rejects=rejects_of(validation),
            stages=stages,
            notes=notes,
            error=error,
        )
    assert project and consent and training_set and staging and validation  # set when no error
    result = ProfessionalVoiceResult(
        project=project,
        consent=consent,
        training_set=training_set,
        upload_operation_id=operation.operation_id,
        upload_action=operation.action,
        validation=ValidationSummary.of(validation, forced=bool(p.force and validation.has_errors)),
        staging=staging,
        utterance_count=ts_report.utterance_count,
        duration_seconds=ts_report.duration_seconds,
        model=model,
        endpoint=endpoint,
        timings=stages.timings,
        report_key=report_key,
        seconds=stages.total,
    )
    log.info(
        "professional voice %s onboarded: training set %s, %s utterances; created %s; reused %s",
        p.project_id,
        ts_id,
        result.utterance_count,
        result.created or "nothing",
        result.reused or "nothing",
    )
    return result


__all__ = ["professional_voice_onboarding"]
