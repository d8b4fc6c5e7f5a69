"""``speechflows list``, ``delete`` and ``cancel`` against the emulator.

A professional voice onboarding with a deployed endpoint makes the resources; what the commands
did is then read back from the service with raw httpx (not through the client under test).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import prefect.main  # noqa: F401  (Prefect logs to the real stderr, set before CliRunner swaps it)
import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.flows.params import ConsentParams, ProfessionalVoiceParams, VoiceModelParams
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState
from tests.flows.deadlines import FAST
from tests.samples import first_file

pytestmark = pytest.mark.e2e


def _invoke(*args: str, stdin: str | None = None) -> Any:
    result = CliRunner().invoke(app, list(args), input=stdin, env={"COLUMNS": "250"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def _status(env: dict[str, str], collection: str, rid: str) -> int:
    return httpx.get(
        f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/customvoice/{collection}/{rid}",
        params={"api-version": "2026-01-01"},
        headers={"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=30,
    ).status_code


def test_list_delete_refuses_what_an_endpoint_uses_then_cleans_up(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    project = "mgmt-cli"
    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav",))
    params = ProfessionalVoiceParams(
        project_id=project,
        deadlines=FAST,
        data_dir=write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=3),
        consent=ConsentParams(
            voice_talent_name="Jess Doe", company_name="Contoso", audio_file=consent
        ),
        model=VoiceModelParams(voice_name="MgmtCliNeural", deploy_endpoint=True),
    )
    result = professional_voice_onboarding(params)
    assert result.model is not None and result.endpoint is not None
    model, endpoint, training_set = result.model.id, result.endpoint.id, result.training_set.id

    listed = _invoke("list", "--project", project, "--json")
    assert listed.exit_code == 0, listed.output
    rows = {(r["kind"], r["id"]): r for r in json.loads(listed.stdout)}
    assert {("project", project), ("consent", f"{project}-consent"), ("model", model)} <= set(rows)
    assert ("training-set", training_set) in rows and ("endpoint", endpoint) in rows
    assert rows[("model", model)]["status"] == "Succeeded"
    assert all(r["age_seconds"] is not None and r["age_seconds"] >= 0 for r in rows.values())
    table = _invoke("list", "--project", project)
    assert model in table.stdout and "Succeeded" in table.stdout and "age" in table.stdout

    for kind, rid in (("model", model), ("training-set", training_set), ("project", project)):
        refused = _invoke("delete", kind, rid, "--yes")
        assert refused.exit_code == 1, refused.output
        assert f"endpoint {endpoint} still uses" in refused.output
        assert f"speechflows delete endpoint {endpoint}" in refused.output
    assert _status(flow_env, "models", model) == 200

    # Cancel: the model finished training, there is nothing to stop.
    done = _invoke("cancel", "model", model, "--yes")
    assert done.exit_code == 1 and "not running" in done.output

    # Cancel: a training that does not finish (the emulator's stuck operations) is stopped.
    emulator_state.set_faults(stuck_operations=True)
    stuck = f"{project}-stuck"
    created = httpx.put(
        f"{flow_env['SPEECHFLOWS_SPEECH_ENDPOINT']}/customvoice/models/{stuck}",
        params={"api-version": "2026-01-01"},
        headers={"Ocp-Apim-Subscription-Key": flow_env["SPEECHFLOWS_SPEECH_KEY"]},
        json={
            "voiceName": "MgmtStuckNeural",
            "recipe": {"kind": "Default"},
            "projectId": project,
            "consentId": f"{project}-consent",
            "trainingSetId": training_set,
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    running = {r["id"]: r for r in json.loads(_invoke("list", "--json").stdout)}[stuck]
    assert running["status"] in ("NotStarted", "Running")
    cancelled = _invoke("cancel", "model", stuck, "--yes")
    assert cancelled.exit_code == 0, cancelled.output
    assert _status(flow_env, "models", stuck) == 404
    emulator_state.clear_faults()

    dry = _invoke("delete", "endpoint", endpoint, "--dry-run")
    assert dry.exit_code == 0 and "would delete" in dry.output and endpoint in dry.output
    assert _status(flow_env, "endpoints", endpoint) == 200
    declined = _invoke("delete", "endpoint", endpoint, stdin="n\n")
    assert declined.exit_code == 1 and _status(flow_env, "endpoints", endpoint) == 200

    gone = _invoke("delete", "endpoint", endpoint, stdin="y\n")
    assert gone.exit_code == 0, gone.output
    assert _status(flow_env, "endpoints", endpoint) == 404
    dry_project = _invoke("delete", "project", project, "--dry-run")
    assert dry_project.exit_code == 0 and model in dry_project.stdout
    assert _invoke("delete", "project", project, "--yes").exit_code == 0
    assert _status(flow_env, "projects", project) == 404
    assert _status(flow_env, "models", model) == 404
    missing = _invoke("delete", "model", model, "--yes")
    assert missing.exit_code == 1 and "speechflows list" in missing.output
