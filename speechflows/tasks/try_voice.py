"""Hear a voice: synthesise a few sentences, store the WAVs in Blob, report them with links.

A personal voice speaks through the regional synthesis endpoint with its ``speakerProfileId``
in SSML; a professional voice through its endpoint (``deploymentId``) with the model's voice
name. Every WAV goes to ``{container}/{prefix}try/`` beside the run's data (named by the hash of
its SSML, so a re-run synthesises only what is new). The markdown artifact has one row per
sentence (text, duration, a link to the audio) and the exact SSML to paste into an application.

The audio links carry a read-only SAS for that one blob that **expires within the hour**
(``LINK_MINUTES``), and say so; nothing else in the artifact is secret, and the task's result
(persisted by Prefect) holds blob names only, never a SAS.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Literal

from azure.core.exceptions import ResourceNotFoundError
from azure.storage.blob import ContentSettings
from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.logging import get_run_logger
from pydantic import BaseModel

from speechflows.redaction import redact_text
from speechflows.settings import load_speech_settings, load_storage_settings
from speechflows.speech.text_to_speech import (
    DEFAULT_FORMAT,
    PERSONAL_BASE_VOICE,
    SynthesisClient,
    personal_voice_ssml,
    professional_voice_ssml,
    wav_seconds,
)
from speechflows.storage import blob_sas_url
from speechflows.storage.account import Account
from speechflows.tasks.artifacts import md_code, md_table, md_text
from speechflows.tasks.retries import retry_options
from speechflows.tasks.voice_common import connection_options

LINK_MINUTES = 60
"""Lifetime of the audio links in the report (read-only, one blob): within the hour."""
DEFAULT_SENTENCES: dict[str, tuple[str, ...]] = {
    "en": (
        "Hello, this is my new voice.",
        "Your order has shipped and will arrive on Tuesday.",
        "Thanks for calling; how can I help you today?",
    ),
    "de": (
        "Hallo, das ist meine neue Stimme.",
        "Ihre Bestellung ist unterwegs und kommt am Dienstag an.",
        "Danke für Ihren Anruf. Wie kann ich Ihnen helfen?",
    ),
    "fr": (
        "Bonjour, voici ma nouvelle voix.",
        "Votre commande est partie et arrivera mardi.",
        "Merci de votre appel. Comment puis-je vous aider ?",
    ),
    "es": (
        "Hola, esta es mi nueva voz.",
        "Su pedido está en camino y llegará el martes.",
        "Gracias por llamar. ¿En qué puedo ayudarle?",
    ),
}


def default_sentences(locale: str) -> list[str]:
    """A short set of sentences for ``locale`` (its language; English when there is none).

    >>> default_sentences("de-AT")[0]
    'Hallo, das ist meine neue Stimme.'
    """
    return list(DEFAULT_SENTENCES.get(locale.split("-")[0].lower(), DEFAULT_SENTENCES["en"]))


class VoiceTarget(BaseModel):
    """Which voice to hear: a personal voice's speaker profile or a professional voice endpoint."""

    kind: Literal["personal", "professional"]
    name: str
    """What the report calls it (the personal voice or model id)."""
    speaker_profile_id: str | None = None
    base_voice: str = PERSONAL_BASE_VOICE
    endpoint_id: str | None = None
    voice_name: str | None = None

    def ssml(self, text: str, locale: str) -> str:
        if self.kind == "personal":
            assert self.speaker_profile_id
            return personal_voice_ssml(
                self.speaker_profile_id, text, locale, base_voice=self.base_voice
            )
        assert self.voice_name
        return professional_voice_ssml(self.voice_name, text, locale)


class TriedSentence(BaseModel):
    """One synthesised sentence (the blob name, never a link: links expire and carry a SAS)."""

    sentence: str
    seconds: float
    blob: str
    created: bool


class TryVoiceOutcome(BaseModel):
    """What ``try_voice`` made."""

    voice: str
    container: str
    sentences: list[TriedSentence]
    ssml_example: str


def _blob_name(prefix: str, index: int, ssml: str, output_format: str) -> str:
    digest = hashlib.sha256(f"{output_format}\n{ssml}".encode()).hexdigest()[:12]
    return f"{prefix.strip('/')}/try/{index:02d}-{digest}.wav".lstrip("/")


