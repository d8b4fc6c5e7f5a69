"""The text to speech REST synthesis call in-process: status codes, headers, output formats, SSML
checks, personal voice speakerProfileId, professional voice deploymentId, throttling, and the
deterministic synthetic waveform.

The personal voice and the endpoint are put in the emulator's store as a finished onboarding
leaves them (the onboarding journeys themselves are tests/flows' and tests/emulator/test_emulator_e2e)."""

from __future__ import annotations

import io
import wave
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from speechflows.emulator import EmulatorConfig, create_app, stop_app
from speechflows.emulator.core.config import parse_quota
from speechflows.emulator.inprocess import InProcessTransport
from tests.emulator.conftest import KEY

PROFILE = "2c1d7b5e-8f3a-4d8e-9a43-0b6a6cbd1f10"
ENDPOINT = "9f50c644-2121-40e9-9ea7-544e48bfe3cb"
WAV = {
    "Content-Type": "application/ssml+xml",
    "X-Microsoft-OutputFormat": "riff-24khz-16bit-mono-pcm",
}


def _ssml(voice: str, text: str, profile: str | None = None) -> str:
    inner = (
        f"<mstts:ttsembedding speakerProfileId='{profile}'>{text}</mstts:ttsembedding>"
        if profile
        else text
    )
    return (
        "<speak version='1.0' xmlns='http://www.w3.org/2001/10/synthesis' "
        "xmlns:mstts='https://www.w3.org/2001/mstts' xml:lang='en-US'>"
        f"<voice name='{voice}'>{inner}</voice></speak>"
    )


@pytest.fixture
def tts(emu_app: FastAPI) -> Iterator[httpx.Client]:
    store = emu_app.state.context.store
    store.put(
        "customvoice",
        "personalvoices",
        "Jessica-pv",
        {"id": "Jessica-pv", "status": "Succeeded", "speakerProfileId": PROFILE},
    )
    store.put(
        "customvoice",
        "models",
        "M1",
        {"id": "M1", "status": "Succeeded", "voiceName": "JessicaNeural"},
    )
    store.put(
        "customvoice",
        "endpoints",
        ENDPOINT,
        {"id": ENDPOINT, "status": "Succeeded", "modelId": "M1"},
    )
    with httpx.Client(
        transport=InProcessTransport(emu_app),
        base_url="http://emulator.test",
        headers={"Ocp-Apim-Subscription-Key": KEY},
    ) as c:
        yield c


def _duration(audio: bytes) -> float:
    with wave.open(io.BytesIO(audio)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, 24000)
        return float(w.getnframes()) / float(w.getframerate())


def test_personal_voice_synthesis_is_a_deterministic_wav(tts: httpx.Client) -> None:
    body = _ssml("PhoenixV2Neural", "Hello from my own voice.", PROFILE)
    r = tts.post("/cognitiveservices/v1", content=body, headers=WAV)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/x-wav"
    assert r.headers["x-requestid"]
    assert _duration(r.content) == pytest.approx(0.4 + 5 * 0.32, abs=0.01)
    assert tts.post("/cognitiveservices/v1", content=body, headers=WAV).content == r.content
    other = tts.post(
        "/cognitiveservices/v1", content=_ssml("PhoenixV2Neural", "Hello there."), headers=WAV
    )
    assert other.status_code == 200 and other.content != r.content
    raw = tts.post(
        "/cognitiveservices/v1",
        content=body,
        headers={**WAV, "X-Microsoft-OutputFormat": "raw-16khz-16bit-mono-pcm"},
    )
    assert raw.status_code == 200 and raw.content[:4] != b"RIFF"


def test_professional_voice_through_its_deployment(tts: httpx.Client) -> None:
    ok = tts.post(
        f"/cognitiveservices/v1?deploymentId={ENDPOINT}",
        content=_ssml("JessicaNeural", "Welcome to Contoso."),
        headers=WAV,
    )
    assert ok.status_code == 200, ok.text
    wrong_voice = tts.post(
        f"/cognitiveservices/v1?deploymentId={ENDPOINT}",
        content=_ssml("en-US-JennyNeural", "Welcome."),
        headers=WAV,
    )
    assert wrong_voice.status_code == 400 and "JennyNeural" in wrong_voice.text
    unknown = tts.post(
        "/cognitiveservices/v1?deploymentId=0f50c644-2121-40e9-9ea7-544e48bfe3cb",
        content=_ssml("JessicaNeural", "Welcome."),
        headers=WAV,
    )
    assert unknown.status_code == 400 and "deploymentId" in unknown.text


@pytest.mark.parametrize(
    ("body", "headers", "status", "words"),
    [
        (_ssml("PhoenixV2Neural", "Hi."), {"Content-Type": "text/plain"}, 415, "ssml+xml"),
        (_ssml("PhoenixV2Neural", "Hi."), {"X-Microsoft-OutputFormat": ""}, 400, "required"),
        (_ssml("PhoenixV2Neural", "Hi."), {"X-Microsoft-OutputFormat": "wav-9"}, 400, "Unknown"),
        (
            _ssml("PhoenixV2Neural", "Hi."),
            {"X-Microsoft-OutputFormat": "audio-24khz-48kbitrate-mono-mp3"},
            400,
            "does not encode",
        ),
        ("<speak version='1.0'", {}, 400, "well-formed"),
        (
            "<speak version='1.0'><voice name='en-US-JennyNeural'>Hi</voice></speak>",
            {},
            400,
            "xml:lang",
        ),
        (_ssml("NoSuchNeural", "Hi."), {}, 400, "NoSuchNeural"),
        (
            _ssml("PhoenixV2Neural", "Hi.", "00000000-0000-0000-0000-000000000000"),
            {},
            400,
            "speakerProfileId",
        ),
        (_ssml("en-US-JennyNeural", " "), {}, 400, "no text"),
    ],
)
def test_refusals(
    tts: httpx.Client, body: str, headers: dict[str, str], status: int, words: str
) -> None:
    r = tts.post("/cognitiveservices/v1", content=body, headers={**WAV, **headers})
    assert r.status_code == status
    assert words in r.text


def test_auth_and_throttling_go_through_the_gate(emu_config: EmulatorConfig) -> None:
    app = create_app(emu_config.model_copy(update={"quota": parse_quota("2/10s")}))
    try:
        with httpx.Client(transport=InProcessTransport(app), base_url="http://emulator.test") as c:
            body = _ssml("en-US-JennyNeural", "Hi.")
            assert c.post("/cognitiveservices/v1", content=body, headers=WAV).status_code == 401
            keyed = {**WAV, "Ocp-Apim-Subscription-Key": KEY}
            codes = [c.post("/cognitiveservices/v1", content=body, headers=keyed) for _ in range(3)]
            assert [r.status_code for r in codes] == [200, 200, 429]
            assert int(codes[-1].headers["Retry-After"]) > 0
            voices = c.get("/cognitiveservices/voices/list", headers=keyed)
            assert voices.status_code == 429
    finally:
        stop_app(app)
