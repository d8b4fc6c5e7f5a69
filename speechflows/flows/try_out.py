"""Try what was onboarded: hear a voice, see what a speech model gets wrong.

* :func:`try_voice_step`: the steps the personal and professional voice onboardings end with
  when ``try_sentences`` is given (``[]``: the locale's default sentences).
* :func:`try_speech_step`: the step the release ends with when ``try_audio`` is given: the
  candidate and the model it would replace transcribe the audio; per-file alignment.
* :func:`try_voice_flow` / :func:`try_speech_flow`: the same on their own (``speechflows try
  voice`` / ``speechflows try speech``).

Example:
    >>> try_speech_flow(TrySpeechParams(model="call-center-v2", audio="recordings/"))  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from prefect import flow
from pydantic import BaseModel, Field

from speechflows.flows.common import check_settings, wait_options
from speechflows.flows.params import Deadlines
from speechflows.flows.report import RunReport, figures, note, stage
from speechflows.location import DataLocation
from speechflows.settings import load_storage_settings
from speechflows.speech.schemas.speech_to_text import CustomSpeechModel
from speechflows.speech.speech_to_text import odata_quote
from speechflows.tasks.artifacts import artifact_key
from speechflows.tasks.custom_speech import speech_client
from speechflows.tasks.try_speech import (
    SpeechTryOutcome,
    compare,
    stage_try_audio,
    training_overlap,
    transcribe,
)
from speechflows.tasks.try_voice import TryVoiceOutcome, VoiceTarget, default_sentences, try_voice
from speechflows.tasks.waiting import WaitOptions

if TYPE_CHECKING:  # the release step loads it; a voice run never does (tests/test_import_budget.py)
    from speechflows.tasks.release import ReleaseOutcome


def try_voice_step(
    target: VoiceTarget,
    sentences: list[str],
    *,
    locale: str,
    container: str,
    prefix: str,
    key: str,
) -> TryVoiceOutcome:
    """Synthesise the sentences (default set when empty), report them with audio links."""
    with stage("try voice"):
        outcome = try_voice(
            target,
            sentences or default_sentences(locale),
            locale=locale,
            container=container,
            prefix=prefix,
            artifact=key,
        )
    figures(
        (
            f"try {target.name}: sentences (synthesised now)",
            f"{len(outcome.sentences)} ({sum(s.created for s in outcome.sentences)})",
        ),
        (f"try {target.name}: artifact", key),
    )
    return outcome


def try_speech_step(
    *,
    candidate_url: str,
    current_url: str,
    audio_source: str,
    locale: str,
    project_url: str | None,
    test_dataset_url: str | None,
    wait: WaitOptions,
    key: str,
    labels: tuple[str, str] = ("current", "new"),
) -> SpeechTryOutcome:
    """Both models transcribe the audio; per file, the words the new one fixed and broke."""
    with stage("try speech"):
        audio = stage_try_audio(DataLocation.parse(audio_source))  # parsed once, here
        warnings = training_overlap(candidate_url, audio, test_dataset_url)
        current, candidate = (
            transcribe(
                url, label=label, audio=audio, locale=locale, wait=wait, project_url=project_url
            )
            for url, label in zip((current_url, candidate_url), labels, strict=True)
        )
        outcome = compare(
            audio,
            current,
            candidate,
            warnings=warnings,
            artifact=key,
            csv_prefix=f"try-speech/{audio.content_hash[:16]}/results",
        )
    figures(
        (
            f"try: WER % {labels[0]} → {labels[1]}",
            f"{outcome.wer_current} → {outcome.wer_candidate}",
        ),
        ("try: files better / worse", f"{len(outcome.better)} / {len(outcome.worse)}"),
        ("try: artifact", key),
    )
    for w in warnings:
        note(f"warning: tested on its own training data: {w}")
    return outcome


class TryVoiceParams(BaseModel):
    """Hear a personal voice (speaker profile) or a professional voice (its endpoint)."""

    speaker_profile_id: str | None = Field(None, description="A personal voice's speakerProfileId")
    endpoint_id: str | None = Field(
        None, description="A professional voice endpoint (deploymentId)"
    )
    voice_name: str | None = Field(None, description="The professional voice model's voiceName")
    sentences: list[str] = Field(
        default_factory=list, description="Default: a short set per locale"
    )
    locale: str = "en-US"
    container: str | None = Field(None, description="Where the WAVs go (default: the settings')")
    prefix: str = Field("try-voice/", description="Blob prefix of the WAVs")


@flow(name="try-voice", validate_parameters=True)
def try_voice_flow(params: TryVoiceParams) -> TryVoiceOutcome:
    """Synthesise a few sentences with a voice; WAVs in Blob, a report with links and SSML."""
    p = params
    check_settings()
    if bool(p.speaker_profile_id) == bool(p.endpoint_id):
        raise ValueError(
            "give either --speaker-profile-id (personal voice) or --endpoint with --voice-name "
            "(professional voice)"
        )
    if p.endpoint_id and not p.voice_name:
        raise ValueError("--endpoint needs --voice-name: the voiceName of the model deployed there")
    kind: Literal["personal", "professional"] = (
        "personal" if p.speaker_profile_id else "professional"
    )
    name = p.speaker_profile_id or p.voice_name or ""
    target = VoiceTarget(
        kind=kind,
        name=name,
        speaker_profile_id=p.speaker_profile_id,
        endpoint_id=p.endpoint_id,
        voice_name=p.voice_name,
    )
    key = artifact_key("try-voice", name)
    with RunReport(f"Try voice {name}", artifact_key("report", "try-voice", name)):
        return try_voice_step(
            target,
            p.sentences,
            locale=p.locale,
            container=p.container or load_storage_settings().container,
            prefix=p.prefix,
            key=key,
        )


class TrySpeechParams(BaseModel):
    """Try a custom speech model on audio, against the model it would replace."""

    model: str = Field(..., description="The custom model: id, self URL or display name")
    audio: str = Field(
        ..., description="A local folder of audio (+ trans.txt) or blob://container/prefix"
    )
    against: str | None = Field(
        None, description="The model it would replace (id or self URL); default its base model"
    )
    locale: str | None = Field(None, description="Default: the model's locale")
    deadlines: Deadlines = Field(default_factory=Deadlines)


def find_custom_model(ref: str) -> CustomSpeechModel:
    """A custom model by id, self URL or display name (the newest of that name)."""
    with speech_client() as cs:
        if ref.startswith(("http://", "https://")) or _looks_like_uuid(ref):
            return cs.models.get(ref)
        found = [
            m for m in cs.models.list(f"displayName eq {odata_quote(ref)}") if m.display_name == ref
        ]
        if not found:
            raise ValueError(
                f"no custom speech model named {ref!r}: give its id or display name "
                "(speechflows list shows them)"
            )
        return sorted(found, key=lambda m: str(m.created_date_time))[-1]


def _looks_like_uuid(text: str) -> bool:
    parts = text.split("-")
    return len(parts) == 5 and all(c in "0123456789abcdefABCDEF-" for c in text)


@flow(name="try-speech", validate_parameters=True)
def try_speech_flow(params: TrySpeechParams) -> SpeechTryOutcome:
    """The custom model and the model it would replace transcribe the audio; per file, the
    words the new model fixed and broke."""
    p = params
    check_settings()
    model = find_custom_model(p.model)
    against = p.against or (model.base_model.self_url if model.base_model else None)
    if not against or not model.self_url:
        raise ValueError(f"model {p.model!r} names no base model: give --against")
    title = f"Try speech model {model.display_name or model.resource_id}"
    with RunReport(title, artifact_key("report", "try-speech", model.resource_id)):
        return try_speech_step(
            candidate_url=model.self_url,
            current_url=against,
            audio_source=p.audio,
            locale=p.locale or model.locale or "en-US",
            project_url=model.project.self_url if model.project else None,
            test_dataset_url=None,
            wait=wait_options(p.deadlines, p.deadlines.evaluation_minutes),
            key=artifact_key("try-speech", model.resource_id),
            labels=("base" if p.against is None else "current", "custom"),
        )


__all__ = [
    "TrySpeechParams",
    "TryVoiceParams",
    "find_custom_model",
    "try_release",
    "try_speech_flow",
    "try_speech_step",
    "try_voice_flow",
    "try_voice_step",
]


def try_release(
    outcome: ReleaseOutcome,
    audio: str,
    locale: str,
    project_url: str | None,
    test_dataset_url: str,
    deadlines: Deadlines,
) -> SpeechTryOutcome:
    """The release's last step: the candidate and the model it would replace on ``audio``."""
    current_id, kind = outcome.current, outcome.current_kind
    previous = outcome.previous or {}
    if current_id == outcome.candidate and previous.get("current") not in (None, current_id):
        # A re-run after the promotion: the model it replaced is the one decided against.
        current_id, kind = str(previous["current"]), previous.get("current kind", "custom")
    with speech_client() as cs:
        candidate = cs.core.self_ref("models", outcome.candidate)["self"]
        coll = "models/base" if kind == "base" else "models"
        current = cs.core.self_ref(coll, current_id)["self"]
        if current_id == outcome.candidate:
            base = cs.models.get(candidate).base_model
            current, kind = (base.self_url, "base") if base else (current, kind)
        test = cs.core.self_ref("datasets", test_dataset_url)["self"]
    return try_speech_step(
        candidate_url=candidate,
        current_url=current,
        audio_source=audio,
        locale=locale,
        project_url=project_url,
        test_dataset_url=test,
        wait=wait_options(deadlines, deadlines.evaluation_minutes),
        key=artifact_key("try-speech", outcome.endpoint_name, outcome.candidate),
        labels=(f"current ({kind})", "candidate"),
    )
