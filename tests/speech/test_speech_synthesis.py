"""The text to speech client: the request the service documents (headers, SSML, deploymentId),
the host it goes to, and a throttled synthesis retried after Retry-After (it creates nothing)."""

from __future__ import annotations

import httpx

from speechflows.settings import SpeechSettings
from speechflows.speech import RetryPolicy
from speechflows.speech.text_to_speech import (
    SynthesisClient,
    personal_voice_ssml,
    professional_voice_ssml,
)
from tests.speech.spec_support import KEY


def test_a_throttled_synthesis_is_retried_and_sends_the_documented_request() -> None:
    seen: list[httpx.Request] = []
    waits: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        if len(seen) == 1:
            return httpx.Response(429, headers={"Retry-After": "2"})
        return httpx.Response(200, content=b"RIFF....", headers={"Content-Type": "audio/x-wav"})

    settings = SpeechSettings(region="westeurope", key=KEY)
    with SynthesisClient(
        settings,
        transport=httpx.MockTransport(answer),
        retry=RetryPolicy(max_attempts=3),
        sleep=waits.append,
    ) as tts:
        ssml = professional_voice_ssml("JessicaNeural", "Fish & chips <today>", "en-GB")
        audio = tts.synthesize(ssml, deployment_id="9f50c644-2121-40e9-9ea7-544e48bfe3cb")
    assert audio == b"RIFF...." and waits == [2.0] and len(seen) == 2
    last = seen[-1]
    assert str(last.url) == (
        "https://westeurope.voice.speech.microsoft.com/cognitiveservices/v1"
        "?deploymentId=9f50c644-2121-40e9-9ea7-544e48bfe3cb"
    )
    assert last.headers["Content-Type"] == "application/ssml+xml"
    assert last.headers["X-Microsoft-OutputFormat"] == "riff-24khz-16bit-mono-pcm"
    assert last.headers["Ocp-Apim-Subscription-Key"] == KEY
    assert "Fish &amp; chips &lt;today&gt;" in last.content.decode()


def test_personal_voice_goes_to_the_regional_tts_host() -> None:
    settings = SpeechSettings(region="eastus", key=KEY)
    with SynthesisClient(
        settings, transport=httpx.MockTransport(lambda r: httpx.Response(200))
    ) as t:
        assert t.synthesis_url() == "https://eastus.tts.speech.microsoft.com/cognitiveservices/v1"
    ssml = personal_voice_ssml("3b1f", "Hi", "en-US", base_voice="DragonLatestNeural")
    assert '<voice name="DragonLatestNeural"><mstts:ttsembedding speakerProfileId="3b1f">' in ssml
