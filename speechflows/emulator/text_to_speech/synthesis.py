"""The text to speech REST synthesis call: ``POST /cognitiveservices/v1`` (regional
``{region}.tts.speech.microsoft.com``; with ``?deploymentId=`` the professional voice host
``{region}.voice.speech.microsoft.com``), and ``GET /cognitiveservices/voices/list``.

Not in the OpenAPI specs (the Learn page "Text to speech REST API" is the source; reference §7).
What the emulator checks, in the order the page lists the status codes:

* ``Content-Type`` must be ``application/ssml+xml`` (else 415);
* ``X-Microsoft-OutputFormat`` must name a format (missing or unknown → 400); the emulator
  only *produces* the uncompressed ones (``riff-*`` / ``raw-*`` PCM); a compressed format it
  knows the name of answers 400 with a message that says so (an emulator limit);
* the SSML: well-formed XML, root ``speak`` with ``version`` and ``xml:lang``, at least one
  ``voice`` with a ``name`` the resource offers (a standard voice, a personal voice base model,
  or, with ``deploymentId``, the voice of the model deployed there), non-empty text; a
  ``mstts:ttsembedding`` must carry the ``speakerProfileId`` of a Succeeded personal voice;
* ``deploymentId`` must be a Succeeded endpoint of this resource (else 400).

Authentication, the quota (429 with ``Retry-After``) and faults are the gate's, as for every API.
The audio is a **deterministic synthetic waveform**, never speech: one tone burst a word, pitch
from the hash of (voice, speaker profile or deployment, word), 0.32 s a word plus 0.2 s at each
end. The same request always gives the same bytes. Ledger § Text to speech.
"""

from __future__ import annotations

import hashlib
import math
import struct
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from speechflows.emulator.core.context import Context

CV = "customvoice"
SSML_NS = "http://www.w3.org/2001/10/synthesis"
MSTTS_NS = "https://www.w3.org/2001/mstts"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PCM_FORMATS = {
    f"{kind}-{label}-16bit-mono-pcm": rate
    for kind in ("riff", "raw")
    for label, rate in (
        ("8khz", 8000),
        ("16khz", 16000),
        ("22050hz", 22050),
        ("24khz", 24000),
        ("44100hz", 44100),
        ("48khz", 48000),
    )
}
COMPRESSED_FORMATS = frozenset(
    {
        "audio-16khz-32kbitrate-mono-mp3",
        "audio-16khz-64kbitrate-mono-mp3",
        "audio-16khz-128kbitrate-mono-mp3",
        "audio-24khz-48kbitrate-mono-mp3",
        "audio-24khz-96kbitrate-mono-mp3",
        "audio-24khz-160kbitrate-mono-mp3",
        "audio-48khz-96kbitrate-mono-mp3",
        "audio-48khz-192kbitrate-mono-mp3",
        "ogg-16khz-16bit-mono-opus",
        "ogg-24khz-16bit-mono-opus",
        "ogg-48khz-16bit-mono-opus",
        "webm-16khz-16bit-mono-opus",
        "webm-24khz-16bit-mono-opus",
    }
)
STANDARD_VOICES = (
    ("en-US-JennyNeural", "en-US", "Female"),
    ("en-US-AriaNeural", "en-US", "Female"),
    ("en-US-GuyNeural", "en-US", "Male"),
    ("en-GB-SoniaNeural", "en-GB", "Female"),
    ("de-DE-KatjaNeural", "de-DE", "Female"),
    ("fr-FR-DeniseNeural", "fr-FR", "Female"),
    ("es-ES-ElviraNeural", "es-ES", "Female"),
)
PERSONAL_BASE_VOICES = ("PhoenixV2Neural", "PhoenixLatestNeural", "DragonLatestNeural")
WORD_SECONDS = 0.32
EDGE_SECONDS = 0.2


