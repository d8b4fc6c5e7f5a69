"""``Operation-Id`` identity covers the whole request, and a training set's status follows its
import (ledger § Long-running operations and Operation-Id).

Spec (customvoice ``HeaderOperationId``, every version): "If the Operation-Id header matches an
existing operation and the request is not identical to the prior request, it will fail with a
400 Bad Request." Identical means method, URL and body, the SAS tokens in it included.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from speechflows.dev.azurite import Azurite
from speechflows.emulator.core.store import Job
from tests.emulator.test_official_sample_client import (
    SCRIPT,
    poll,
    raise_when_failed,
    stage_script,
)
from tests.fixtures.emulator import EmulatorService

V = "?api-version=2026-01-01"
SAMPLE_V = "api-version=2024-02-01-preview"


def _consent(url: str) -> dict[str, Any]:
    return {
        "projectId": "Jessica",
        "voiceTalentName": "Jessica Smith",
        "companyName": "Contoso",
        "locale": "en-US",
        "audioUrl": url,
    }


def test_same_operation_id_with_another_sas_is_400(client: httpx.Client) -> None:
    # Consents_Create: the same Operation-Id, the same consent, only the SAS differs.
    client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "ProfessionalVoice"})
    first = _consent("https://contoso.blob.core.windows.net/c/a.wav?sig=first")
    r = client.put(
        f"/customvoice/consents/Con1{V}", json=first, headers={"Operation-Id": "op-con1"}
    )
    assert r.status_code == 201, r.text
    again = client.put(
        f"/customvoice/consents/Con1{V}", json=first, headers={"Operation-Id": "op-con1"}
    )
    assert again.status_code == 201 and again.headers["Operation-Id"] == "op-con1"
    other_sas = _consent("https://contoso.blob.core.windows.net/c/a.wav?sig=second")
    r = client.put(
        f"/customvoice/consents/Con1{V}", json=other_sas, headers={"Operation-Id": "op-con1"}
    )
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error["code"] == "BadRequest"
    assert error["innererror"]["code"] == "OperationIdConflict"
    assert "second" not in r.text and "first" not in r.text  # no SAS echoed
    # Another api-version is another URL: not identical either.
    r = client.put(
        "/customvoice/consents/Con1?api-version=2024-02-01-preview",
        json=first,
        headers={"Operation-Id": "op-con1"},
    )
    assert r.status_code == 400
    # Without the header (or with a new id) the same consent re-PUT is the PUT's idempotency.
    r = client.put(
        f"/customvoice/consents/Con1{V}", json=other_sas, headers={"Operation-Id": "op-con2"}
    )
    assert r.status_code == 201 and r.headers["Operation-Id"] == "op-con1"


def test_upload_with_another_sas_under_the_same_operation_id_is_400(client: httpx.Client) -> None:
    client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "ProfessionalVoice"})
    r = client.put(
        f"/customvoice/trainingsets/Ts1{V}", json={"projectId": "Jessica", "locale": "en-US"}
    )
    assert r.status_code == 201

    def body(sig: str) -> dict[str, Any]:
        url = f"https://contoso.blob.core.windows.net/c?sig={sig}"
        return {
            "kind": "AudioAndScript",
            "audios": {"containerUrl": url, "extensions": [".wav"]},
            "scripts": {"containerUrl": url, "extensions": [".txt"]},
        }

    path = f"/customvoice/trainingsets/Ts1:upload{V}"
    assert client.post(path, json=body("a"), headers={"Operation-Id": "up-1"}).status_code == 202
    assert client.post(path, json=body("a"), headers={"Operation-Id": "up-1"}).status_code == 202
    r = client.post(path, json=body("b"), headers={"Operation-Id": "up-1"})
    assert r.status_code == 400
    assert r.json()["error"]["innererror"]["code"] == "OperationIdConflict"
    jobs = client.get("/_emulator/state").json()["jobs"]
    assert [j["id"] for j in jobs if j["resource"] == "trainingsets/Ts1"] == ["up-1"]


def _set_up(c: httpx.Client, azurite: Azurite, prefix: str) -> tuple[str, dict[str, Any]]:
    """A project and an empty training set named ``prefix`` + 8 hex digits, four utterances
    staged: the name and the ``:upload`` body for them."""
    name = f"{prefix}{uuid.uuid4().hex[:8]}"
    raise_when_failed(c.put(f"projects/{name}?{SAMPLE_V}", json={"kind": "ProfessionalVoice"}))
    raise_when_failed(
        c.put(
            f"trainingsets/{name}?{SAMPLE_V}",
            json={"projectId": name, "locale": "en-US", "voiceKind": "Female"},
        )
    )
    url = stage_script(azurite, "ident", "d/", bom=False)
    return name, {
        "kind": "AudioAndScript",
        "audios": {"containerUrl": url, "prefix": "d/", "extensions": [".wav"]},
        "scripts": {"containerUrl": url, "prefix": "d/", "extensions": [".txt"]},
    }


def _jobs(emulator: EmulatorService, name: str) -> list[dict[str, Any]]:
    """The emulator's jobs (operations) on training set ``name``."""
    return [j for j in emulator.state()["jobs"] if j["resource"] == f"trainingsets/{name}"]


