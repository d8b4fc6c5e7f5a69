"""Batch transcription in-process: Transcriptions_Submit / _Create with a custom model, the result
files (per-utterance text and timings), the simulated recognition, and the create checks."""

from __future__ import annotations

import functools
import http.server
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from speechflows.emulator.speech_to_text import recognition
from tests.emulator.polling import wait_for
from tests.emulator.test_emulator_speech_to_text import (
    BASE_EN,
    Q,
    _block_dataset,
    _done,
    model_body,
)
from tests.sockets import serving


@pytest.fixture
def audio_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A loopback HTTP server over a folder (where the job downloads ``contentUrls`` from)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving(server) as url:
        yield url, root


def _transcripts(folder: Path) -> dict[str, str]:
    lines = (folder / "trans.txt").read_text(encoding="utf-8-sig").splitlines()
    return {a: t for a, _, t in (line.partition("\t") for line in lines if line)}


def _custom_model(client: httpx.Client, ds: dict[str, Any]) -> dict[str, Any]:
    created = client.post(f"/speechtotext/models{Q}", json=model_body(ds))
    assert created.status_code == 201, created.text
    return _done(client, created.json()["self"])


def _results(client: httpx.Client, transcription: dict[str, Any]) -> dict[str, dict[str, Any]]:
    files = client.get(transcription["links"]["files"]).json()["values"]
    kinds = sorted(f["kind"] for f in files)
    assert kinds.count("TranscriptionReport") == 1
    out = {}
    for f in files:
        if f["kind"] == "Transcription":
            out[f["name"].removesuffix(".json")] = client.get(f["links"]["contentUrl"]).json()
    return out


def test_batch_transcription_with_a_custom_model_knows_seen_audio(
    client: httpx.Client, tmp_path: Path, audio_server: tuple[str, Path]
) -> None:
    folder = write_sample(tmp_path / "acoustic", "Acoustic", count=6)
    ds = _block_dataset(client, "Acoustic", build_zip(folder, tmp_path / "a.zip").read_bytes())
    truth = _transcripts(folder)
    base_url, served = audio_server
    for name in truth:
        (served / name).write_bytes((folder / name).read_bytes())
    model = _custom_model(client, ds)
    urls = [f"{base_url}/{name}" for name in truth]

    def submit(model_ref: dict[str, str] | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "displayName": "try",
            "locale": "en-US",
            "contentUrls": urls,
            "properties": {"timeToLiveHours": 48, "wordLevelTimestampsEnabled": True},
        }
        if model_ref:
            body["model"] = model_ref
        r = client.post(f"/speechtotext/transcriptions:submit{Q}", json=body)
        assert r.status_code == 201, r.text
        assert r.headers["Location"] == r.json()["self"]
        return _done(client, r.json()["self"])

    custom = submit({"self": model["self"]})
    assert custom["status"] == "Succeeded"
    assert custom["model"]["self"].split("?")[0] == model["self"].split("?")[0]
    base = submit(None)
    assert base["model"]["self"].split("?")[0].endswith(BASE_EN)
    got_custom, got_base = _results(client, custom), _results(client, base)
    assert sorted(got_custom) == sorted(truth)
    for name, result in got_custom.items():
        phrase = result["recognizedPhrases"][0]
        assert phrase["offsetInTicks"] >= 0 and phrase["durationInTicks"] > 0
        assert phrase["offsetInTicks"] + phrase["durationInTicks"] <= result["durationInTicks"]
        words = phrase["nBest"][0]["words"]
        assert [w["word"] for w in words] == phrase["nBest"][0]["display"].split()
        expected = recognition.recognise(
            truth[name],
            model_id=model["self"].split("?")[0].rsplit("/", 1)[1],
            digest=recognition.audio_hash((folder / name).read_bytes()),
            rate=recognition.CUSTOM_RATE,
        )
        assert phrase["nBest"][0]["display"] == " ".join(expected)
    # The two models err on different words; both are near the truth.
    assert got_custom != got_base
    # The same request again hears exactly the same words (deterministic).
    again = _results(client, submit({"self": model["self"]}))
    assert again == {k: {**v, "timestamp": again[k]["timestamp"]} for k, v in got_custom.items()}


def test_unseen_audio_is_heard_as_silence(
    client: httpx.Client, tmp_path: Path, audio_server: tuple[str, Path]
) -> None:
    folder = write_sample(tmp_path / "acoustic", "Acoustic", count=3)
    base_url, served = audio_server
    name = next(iter(_transcripts(folder)))
    (served / name).write_bytes((folder / name).read_bytes())
    r = client.post(
        "/speechtotext/v3.2/transcriptions",
        json={"displayName": "unseen", "locale": "en-US", "contentUrls": [f"{base_url}/{name}"]},
    )
    assert r.status_code == 201, r.text
    done = _done(client, r.json()["self"])
    assert done["status"] == "Succeeded"
    assert "duration" in done["properties"]  # v3.2 shape: ISO duration
    (result,) = _results(client, done).values()
    assert result["recognizedPhrases"] == [] and result["durationInTicks"] > 0


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ({"contentUrls": ["http://127.0.0.1:1/a.wav"]}, "properties.timeToLiveHours"),
        (
            {"contentUrls": ["http://127.0.0.1:1/a.wav"], "properties": {"timeToLiveHours": 5}},
            "properties.timeToLiveHours",
        ),
        ({"properties": {"timeToLiveHours": 48}}, "contentUrls"),
        (
            {
                "contentUrls": [f"http://127.0.0.1:1/{i}.wav" for i in range(1001)],
                "properties": {"timeToLiveHours": 48},
            },
            "contentUrls",
        ),
    ],
)
def test_submit_checks(client: httpx.Client, body: dict[str, Any], target: str) -> None:
    r = client.post(
        f"/speechtotext/transcriptions:submit{Q}",
        json={"displayName": "x", "locale": "en-US", **body},
    )
    assert r.status_code == 400, r.text
    assert target in r.json()["message"]


def test_unreachable_audio_fails_the_transcription(client: httpx.Client) -> None:
    r = client.post(
        f"/speechtotext/transcriptions:submit{Q}",
        json={
            "displayName": "nowhere",
            "locale": "en-US",
            "contentUrls": ["https://example.invalid/a.wav"],
            "properties": {"timeToLiveHours": 48},
        },
    )
    done = _done(client, r.json()["self"])
    assert done["status"] == "Failed"
    assert done["properties"]["error"]["code"] == "InvalidData"
    listed = wait_for(lambda: client.get(f"/speechtotext/transcriptions{Q}").json()["values"])
    assert [t["self"] for t in listed] == [done["self"]]
    assert client.delete(done["self"]).status_code == 204
    assert client.get(done["self"]).status_code == 404
