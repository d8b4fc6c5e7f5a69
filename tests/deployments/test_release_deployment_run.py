"""The ``custom-speech-release`` deployment run through the REST API with the form's parameters,
as the Prefect UI creates it, executed by the session's process worker against the emulator: a
model trained with raw httpx is released to a new endpoint; a gate value outside the form's
bounds is refused when the run is created.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from tests.emulator.test_emulator_speech_to_text import BASE_EN, _block_dataset, _done
from tests.fixtures.prefect_stack import DeployStack

pytestmark = [pytest.mark.slow, pytest.mark.e2e]
Q = {"api-version": "2025-10-15"}
FAST = {
    "poll_min_seconds": 0.05,
    "poll_max_seconds": 0.5,
    "evaluation_minutes": 2,
    "endpoint_minutes": 2,
}
DEPLOYMENT = "custom-speech-release/custom-speech-release"


def _id(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[1]


def _trained_model(env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    """(model id, Acoustic dataset id) created on the emulator with raw httpx."""
    archive = build_zip(write_sample(tmp_path / "acoustic", "Acoustic"), tmp_path / "a.zip")
    with httpx.Client(
        base_url=env["SPEECHFLOWS_SPEECH_ENDPOINT"],
        headers={"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=30,
    ) as http:
        ds = _block_dataset(http, "Acoustic", archive.read_bytes())
        assert ds["status"] == "Succeeded", ds
        base = f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/speechtotext/models/base/{BASE_EN}"
        made = http.post(
            "/speechtotext/models",
            params=Q,
            json={
                "displayName": f"rest-release-{uuid.uuid4().hex[:6]}",
                "locale": "en-US",
                "baseModel": {"self": base},
                "datasets": [{"self": ds["self"]}],
            },
        )
        assert made.status_code == 201, made.text
        model = _done(http, made.json()["self"])
    assert model["status"] == "Succeeded", model
    return _id(model["self"]), _id(ds["self"])


def _endpoints(env: dict[str, str], name: str) -> list[dict[str, Any]]:
    body = httpx.get(
        f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/speechtotext/endpoints",
        params={**Q, "filter": f"displayName eq '{name}'"},
        headers={"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=30,
    ).json()
    return [e for e in body["values"] if e["displayName"] == name]


def test_the_release_deployment_runs_from_its_form_parameters(
    deploy_stack: DeployStack, tmp_path: Path
) -> None:
    api, env = deploy_stack.api, deploy_stack.flow_env
    # The default sample has 90 words: the emulator's simulated custom-model WER (0.7 x the
    # base model's, ledger § Speech to text) is then always at least 1.1 points better.
    model, dataset = _trained_model(env, tmp_path)
    endpoint_name = f"rest-release-{uuid.uuid4().hex[:6]}"
    dep = api.deployment(DEPLOYMENT)
    params = {
        "model": model,
        "test_dataset": dataset,
        "deadlines": FAST,
        "release": {"endpoint_name": endpoint_name, "max_wer": 35, "min_improvement": 0.5},
    }

    refused = api.create_run(
        dep["id"], {"params": {**params, "release": {"endpoint_name": "x", "max_wer": 150}}}
    )
    assert refused.status_code == 409 and "max_wer" in refused.text

    response = api.create_run(dep["id"], {"params": params}, tags=["via-rest"])
    assert response.status_code == 201, response.text
    run = api.wait_for_run(response.json()["id"])
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
    [endpoint] = _endpoints(env, endpoint_name)
    assert _id(endpoint["model"]["self"]) == model
    keys = {a["key"] for a in api.artifacts(run["id"])}
    assert {f"release-{endpoint_name}", f"report-release-{endpoint_name}"} <= keys