class SynthesisRefused(Exception):
    """A request the service answers with an error status (the body is plain text)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Spoken:
    """What the SSML asks for: the voice, whose voice it is, the words."""

    voice: str
    speaker: str
    words: list[str]


def parse_ssml(ssml: bytes, *, endpoint_voice: str | None, profiles: set[str]) -> Spoken:
    """Check the SSML as the service does; return what to "say"."""
    try:
        root = ET.fromstring(ssml)
    except ET.ParseError as exc:
        raise SynthesisRefused(400, f"The SSML is not well-formed XML: {exc}.") from None
    if root.tag not in ("speak", f"{{{SSML_NS}}}speak"):
        raise SynthesisRefused(400, "The SSML root element must be <speak>.")
    if not root.get("version") or not root.get(XML_LANG):
        raise SynthesisRefused(400, "<speak> needs the attributes version='1.0' and xml:lang.")
    voices = [e for e in root.iter() if e.tag in ("voice", f"{{{SSML_NS}}}voice")]
    if not voices:
        raise SynthesisRefused(400, "The SSML has no <voice name='...'> element.")
    names = {v[0].lower() for v in STANDARD_VOICES} | {v.lower() for v in PERSONAL_BASE_VOICES}
    speaker = ""
    words: list[str] = []
    first = ""
    for voice in voices:
        name = (voice.get("name") or "").strip()
        allowed = {endpoint_voice.lower()} if endpoint_voice else names
        if not name or name.lower() not in allowed:
            where = "the model deployed at this deploymentId" if endpoint_voice else "this region"
            raise SynthesisRefused(
                400, f"The voice {name!r} is not available: use a voice of {where}."
            )
        for emb in voice.iter(f"{{{MSTTS_NS}}}ttsembedding"):
            profile = (emb.get("speakerProfileId") or "").strip().lower()
            if profile not in profiles:
                raise SynthesisRefused(
                    400,
                    f"The speakerProfileId {profile!r} is not a personal voice of this resource.",
                )
            speaker = profile
        first = first or name
        words += " ".join(voice.itertext()).split()
    if not words:
        raise SynthesisRefused(400, "The SSML has no text to speak.")
    return Spoken(first, speaker, words)


def waveform(spoken: Spoken, rate: int, *, riff: bool) -> bytes:
    """A deterministic synthetic waveform: one enveloped tone burst a word (16-bit mono PCM)."""
    samples: list[int] = [0] * int(EDGE_SECONDS * rate)
    n = int(WORD_SECONDS * rate)
    for word in spoken.words:
        seed = hashlib.sha256(f"{spoken.voice}|{spoken.speaker}|{word}".encode()).digest()
        f0 = 110 + seed[0] % 140
        f1 = f0 * (2 + seed[1] % 3)
        voiced = int(n * 0.8)
        for i in range(n):
            if i >= voiced:
                samples.append(0)
                continue
            t = i / rate
            env = math.sin(math.pi * i / voiced)
            v = 0.6 * math.sin(2 * math.pi * f0 * t) + 0.25 * math.sin(2 * math.pi * f1 * t)
            samples.append(int(9000 * env * v))
    samples += [0] * int(EDGE_SECONDS * rate)
    pcm = struct.pack(f"<{len(samples)}h", *samples)
    if not riff:
        return pcm
    header = b"RIFF" + struct.pack("<I", 36 + len(pcm)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + b"data" + struct.pack("<I", len(pcm)) + pcm


class TextToSpeech:
    """The synthesis and voice list routes, on the Custom Voice state of the same resource."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _endpoint_voice(self, deployment: str) -> str:
        endpoint = self.ctx.store.get(CV, "endpoints", deployment.lower())
        if endpoint is None or endpoint.get("status") != "Succeeded":
            raise SynthesisRefused(
                400, f"deploymentId {deployment!r} is not a deployed endpoint of this resource."
            )
        model = self.ctx.store.get(CV, "models", str(endpoint.get("modelId"))) or {}
        return str(model.get("voiceName") or f"{model.get('id', 'custom')}Neural")

    def _profiles(self) -> set[str]:
        return {
            str(v.get("speakerProfileId")).lower()
            for v in self.ctx.store.list_resources(CV, "personalvoices")
            if v.get("status") == "Succeeded" and v.get("speakerProfileId")
        }

    async def synthesize(self, request: Request) -> Response:
        """Text to speech REST: POST /cognitiveservices/v1 (no operationId: not in the specs)."""
        request_id = uuid.uuid4().hex
        try:
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/ssml+xml":
                raise SynthesisRefused(415, "Content-Type must be application/ssml+xml.")
            fmt = request.headers.get("x-microsoft-outputformat", "").strip().lower()
            if not fmt:
                raise SynthesisRefused(400, "The header X-Microsoft-OutputFormat is required.")
            if fmt in COMPRESSED_FORMATS:
                raise SynthesisRefused(
                    400,
                    f"{fmt} is a format the service offers but this emulator does not encode; "
                    "ask for riff-24khz-16bit-mono-pcm.",
                )
            if fmt not in PCM_FORMATS:
                raise SynthesisRefused(400, f"Unknown X-Microsoft-OutputFormat {fmt!r}.")
            deployment = request.query_params.get("deploymentId")
            spoken = parse_ssml(
                await request.body(),
                endpoint_voice=self._endpoint_voice(deployment) if deployment else None,
                profiles=self._profiles(),
            )
        except SynthesisRefused as exc:
            return Response(
                exc.message,
                status_code=exc.status,
                media_type="text/plain",
                headers={"X-RequestId": request_id},
            )
        riff = fmt.startswith("riff-")
        audio = waveform(spoken, PCM_FORMATS[fmt], riff=riff)
        return Response(
            audio,
            media_type="audio/x-wav" if riff else "audio/basic",
            headers={"X-RequestId": request_id, "X-Microsoft-OutputFormat": fmt},
        )

    def voices(self, request: Request) -> Response:
        """The voice list (standard voices; personal voice base models are used in SSML only)."""
        return JSONResponse(
            [
                {
                    "Name": f"Microsoft Server Speech Text to Speech Voice ({loc}, {name[6:]})",
                    "ShortName": name,
                    "Gender": gender,
                    "Locale": loc,
                    "VoiceType": "Neural",
                    "Status": "GA",
                }
                for name, loc, gender in STANDARD_VOICES
            ]
        )

    def router(self) -> APIRouter:
        r = APIRouter(prefix="/cognitiveservices")
        r.add_api_route("/v1", self.synthesize, methods=["POST"])
        r.add_api_route("/voices/list", self.voices, methods=["GET"])
        return r