def test_repeated_identical_upload_leaves_the_set_status_alone(
    sample_client: httpx.Client, azurite: Azurite, emulator: EmulatorService
) -> None:
    """Issue 26 #1: a client retrying a POST whose response was lost must not wedge the set."""
    c = sample_client
    name, body = _set_up(c, azurite, "Repeat")
    headers = {"Operation-Id": f"{name}-up"}
    first = c.post(f"trainingsets/{name}:upload?{SAMPLE_V}", json=body, headers=headers)
    assert first.status_code == 202, first.text
    assert poll(c, f"trainingsets/{name}", interval=0.05) == "Succeeded"
    before = raise_when_failed(c.get(f"trainingsets/{name}?{SAMPLE_V}"))
    again = c.post(f"trainingsets/{name}:upload?{SAMPLE_V}", json=body, headers=headers)
    assert again.status_code == 202, again.text
    assert again.headers["Operation-Id"] == f"{name}-up"
    after = raise_when_failed(c.get(f"trainingsets/{name}?{SAMPLE_V}"))
    assert after["status"] == "Succeeded"
    assert after == before
    op = raise_when_failed(c.get(f"operations/{name}-up?{SAMPLE_V}"))
    assert op["status"] == "Succeeded"
    assert len(_jobs(emulator, name)) == 1


def test_two_identical_uploads_at_once_make_one_import(
    sample_client: httpx.Client, azurite: Azurite, emulator: EmulatorService
) -> None:
    """Issue 24 #4: two hosts send the same ``:upload`` at the same moment."""
    c = sample_client
    name, body = _set_up(c, azurite, "Twin")
    headers = {"Operation-Id": f"{name}-up", "Ocp-Apim-Subscription-Key": emulator.key}
    url = f"{emulator.base_url}/customvoice/trainingsets/{name}:upload?{SAMPLE_V}"
    start = threading.Barrier(2)
    answers: list[httpx.Response] = []

    def send() -> None:
        with httpx.Client(timeout=30) as host:  # each "host" has its own connection
            start.wait()
            answers.append(host.post(url, json=body, headers=headers))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [202, 202], [a.text for a in answers]
    assert {a.headers["Operation-Id"] for a in answers} == {f"{name}-up"}
    assert poll(c, f"trainingsets/{name}", interval=0.05) == "Succeeded"
    got = raise_when_failed(c.get(f"trainingsets/{name}?{SAMPLE_V}"))
    assert got["properties"]["utteranceCount"] == len(SCRIPT)
    assert [(j["id"], j["status"]) for j in _jobs(emulator, name)] == [(f"{name}-up", "Succeeded")]


def test_an_earlier_import_ending_does_not_override_the_later_ones_status(
    client: httpx.Client, emu_app: FastAPI
) -> None:
    """Two imports with different Operation-Ids: the set shows the later one's status."""
    client.put(f"/customvoice/projects/Jessica{V}", json={"kind": "ProfessionalVoice"})
    client.put(
        f"/customvoice/trainingsets/Ts1{V}", json={"projectId": "Jessica", "locale": "en-US"}
    )
    ctx = emu_app.state.context
    assert ctx.engine is not None
    ctx.engine.stop()  # this test moves the jobs itself
    handler = ctx.engine.handlers["cv.trainingset_upload"]
    store = ctx.store
    params = {"kind": "AudioAndScript", "locale": "en-US"}
    first, second = (
        Job(
            id=f"imp-{n}",
            api="customvoice",
            kind="cv.trainingset_upload",
            coll="trainingsets",
            resource_id="Ts1",
            params=params,
            created=float(n),
        )
        for n in (1, 2)
    )
    store.put_job(first)
    store.put_job(second)
    store.update("customvoice", "trainingsets", "Ts1", status="NotStarted")
    result = {"ok": True, "utterances": 3, "seconds": 6.0, "names": [], "skipped": []}
    assert handler.finish(first, result) == "Succeeded"
    store.finish_job(first, "Succeeded")
    ts = client.get(f"/customvoice/trainingsets/Ts1{V}").json()
    assert ts["status"] == "NotStarted"  # the later import has not run yet
    assert ts["properties"]["utteranceCount"] == 3
    handler.start(second)
    assert handler.finish(second, {**result, "utterances": 1, "seconds": 2.0}) == "Succeeded"
    ts = client.get(f"/customvoice/trainingsets/Ts1{V}").json()
    assert ts["status"] == "Succeeded" and ts["properties"]["utteranceCount"] == 4
