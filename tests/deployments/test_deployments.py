"""prefect.yaml applied to a real Prefect server, runs executed by a real process worker.

One server + worker for the session (``deploy_stack``); the onboarding flows talk to the session
emulator and Azurite over loopback. Runs are created through the REST API, as the UI does.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.deployments.setup import WORK_POOL
from speechflows.flows.drops import DESCRIPTOR
from tests.fixtures.prefect_stack import DeployStack
from tests.samples import first_file

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FAST = {
    "poll_min_seconds": 0.05,
    "poll_max_seconds": 0.5,
    "consent_minutes": 2,
    "personal_voice_minutes": 2,
    "dataset_minutes": 2,
}
DEPLOYMENTS = {
    "professional-voice-onboarding/professional-voice",
    "personal-voice-onboarding/personal-voice",
    "custom-speech-onboarding/custom-speech",
    "sync/sync",
    "inventory/inventory",
    "sync/on-dataset-dropped",
}


def _emulator_creates(stack: DeployStack, prefix: str) -> list[tuple[str, str]]:
    state = httpx.get(
        f"{stack.flow_env['SPEECHFLOWS_SPEECH_ENDPOINT']}/_emulator/state", timeout=10
    )
    return sorted(
        (c["collection"], c["id"])
        for c in state.json()["creates"]
        if str(c["id"]).startswith(prefix)
    )


def _language_drop(folder: Path, project: str, text: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "phrases.txt").write_text(text, encoding="utf-8-sig")
    (folder / DESCRIPTOR).write_text(
        json.dumps(
            {
                "onboarding": "custom-speech",
                "params": {
                    "project_name": project,
                    "deadlines": FAST,
                    "datasets": [
                        {"name": f"{project}-phrases", "kind": "Language", "path": "phrases.txt"}
                    ],
                },
            }
        )
    )
    return folder


def test_deploy_all_applies_every_deployment_from_prefect_yaml(deploy_stack: DeployStack) -> None:
    api = deploy_stack.api
    found = {f"{d['flow_name']}/{d['name']}": d for d in _all_deployments(api.http)}
    assert set(found) >= DEPLOYMENTS
    for name in DEPLOYMENTS:
        dep = found[name]
        assert dep["work_pool_name"] == WORK_POOL
        assert dep["enforce_parameter_schema"] is True
        # Any worker of the pool runs it: the installed package's module, no pull step tied to
        # the directory the deployments were applied from.
        assert dep["pull_steps"] == [], dep["pull_steps"]
        module, _, function = dep["entrypoint"].partition(":")
        assert module.startswith("speechflows.flows.") and "/" not in module, dep["entrypoint"]
        assert function.isidentifier()
    sync_schedules = [s["schedule"] for s in found["sync/sync"]["schedules"]]
    assert sync_schedules[0]["cron"] == "0 2 * * *"
    assert found["inventory/inventory"]["schedules"][0]["schedule"]["interval"] == 3600
    dropped = found["sync/on-dataset-dropped"]["id"]
    automations = api.http.get(f"/automations/related-to/prefect.deployment.{dropped}").json()
    assert [a["trigger"]["expect"] for a in automations] == [["speechflows.dataset.dropped"]]


def _all_deployments(http: httpx.Client) -> list[dict[str, Any]]:
    deployments = http.post("/deployments/filter", json={}).json()
    flows = {f["id"]: f["name"] for f in http.post("/flows/filter", json={}).json()}
    return [{**d, "flow_name": flows[d["flow_id"]]} for d in deployments]


def test_rest_run_with_parameters_completes_with_the_personal_voice(
    deploy_stack: DeployStack, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    api = deploy_stack.api
    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav", ".mp3"))
    prompt = write_sample(tmp_path / "prompt", DataKind.PROMPT)
    dep = api.deployment("personal-voice-onboarding/personal-voice")
    params = {
        "project_id": "deploy-rest",
        "prompt_path": str(prompt),
        "deadlines": FAST,
        "consent": {
            "voice_talent_name": "Sam Roe",
            "company_name": "Contoso",
            "audio_file": str(consent),
        },
    }
    response = api.create_run(dep["id"], {"params": params}, tags=["via-rest"])
    assert response.status_code == 201, response.text
    run = api.wait_for_run(response.json()["id"])
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
    assert run["parameters"]["params"]["project_id"] == "deploy-rest"
    creates = _emulator_creates(deploy_stack, "deploy-rest")
    # The personal voice is versioned by its prompt audio: deploy-rest-voice-v<8 hex>.
    voice_id = next(i for c, i in creates if c == "personalvoices")
    assert re.fullmatch(r"deploy-rest-voice-v[0-9a-f]{8}", voice_id), creates
    assert creates == [
        ("consents", "deploy-rest-consent"),
        ("personalvoices", voice_id),
        ("projects", "deploy-rest"),
    ]
    voice = httpx.get(
        f"{deploy_stack.flow_env['SPEECHFLOWS_SPEECH_ENDPOINT']}/customvoice/personalvoices/"
        f"{voice_id}",
        params={"api-version": "2026-01-01"},
        headers={"Ocp-Apim-Subscription-Key": deploy_stack.flow_env["SPEECHFLOWS_SPEECH_KEY"]},
    ).json()
    assert voice["status"] == "Succeeded"
    reports = [a for a in api.artifacts(run["id"]) if a["type"] == "markdown"]
    assert any(voice["speakerProfileId"] in str(a["data"]) for a in reports)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"project_id": "x"}, "project_id"),  # below the 3-character Custom Voice id minimum
        ({"project_id": "ok-id", "locale": 42}, "locale"),
    ],
)
def test_an_invalid_parameter_is_refused_at_run_creation(
    deploy_stack: DeployStack, params: dict[str, Any], field: str
) -> None:
    api = deploy_stack.api
    dep = api.deployment("personal-voice-onboarding/personal-voice")
    full = {
        "prompt_path": "p",
        "consent": {"voice_talent_name": "A", "company_name": "B", "audio_file": "c.wav"},
        **params,
    }
    before = len(api.runs(dep["id"]))
    response = api.create_run(dep["id"], {"params": full})
    assert response.status_code == 409
    assert "Validation failed" in response.text and field in response.text
    assert len(api.runs(dep["id"])) == before


def test_the_inventory_schedule_produces_runs_that_complete(deploy_stack: DeployStack) -> None:
    api = deploy_stack.api
    dep = api.deployment("inventory/inventory")
    schedule = dep["schedules"][0]
    # A 5-second interval instead of hourly; the test server's scheduler loops every 2 s.
    api.http.patch(
        f"/deployments/{dep['id']}/schedules/{schedule['id']}", json={"schedule": {"interval": 5}}
    ).raise_for_status()
    try:

        def completed() -> list[dict[str, Any]]:
            runs = [r for r in api.runs(dep["id"]) if r["auto_scheduled"]]
            done = [r for r in runs if r["state_type"] == "COMPLETED"]
            failed = [r for r in runs if r["state_type"] in ("FAILED", "CRASHED")]
            assert not failed, api.failure_logs(failed[0]["id"])
            return done if len(done) >= 2 else []

        runs = api.wait_until("two scheduled inventory runs to complete", completed, timeout=180)
    finally:
        api.http.patch(
            f"/deployments/{dep['id']}/schedules/{schedule['id']}",
            json={"schedule": {"interval": 3600}, "active": False},
        ).raise_for_status()
    keys = {a["key"] for a in api.artifacts(runs[0]["id"])}
    assert {"speechflows-inventory", "speechflows-inventory-summary"} <= keys


def _runs_tagged(stack: DeployStack, deployment: str, tag_prefix: str) -> list[dict[str, Any]]:
    dep = stack.api.deployment(deployment)
    return [
        r for r in stack.api.runs(dep["id"]) if any(t.startswith(tag_prefix) for t in r["tags"])
    ]


def test_sync_onboards_a_new_folder_once_and_skips_it_when_unchanged(
    deploy_stack: DeployStack, tmp_path: Path
) -> None:
    api = deploy_stack.api
    project = f"sync-{uuid.uuid4().hex[:8]}"
    drop = tmp_path / "drop"
    folder = _language_drop(drop / "batch-1", project, "hello world\nturn on the lights\n")
    sync_dep = api.deployment("sync/sync")

    def sync_once() -> dict[str, Any]:
        response = api.create_run(sync_dep["id"], {"drop": str(drop)})
        assert response.status_code == 201, response.text
        run = api.wait_for_run(response.json()["id"])
        assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
        return run

    def onboardings() -> list[dict[str, Any]]:
        return [
            r
            for r in _runs_tagged(
                deploy_stack, "custom-speech-onboarding/custom-speech", "sf-drop-"
            )
            if r["parameters"]["params"]["project_name"] == project
        ]

    sync_once()
    launched = onboardings()
    assert len(launched) == 1
    onboarding = api.wait_for_run(launched[0]["id"])
    assert onboarding["state_type"] == "COMPLETED", api.failure_logs(onboarding["id"])
    assert onboarding["parameters"]["params"]["datasets"][0]["path"] == str(folder / "phrases.txt")

    sync_once()
    assert [r["id"] for r in onboardings()] == [launched[0]["id"]]  # unchanged: skipped

    (folder / "phrases.txt").write_text("hello world\nturn off the lights\n", encoding="utf-8-sig")
    sync_once()
    assert len(onboardings()) == 2  # changed content: onboarded again
    for run in onboardings():
        assert api.wait_for_run(run["id"])["state_type"] == "COMPLETED"


def test_a_dataset_dropped_event_triggers_a_sync_run(
    deploy_stack: DeployStack, tmp_path: Path
) -> None:
    api = deploy_stack.api
    drop = tmp_path / f"drop-{uuid.uuid4().hex[:8]}"
    drop.mkdir()
    dep = api.deployment("sync/on-dataset-dropped")
    event = {
        "id": str(uuid.uuid4()),
        "occurred": datetime.now(UTC).isoformat(),
        "event": "speechflows.dataset.dropped",
        "resource": {"prefect.resource.id": f"speechflows.dataset.{drop.name}"},
        "payload": {"path": str(drop)},
    }
    api.http.post("/events", json=[event]).raise_for_status()

    def triggered() -> list[dict[str, Any]]:
        return [r for r in api.runs(dep["id"]) if r["parameters"].get("drop") == str(drop)]

    runs = api.wait_until("the event to create a run", triggered, timeout=60)
    run = api.wait_for_run(runs[0]["id"])
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
