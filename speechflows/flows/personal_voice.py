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

from speechflows.datasets.manifest import Manifest
from speechflows.flows.audio import audio_step
from speechflows.flows.common import (
    check_settings,
    consent_gate,
    data_location,
    onboarding_flow,
    previous_versions,
    settle,
    validation_gate,
    voice_project_and_consent,
    wait_options,
)
from speechflows.flows.params import PersonalVoiceParams, version_pattern
from speechflows.flows.report import RunReport, figures, note, record, stage
from speechflows.flows.results import PersonalVoiceResult, ValidationSummary
from speechflows.flows.try_out import try_voice_step
from speechflows.location import DataLocation
from speechflows.settings import load_storage_settings
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.data import PROMPT_EXTENSIONS
from speechflows.tasks.outcomes import PersonalVoiceOutcome
from speechflows.tasks.personal_voice import ensure_personal_voice, personal_voice_versions
from speechflows.tasks.try_voice import VoiceTarget


@onboarding_flow("personal-voice-onboarding", "personal voice {params.project_id}")
def personal_voice_onboarding(params: PersonalVoiceParams) -> PersonalVoiceResult:
    """Onboard a personal voice: consent + prompt audio → ``speakerProfileId``.

    Args:
        params: the fields below (each says what it does and its default).

    Returns:
        Project, consent and personal voice ids, the speaker profile id, timings.
    """
    p = params
    prompt_source = data_location(
        p.prompt_path,
        kind="Prompt",
        locale=p.locale,
        read_deadline_minutes=p.deadlines.personal_voice_minutes,
        field="prompt_path",
    )
    check_settings(storage=p.consent.audio_blob is not None)
    with RunReport(
        f"Personal voice onboarding: {p.project_id}",
        artifact_key("report", p.project_id, p.resolved_personal_voice_id()),
    ) as report:
        with stage("validate"):
            manifest, prompt = validation_gate(
                prompt_source,
                "Prompt",
                locale=p.locale,
                extensions=PROMPT_EXTENSIONS,
                table_key=artifact_key("validation", p.project_id, "prompt"),
                force=p.force,
                refresh_cache=p.refresh_cache,
            )
            audio_step(
                prompt_source,
                "Prompt",
                prompt,
                validation_key=artifact_key("validation", p.project_id, "prompt"),
                asked=p.audio_checks,
            )
            consent_hash = consent_gate(
                p.consent, project_id=p.project_id, locale=p.locale, refresh_cache=p.refresh_cache
            )
        figures(
            ("prompt files", len(manifest.entries)),
            ("prompt audio (local check, s)", round(prompt.total_audio_seconds, 1)),
        )
        project, consent = voice_project_and_consent(p, "PersonalVoice", consent_hash)
        files = _prompt_files(prompt_source, manifest)
        voice_id = p.versioned_personal_voice_id(manifest.hash)
        with stage("personal voice"):
            voice: PersonalVoiceOutcome = settle(
                ensure_personal_voice.with_options(refresh_cache=p.refresh_cache)(
                    voice_id,
                    project_id=p.project_id,
                    consent_id=consent.id,
                    prompt_files=files,
                    prompt_blobs=prompt_source if prompt_source.in_place else None,
                    manifest_hash=manifest.hash,
                    wait=wait_options(p.deadlines, p.deadlines.personal_voice_minutes),
                    progress_key=artifact_key(
                        "progress", p.project_id, p.resolved_personal_voice_id()
                    ),
                    return_state=True,
                )
            )
        record(voice.voice)
        voice_id = voice.voice.id  # the attempt that succeeded (<id>-r2 after a service error)
        figures(("speakerProfileId", voice.speaker_profile_id))
        if voice.voice.action == "created" or p.cleanup_previous:
            with stage("versions"):
                _versions(p, voice_id)
        if p.try_sentences is not None and voice.speaker_profile_id:
            _try_voice(p, voice_id, voice.speaker_profile_id)
        return report.complete(
            PersonalVoiceResult(
                project=project,
                consent=consent,
                personal_voice=voice.voice,
                speaker_profile_id=voice.speaker_profile_id,
                prompt_validation=ValidationSummary.of(
                    prompt, forced=bool(p.force and prompt.has_errors)
                ),
            )
        )


def _versions(p: PersonalVoiceParams, voice_id: str) -> None:
    """The voices of this base id made from earlier prompt audio, into the report (only when
    this run made a new voice, or cleans up); ``cleanup_previous`` deletes them."""
    versions = personal_voice_versions(
        voice_id,
        project_id=p.project_id,
        version_pattern=version_pattern(p.resolved_personal_voice_id()) + "(?:-r[0-9]+)?",
        cleanup_previous=p.cleanup_previous,
    )
    previous = previous_versions("personal voice", voice_id, versions)
    for v in previous:
        what = (
            "deleted (cleanup_previous)" if v.deleted else "kept; cleanup_previous=true deletes it"
        )
        note(
            f"previous personal voice {v.id} ({v.status}, speakerProfileId "
            f"{v.speaker_profile_id}, created {v.created}): {what}"
        )


def _try_voice(p: PersonalVoiceParams, voice_id: str, speaker_profile_id: str) -> None:
    """Hear the new voice: the sentences synthesised, WAVs beside the run's data (try_out)."""
    try_voice_step(
        VoiceTarget(kind="personal", name=voice_id, speaker_profile_id=speaker_profile_id),
        p.try_sentences or [],
        locale=p.locale,
        container=load_storage_settings().container,
        prefix=f"personal-voice/{p.project_id}/{voice_id}",
        # the base id: every version of the voice adds to one artifact's history
        key=artifact_key("try-voice", p.project_id, p.resolved_personal_voice_id()),
    )


def _prompt_files(source: DataLocation, manifest: Manifest) -> list[Path]:
    """The local prompt files to send; none when the service reads them in place from Blob."""
    if source.path is None:
        return []
    return [source.path] if source.single else [source.path / e.path for e in manifest.entries]


__all__ = ["personal_voice_onboarding"]