@task(name="try-voice", **retry_options())
def try_voice(
    target: VoiceTarget,
    sentences: list[str],
    *,
    locale: str,
    container: str,
    prefix: str,
    artifact: str | None = None,
    output_format: str = DEFAULT_FORMAT,
) -> TryVoiceOutcome:
    """Synthesise ``sentences`` with the voice, store the WAVs in Blob, publish the report.

    Example:
        >>> try_voice(VoiceTarget(kind="personal", name="jess", speaker_profile_id=pid),  # doctest: +SKIP
        ...     ["Hello."], locale="en-US", container="data", prefix="personal/jess/")
    """
    log = get_run_logger()
    storage = load_storage_settings()
    account = Account.from_settings(storage)
    account.ensure_container(container)
    service = account.service_client()
    rows: list[TriedSentence] = []
    with SynthesisClient(load_speech_settings(), **connection_options()) as tts:
        for i, text in enumerate(sentences, 1):
            ssml = target.ssml(text, locale)
            name = _blob_name(prefix, i, ssml, output_format)
            blob = service.get_blob_client(container, name)
            try:
                audio = blob.download_blob().readall()
                created = False
            except ResourceNotFoundError:
                audio = tts.synthesize(
                    ssml, deployment_id=target.endpoint_id, output_format=output_format
                )
                blob.upload_blob(
                    audio,
                    overwrite=True,
                    content_settings=ContentSettings(content_type="audio/wav"),
                )
                created = True
            rows.append(
                TriedSentence(
                    sentence=text, seconds=round(wav_seconds(audio), 2), blob=name, created=created
                )
            )
    log.info(
        "voice %s: %d sentences (%d synthesised now) in %s/%s/try/",
        target.name,
        len(rows),
        sum(r.created for r in rows),
        container,
        prefix.strip("/"),
    )
    outcome = TryVoiceOutcome(
        voice=target.name,
        container=container,
        sentences=rows,
        ssml_example=target.ssml(sentences[0] if sentences else "Hello.", locale),
    )
    if artifact:
        expires = datetime.now(UTC) + timedelta(minutes=LINK_MINUTES)
        links = [
            blob_sas_url(storage, container, r.blob, expiry_minutes=LINK_MINUTES) for r in rows
        ]
        create_markdown_artifact(
            markdown=voice_report(outcome, target, links, expires),
            key=artifact,
            description=f"Hear {target.name}: {len(rows)} sentences",
        )
    return outcome


def voice_report(
    outcome: TryVoiceOutcome, target: VoiceTarget, links: list[str], expires: datetime
) -> str:
    """The markdown report: sentence, duration, audio link (expiring, marked), and the SSML.

    Everything but the links goes through redaction; the links are read-only SAS URLs of one
    blob each that expire at ``expires`` (within the hour) and are labelled with that time.
    """
    until = expires.strftime("%H:%M UTC")
    rows = [
        (
            i,
            md_text(r.sentence),
            f"{r.seconds:.2f}",
            f"[play / download](<{link}>) (link expires {until})",
        )
        for i, (r, link) in enumerate(zip(outcome.sentences, links, strict=True), 1)
    ]
    how = (
        f"personal voice, `speakerProfileId` {md_code(target.speaker_profile_id)} on the base "
        f"model voice {md_code(target.base_voice)}, regional endpoint"
        if target.kind == "personal"
        else f"professional voice {md_code(target.voice_name)} on its endpoint "
        f"(`deploymentId={target.endpoint_id}`)"
    )
    # md_table redacts every cell: the expiring links are added to their rows afterwards.
    lines = md_table(["#", "sentence", "duration (s)"], [r[:3] for r in rows]).split("\n")
    lines[0] += " audio |"
    lines[1] += "---|"
    for n, row in enumerate(rows):
        lines[n + 2] += f" {row[3]} |"
    body = [
        redact_text(
            f"# Hear {outcome.voice}\n\n{how}. WAVs in blob container "
            f"`{outcome.container}` (under `.../try/`)."
        ),
        "",
        "\n".join(lines),
        "",
        f"The audio links are read-only links to one blob each and **expire at {until}** "
        f"(within {LINK_MINUTES} minutes); run the flow again or `speechflows try voice` for "
        "fresh ones.",
        "",
        "## SSML to paste into an application",
        "",
        "```xml",
        redact_text(outcome.ssml_example),
        "```",
    ]
    if target.kind == "professional":
        body += [
            "",
            redact_text(
                "POST it to `https://{region}.voice.speech.microsoft.com/cognitiveservices/v1"
                f"?deploymentId={target.endpoint_id}` with `Content-Type: application/ssml+xml` "
                f"and `X-Microsoft-OutputFormat: {DEFAULT_FORMAT}`."
            ),
        ]
    else:
        body += [
            "",
            "POST it to `https://{region}.tts.speech.microsoft.com/cognitiveservices/v1` with "
            f"`Content-Type: application/ssml+xml` and `X-Microsoft-OutputFormat: {DEFAULT_FORMAT}`.",
        ]
    return "\n".join(body)


__all__ = [
    "DEFAULT_SENTENCES",
    "LINK_MINUTES",
    "TriedSentence",
    "TryVoiceOutcome",
    "VoiceTarget",
    "default_sentences",
    "try_voice",
    "voice_report",
]
