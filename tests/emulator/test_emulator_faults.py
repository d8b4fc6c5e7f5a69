"""Faults on demand: 429 with Retry-After, 5xx, dropped connections, stuck and failing operations,
and bearer-token authentication."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from speechflows.emulator import EmulatorConfig, FaultConfig, RateLimit, create_app, stop_app
from speechflows.emulator.gate import DroppedConnection
from speechflows.emulator.inprocess import InProcessTransport
from tests.emulator.conftest import KEY
from tests.emulator.polling import wait_for

V = "?api-version=2026-01-01"


def _faults(client: httpx.Client, **faults: object) -> None:
    r = client.post("/_emulator/faults", json=faults)
    assert r.status_code == 200, r.text


def test_rate_limit_answers_429_with_retry_after_in_each_shape(client: httpx.Client) -> None:
    _faults(client, rate_limit={"requests": 2, "window_seconds": 30})
    assert client.get(f"/customvoice/projects{V}").status_code == 200
    assert client.get("/speechtotext/projects?api-version=2025-10-15").status_code == 200
    cv = client.get(f"/customvoice/projects{V}")
    assert cv.status_code == 429
    assert cv.json()["error"]["code"] == "TooManyRequests"
    assert 1 <= int(cv.headers["Retry-After"]) <= 30
    stt = client.get("/speechtotext/projects?api-version=2025-10-15")
    assert stt.status_code == 429 and stt.json()["code"] == "TooManyRequests"
    state = client.get("/_emulator/state").json()  # the admin API is never limited
    assert state["faults"]["refused"]["rate_limited"] == 2
    assert client.delete("/_emulator/faults").status_code == 204
    assert client.get(f"/customvoice/projects{V}").status_code == 200


def test_error_ratio_refuses_without_side_effects(client: httpx.Client) -> None:
    _faults(client, error_ratio=1.0, error_status=503)
    r = client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "PersonalVoice"})
    assert r.status_code == 503 and r.json()["error"]["code"] == "ServiceUnavailable"
    client.delete("/_emulator/faults")
    assert client.get(f"/customvoice/projects/Jessica{V}").status_code == 404


def test_dropped_connections_before_and_after_execution(client: httpx.Client) -> None:
    _faults(client, drop_ratio=1.0)
    with pytest.raises(DroppedConnection):
        client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "PersonalVoice"})
    _faults(client, drop_ratio=1.0, drop_after=True)
    with pytest.raises(httpx.RemoteProtocolError):
        client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "PersonalVoice"})
    client.delete("/_emulator/faults")
    # Dropped before: nothing happened. Dropped after: the project exists.
    creates = client.get("/_emulator/state").json()["create_counts"]
    assert creates == {"customvoice/projects/Jessica": 1}


def _training_set(client: httpx.Client) -> dict[str, Any]:
    """Project Jessica and its training set Jessica-300: the body of an ``:upload`` to it."""
    client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "ProfessionalVoice"})
    client.put(
        f"/customvoice/trainingsets/Jessica-300{V}",
        json={"projectId": "Jessica", "locale": "en-US"},
    )
    return {
        "kind": "AudioOnly",
        "audios": {"containerUrl": "https://x.example/c?sig=s", "extensions": [".wav"]},
    }


def test_stuck_then_released_and_failing_operations(client: httpx.Client) -> None:
    upload = _training_set(client)
    _faults(client, stuck_operations=True)
    r = client.post(
        f"/customvoice/trainingsets/Jessica-300:upload{V}",
        json=upload,
        headers={"Operation-Id": "stuck-op"},
    )
    assert r.status_code == 202 and r.content == b""
    wait_for(
        lambda: client.get("/_emulator/jobs/stuck-op").json()["result"],
        what="the upload's work to finish",
    )
    assert client.get(f"/customvoice/operations/stuck-op{V}").json()["status"] == "Running"
    client.delete("/_emulator/faults")
    wait_for(
        lambda: client.get(f"/customvoice/operations/stuck-op{V}").json()["status"] == "Failed",
        what="release of the stuck operation",
    )
    _faults(client, fail_operations=True)
    client.put(f"/customvoice/projects/Personal{V}", json={"kind": "PersonalVoice"})
    client.put(
        f"/customvoice/consents/Talent{V}",
        json={
            "projectId": "Personal",
            "voiceTalentName": "A B",
            "companyName": "C",
            "locale": "en-US",
            "audioUrl": "http://127.0.0.1:9/consent.wav",
        },
        headers={"Operation-Id": "failing-op"},
    )
    wait_for(
        lambda: client.get(f"/customvoice/operations/failing-op{V}").json()["status"] == "Failed",
        what="forced failure",
    )
    consent = client.get(f"/customvoice/consents/Talent{V}").json()
    assert consent["properties"]["failureReason"] == "Internal"


def test_invalid_fault_config_is_rejected(client: httpx.Client) -> None:
    r = client.post("/_emulator/faults", json={"error_ratio": 2})
    assert r.status_code == 400
    r = client.post("/_emulator/faults", json={"bogus": 1})
    assert r.status_code == 400


def test_faults_from_config_and_bearer_tokens(tmp_path: Path) -> None:
    config = EmulatorConfig(
        data_dir=tmp_path,
        key=KEY,
        accept_bearer=True,
        faults=FaultConfig(rate_limit=RateLimit(requests=1, window_seconds=60)),
    )
    app: FastAPI = create_app(config)
    try:
        with httpx.Client(transport=InProcessTransport(app), base_url="http://e") as c:
            ok = c.get(f"/customvoice/projects{V}", headers={"Authorization": "Bearer tok"})
            assert ok.status_code == 200
            assert (
                c.get(
                    f"/customvoice/projects{V}", headers={"Authorization": "Bearer tok"}
                ).status_code
                == 429
            )
            assert (
                c.get(
                    f"/customvoice/projects{V}", headers={"Authorization": "Basic abc"}
                ).status_code
                == 401
            )
    finally:
        stop_app(app)


def test_a_targeted_drop_loses_one_upload_answer_and_stale_resources_keep_their_status(
    client: httpx.Client,
) -> None:
    """Issue 26.1's moment: the answer to one ``:upload`` is lost (the upload ran); and with
    ``stale_resources`` the operation Succeeds while the set keeps its status."""
    upload = _training_set(client)
    _faults(client, drop_match=":upload", drop_after=True, stale_resources=["trainingsets"])
    assert client.get(f"/customvoice/projects{V}").status_code == 200  # not matched: served
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(
            f"/customvoice/trainingsets/Jessica-300:upload{V}",
            json=upload,
            headers={"Operation-Id": "lost-answer"},
        )
    assert client.get("/_emulator/state").json()["faults"]["refused"]["dropped"] == 1
    wait_for(
        lambda: (
            client.get(f"/customvoice/operations/lost-answer{V}").json()["status"]
            in ("Succeeded", "Failed")
        ),
        what="the upload whose answer was lost",
    )
    ts = client.get(f"/customvoice/trainingsets/Jessica-300{V}").json()
    assert ts["status"] in ("NotStarted", "Running")  # stale: it never followed its operation
    client.delete("/_emulator/faults")
