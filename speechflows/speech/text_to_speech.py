"""Text to speech REST synthesis: hear a personal or a professional voice.

``POST {host}/cognitiveservices/v1`` with ``Content-Type: application/ssml+xml``,
``X-Microsoft-OutputFormat`` and the SSML as the body; 200 with the audio (reference §7; the call
is not in the OpenAPI specs). A professional voice is called through its endpoint
(``?deploymentId={endpoint id}`` on the ``voice.speech.microsoft.com`` host) with
``<voice name="{the model's voiceName}">``; a personal voice through the regional host with a
base model voice and ``<mstts:ttsembedding speakerProfileId="...">``.

Hosts: with ``settings.region`` the regional ``{region}.tts.speech.microsoft.com`` /
``{region}.voice.speech.microsoft.com``; with ``settings.endpoint`` (the emulator, a custom
domain) that endpoint. The request goes through the same :class:`SpeechHTTP` (key or token,
retries on 429/5xx honouring ``Retry-After``, the quota hook) as every other call.

Example:
    >>> with SynthesisClient(settings) as tts:  # doctest: +SKIP
    ...     wav = tts.synthesize(personal_voice_ssml(profile_id, "Hello.", "en-US"))
"""

from __future__ import annotations

import io
import wave
from typing import Unpack
from xml.sax.saxutils import escape, quoteattr

from speechflows.settings import SpeechSettings
from speechflows.speech.connection import ConnectionOptions, SpeechClient

DEFAULT_FORMAT = "riff-24khz-16bit-mono-pcm"
PERSONAL_BASE_VOICE = "PhoenixV2Neural"
"""The base model voice a personal voice speaks with (reference §7; DragonLatestNeural is newer)."""
_SPEAK = (
    "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
    "xmlns:mstts='https://www.w3.org/2001/mstts' xml:lang={lang}>"
)


def personal_voice_ssml(
    speaker_profile_id: str, text: str, locale: str, *, base_voice: str = PERSONAL_BASE_VOICE
) -> str:
    """SSML for a personal voice: a base model voice with the speaker profile.

    >>> personal_voice_ssml("abc", "Hi & bye", "en-US")  # doctest: +ELLIPSIS
    '<speak ...><voice name="PhoenixV2Neural"><mstts:ttsembedding speakerProfileId="abc">Hi &amp; bye</mstts:ttsembedding></voice></speak>'
    """
    return (
        _SPEAK.format(lang=quoteattr(locale))
        + f"<voice name={quoteattr(base_voice)}>"
        + f"<mstts:ttsembedding speakerProfileId={quoteattr(speaker_profile_id)}>"
        + escape(text)
        + "</mstts:ttsembedding></voice></speak>"
    )


def professional_voice_ssml(voice_name: str, text: str, locale: str) -> str:
    """SSML for a professional voice (called on its endpoint with ``deploymentId``)."""
    return (
        _SPEAK.format(lang=quoteattr(locale))
        + f"<voice name={quoteattr(voice_name)}>{escape(text)}</voice></speak>"
    )


def wav_seconds(audio: bytes) -> float:
    """The duration of a RIFF WAV answer."""
    with wave.open(io.BytesIO(audio)) as w:
        return float(w.getnframes()) / float(w.getframerate())


class SynthesisClient(SpeechClient):
    """The text to speech REST synthesis call."""

    def __init__(self, settings: SpeechSettings, **options: Unpack[ConnectionOptions]) -> None:
        super().__init__(settings, "v1", **options)

    def synthesis_url(self, deployment_id: str | None = None) -> str:
        """Where to POST the SSML (the regional or the professional voice host)."""
        if self.settings.endpoint or not self.settings.region:
            root = self.http.base_url
        elif deployment_id:
            root = f"https://{self.settings.region}.voice.speech.microsoft.com"
        else:
            root = f"https://{self.settings.region}.tts.speech.microsoft.com"
        return f"{root}/cognitiveservices/v1"

    def synthesize(
        self,
        ssml: str,
        *,
        deployment_id: str | None = None,
        output_format: str = DEFAULT_FORMAT,
    ) -> bytes:
        """POST the SSML; the audio bytes in ``output_format``."""
        response = self.http.request(
            "POST",
            self.synthesis_url(deployment_id),
            params={"deploymentId": deployment_id} if deployment_id else None,
            content=ssml.encode("utf-8"),
            headers={
                "Content-Type": "application/ssml+xml",
                "X-Microsoft-OutputFormat": output_format,
            },
            idempotent=True,
        )
        return response.content
