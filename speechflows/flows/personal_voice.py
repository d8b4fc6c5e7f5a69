"""Personal voice onboarding: project → consent → wait → personal voice from prompt audio → wait.

The result's ``speaker_profile_id`` is what synthesis uses
(``<mstts:ttsembedding speakerProfileId='…'/>``). Consent and prompt audio are validated before
anything is sent; both are uploaded with the requests (multipart), nothing is staged.

Example:
    >>> personal_voice_onboarding(PersonalVoiceParams(project_id="pv-jess",   # doctest: +SKIP
    ...     prompt_path="data/prompt", consent=ConsentParams(voice_talent_name="Jess Doe",
    ...     company_name="Contoso", audio_file="data/consent.wav")))
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow
from prefect.logging import get_run_logger

from speechflows.deployments.params import PersonalVoiceParams
from speechflows.flows.common import (
    Stages,
    check_settings,
    consent_gate,
    consent_step,
    publish_report,
    rejects_of,
    settle,
    validation_gate,
    wait_options,
)
from speechflows.flows.results import PersonalVoiceResult, ValidationSummary
from speechflows.tasks import custom_voice as cv
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import PROMPT_EXTENSIONS
from speechflows.tasks.outcomes import PersonalVoiceOutcome, ResourceOutcome, ValidationOutcome
from speechflows.tasks.personal_voice import ensure_personal_voice


@flow(
    name="personal-voice-onboarding",
    flow_run_name="personal voice {params.project_id}",
    validate_parameters=True,
)
def personal_voice_onboarding(params: PersonalVoiceParams) -> PersonalVoiceResult:
    """Onboard a personal voice: consent + prompt audio → ``speakerProfileId``.

    Args:
        params: see :class:`~speechflows.deployments.params.PersonalVoiceParams`.

    Returns:
        Project, consent and personal voice ids, the speaker profile id, timings.
    """
    log = get_run_logger()
    check_settings(storage=params.consent.audio_blob is not None)
    p = params
    voice_id = p.resolved_personal_voice_id()
    consent_id = p.consent.resolved_id(p.project_id)
    report_key = artifact_key("report", p.project_id, voice_id)
    stages = Stages()
    notes: list[str] = []
    facts: list[tuple[str, object]] = []
    project: ResourceOutcome | None = None
    consent: ResourceOutcome | None = None
    voice: PersonalVoiceOutcome | None = None
    prompt: ValidationOutcome | None = None
    error: BaseException | None = None
    try:
        with stages("validate"):
            manifest, prompt = validation_gate(
                p.prompt_path,
                "Prompt",
                locale=p.locale,
                extensions=PROMPT_EXTENSIONS,
                table_key=artifact_key("validation", p.project_id, "prompt"),
                force=p.force,
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
            ("prompt files", len(manifest.entries)),
            ("prompt audio (local check, s)", round(prompt.total_audio_seconds, 1)),
        ]
        with stages("project"):
            project = cv.ensure_voice_project(
                p.project_id,
                kind="PersonalVoice",
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
        root = Path(p.prompt_path)
        files = [root] if root.is_file() else [root / e.path for e in manifest.entries]
        with stages("personal voice"):
            voice = settle(
                ensure_personal_voice.with_options(refresh_cache=p.refresh_cache)(
                    voice_id,
                    project_id=p.project_id,
                    consent_id=consent_id,
                    prompt_files=files,
                    manifest_hash=manifest.hash,
                    wait=wait_options(p.deadlines, p.deadlines.personal_voice_minutes),
                    progress_key=artifact_key("progress", p.project_id, voice_id),
                    return_state=True,
                )
            )
        facts.append(("speakerProfileId", voice.speaker_profile_id))
    except BaseException as exc:
        error = exc
        raise
    finally:
        publish_report(
            f"Personal voice onboarding: {p.project_id}",
            report_key,
            resources=[project, consent, voice.voice if voice else None],
            facts=facts,
            rejects=rejects_of(prompt),
            stages=stages,
            notes=notes,
            error=error,
        )
    assert project and consent and prompt
    result = PersonalVoiceResult(
        project=project,
        consent=consent,
        personal_voice=voice.voice,
        speaker_profile_id=voice.speaker_profile_id,
        prompt_validation=ValidationSummary.of(prompt, forced=bool(p.force and prompt.has_errors)),
        timings=stages.timings,
        report_key=report_key,
        seconds=stages.total,
    )
    log.info("personal voice %s ready: speakerProfileId %s", voice_id, voice.speaker_profile_id)
    return result


__all__ = ["personal_voice_onboarding"]
