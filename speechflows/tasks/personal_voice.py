"""Personal voice tasks: a voice from prompt audio (multipart), processed, with its speaker id;
the versions of a voice (one per prompt audio content) and their cleanup.

Like training sets, each prompt audio content has its own voice, ``<base>-v<8 hex>`` (the flow
picks the id): changed prompt audio makes a new voice with a new ``speakerProfileId``; the old
ones are listed, and deleted with ``cleanup_previous``. The voice's description records the
content hash of its prompt audio, so a voice is never reused for other audio.

A voice that failed on the service's side (:data:`SERVICE_SIDE_CODES`) gets a new attempt on the
next plain re-run, ``<id>-r2``, ``-r3``... (at most
:data:`~speechflows.tasks.custom_voice.MAX_OPERATION_ATTEMPTS`, like consents); any other failure
(the prompt audio caused it) is refused with the service's reason, and refused again by a re-run.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.logging import get_run_logger

from speechflows.location import DataLocation
from speechflows.speech.custom_voice.core import operation_id_for
from speechflows.speech.errors import ResourceFailedError
from speechflows.speech.polling import ContinuationState
from speechflows.speech.schemas.common import Status
from speechflows.tasks import continuation, events
from speechflows.tasks.caching import cached_task
from speechflows.tasks.custom_voice import MAX_OPERATION_ATTEMPTS, consent_attempt_id
from speechflows.tasks.data import PROMPT_EXTENSIONS
from speechflows.tasks.in_place import service_source
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import PersonalVoiceOutcome
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import (
    OnboardingError,
    ResourceVersion,
    failed_error,
    get_or_none,
    versions_in,
    voice_client,
    voice_outcome,
    wait_resumed,
)
from speechflows.tasks.waiting import WaitOptions

# -- personal voices ------------------------------------------------------------------------------

# Failures on the service's side, which a new voice from the same prompt audio can fix.
SERVICE_SIDE_CODES = frozenset(
    {"Internal", "InternalServerError", "UnexpectedError", "ServiceUnavailable"}
)


def attempt_id(personal_voice_id: str, attempt: int) -> str:
    """The id of attempt ``attempt`` of a personal voice: the id, then ``<id>-r2``, ``-r3``...

    >>> attempt_id("jess-voice-v0123abcd", 1), attempt_id("jess-voice-v0123abcd", 3)
    ('jess-voice-v0123abcd', 'jess-voice-v0123abcd-r3')
    """
    return consent_attempt_id(personal_voice_id, attempt)


def _voice_failed(personal_voice_id: str, attempt: int, exc: ResourceFailedError) -> Exception:
    vid = attempt_id(personal_voice_id, attempt)
    if exc.code in SERVICE_SIDE_CODES:
        return ResourceFailedError(
            "personal voice",
            vid,
            exc.code,
            f"{exc.reason or exc.code} (a service error, not a problem with the prompt audio): "
            f"a plain re-run tries again as {attempt_id(personal_voice_id, attempt + 1)}",
        )
    return exc


@cached_task(
    "Create personal voice",
    "personal voice {personal_voice_id}",
    ("personal_voice_id", "project_id", "consent_id", "manifest_hash"),
)
def ensure_personal_voice(
    personal_voice_id: str,
    *,
    project_id: str,
    consent_id: str,
    prompt_files: Sequence[Path],
    manifest_hash: str,
    wait: WaitOptions,
    progress_key: str | None = None,
    prompt_blobs: DataLocation | None = None,
) -> PersonalVoiceOutcome:
    """The personal voice from the prompt audio (multipart upload), processed, and its speaker id.

    ``prompt_blobs``: prompt audio read in place in Blob Storage (then ``prompt_files`` is
    empty): the service reads it through a read + list SAS; nothing is uploaded.

    The voice's description records the content hash of its prompt audio, so a voice is never
    reused for other audio (the flow gives each content its own id: this guards a hand-picked id).
    """
    log = get_run_logger()
    marker = f"speechflows content {manifest_hash[:16]}"
    with voice_client() as cv:
        # Lookup and create under the voice's lock (the wait is outside it): an identical run
        # started at the same moment finds this voice and waits on it.
        with resource_lock("personal-voice", personal_voice_id):
            for attempt in range(1, MAX_OPERATION_ATTEMPTS + 1):
                vid = attempt_id(personal_voice_id, attempt)
                existing = get_or_none(lambda vid=vid: cv.personal_voices.get(vid))  # type: ignore[misc]
                if existing is None or existing.status is not Status.FAILED:
                    break
                code, _ = existing.failure()
                if code not in SERVICE_SIDE_CODES:
                    raise failed_error(
                        "personal voice",
                        vid,
                        existing,
                        "The prompt audio caused it: record clean prompt audio of the consenting "
                        "speaker (changed audio makes a new voice)",
                    )
                log.warning(
                    "personal voice %s failed with %s (a service error): trying again as %s",
                    vid,
                    code or "no reason",
                    attempt_id(personal_voice_id, attempt + 1),
                )
            else:
                raise OnboardingError(
                    f"personal voice {personal_voice_id!r} failed {MAX_OPERATION_ATTEMPTS} times "
                    f"with a service error (attempts {personal_voice_id} to {vid}); try again later"
                )
            url = cv.core.url("personalvoices", vid)
            op_id = operation_id_for("personalvoice", vid, consent_id, manifest_hash)
            var = continuation.variable_name("personalvoice", vid, manifest_hash)
            action: Any = "reused"
            if existing is not None:
                if (
                    existing.description
                    and existing.description != marker
                    and existing.description.startswith("speechflows content")
                ):
                    raise OnboardingError(
                        f"personal voice {vid!r} exists, made from other prompt audio "
                        "(its description holds another content hash); give another "
                        "personal_voice_id, or delete that voice"
                    )
                saved = continuation.load(var)
                state = (
                    ContinuationState.from_json(saved)
                    if saved
                    else ContinuationState.for_resource(cv, "personalvoices", vid)
                )
                log.info("personal voice %s exists (%s): reused", vid, existing.status)
            else:
                accepted = cv.personal_voices.create(
                    vid,
                    project_id=project_id,
                    consent_id=consent_id,
                    audio_files=[Path(p) for p in prompt_files],
                    audios=(
                        service_source(prompt_blobs, PROMPT_EXTENSIONS, wait.deadline_seconds / 60)
                        if prompt_blobs is not None
                        else None
                    ),
                    description=marker,
                    operation_id=op_id,
                )
                state = ContinuationState.for_operation(cv, accepted, "personalvoices", vid)
                continuation.save(var, state.to_json())
                action = "created"
                log.info("personal voice %s submitted (operation %s)", vid, accepted.operation.id)
        try:
            final = wait_resumed(cv, state, wait, progress_key, f"personal voice {vid}")
        except ResourceFailedError as exc:
            continuation.forget(var)
            events.emit(
                "personal-voice.failed",
                kind="personal voice",
                rid=vid,
                payload={"reason": str(exc)},
                related=[("project", project_id)],
            )
            raise _voice_failed(personal_voice_id, attempt, exc) from exc
    continuation.forget(var)
    speaker = str(getattr(final, "speaker_profile_id", None) or "")
    log.info("personal voice %s ready: speakerProfileId %s", vid, speaker)
    events.emit(
        "personal-voice.ready",
        kind="personal voice",
        rid=vid,
        payload={"speaker_profile_id": speaker},
        related=[("project", project_id), ("consent", consent_id)],
    )
    return PersonalVoiceOutcome(
        voice=voice_outcome("personal voice", vid, url, final, action),
        speaker_profile_id=speaker,
    )


class PersonalVoiceVersion(ResourceVersion):
    """One voice of a base personal voice id in a project (one per prompt audio content)."""

    speaker_profile_id: str | None = None


@task(name="Personal voice versions", task_run_name="versions {current_id}", **retry_options())
def personal_voice_versions(
    current_id: str, *, project_id: str, version_pattern: str, cleanup_previous: bool = False
) -> list[PersonalVoiceVersion]:
    """Every voice of the base id in ``project_id`` (ids matching ``version_pattern``), oldest
    first; ``cleanup_previous`` deletes the previous ones (the current one is never touched).
    One list call."""
    log = get_run_logger()
    with voice_client() as cv:
        voices = versions_in(
            cv.personal_voices.list(f"projectId eq '{project_id}'"), project_id, version_pattern
        )
        versions = [
            PersonalVoiceVersion.of(
                v,
                current_id,
                speaker_profile_id=str(v.speaker_profile_id) if v.speaker_profile_id else None,
            )
            for v in voices
        ]
        versions.sort(key=lambda v: (v.created or "", v.id))
        if cleanup_previous:
            for version in versions:
                if not version.current:
                    cv.personal_voices.delete(version.id)
                    version.deleted = True
                    log.info("deleted previous personal voice %s (cleanup_previous)", version.id)
    return versions


__all__ = [
    "SERVICE_SIDE_CODES",
    "PersonalVoiceVersion",
    "attempt_id",
    "ensure_personal_voice",
    "personal_voice_versions",
]
