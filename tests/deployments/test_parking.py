"""Parked runs (issue 18): a long wait suspends the flow run; ``speechflows watch`` resumes it.

A real ``prefect server start``, the ``custom-speech`` deployment from prefect.yaml, and a process
worker; the session emulator and Azurite. The emulator's ``stuck_operations`` fault keeps the
dataset import Running, so the run parks after ``park_after_minutes`` (a fraction of a second
here). What the tests read is independent of the product: the flow run's state over Prefect's
REST API, the emulator's audit of creates, raw httpx GETs of the dataset, and Prefect's events.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import DataKind, write_sample
from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.prefect_server import PrefectServer, PrefectWorker
from tests.fixtures.prefect_stack import PrefectAPI, wait_until
from tests.flows.conftest import EmulatorState
from tests.flows.deadlines import FAST
from tests.samples import first_file

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

PARK_AFTER_MINUTES = 0.005  # 0.3 s of polling in process, then the run parks


@dataclass
class ParkStack:
    server: PrefectServer
    api: PrefectAPI
    env: dict[str, str]
    home: Path
    worker: PrefectWorker

    def start_worker(self, name: str) -> PrefectWorker:
        self.worker = PrefectWorker.start(
            self.server,
            pool=WORK_POOL,
            name=name,
            cwd=PROJECT_ROOT,
            env=self.env,
            query_seconds=1,
            limit=2,
            log_path=self.home / f"{name}.log",
        )
        return self.worker


@pytest.fixture(scope="module")
def park_stack(
    tmp_path_factory: pytest.TempPathFactory, azurite: Any, emulator: Any
) -> Iterator[ParkStack]:
    home = tmp_path_factory.mktemp("prefect-park")
    env = {
        "SPEECHFLOWS_SPEECH_ENDPOINT": emulator.base_url,
        "SPEECHFLOWS_SPEECH_KEY": emulator.key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "SPEECHFLOWS_STORAGE_CONTAINER": "park-tests",
    }
    with PrefectServer.start(home=home / "home") as server:
        api = PrefectAPI(server.api_url)
        ensure_setup(api_url=server.api_url)
        deploy_all(api_url=server.api_url, env=server.client_env(), names=["custom-speech"])
        stack = ParkStack(server=server, api=api, env=env, home=home, worker=None)  # type: ignore[arg-type]
        stack.start_worker("park-worker-1")
        try:
            yield stack
        finally:
            api.close()
            stack.worker.stop()


@pytest.fixture
def emulator_state(emulator: Any) -> Iterator[EmulatorState]:
    state = EmulatorState(emulator.base_url)
    yield state
    state.clear_faults()


def _params(tmp: Path, name: str, **deadlines: float) -> dict[str, Any]:
    language = first_file(write_sample(tmp / "language", DataKind.LANGUAGE), (".txt",))
    return {
        "project_name": name,
        "locale": "en-US",
        "deadlines": {
            **FAST.model_dump(mode="json"),
            "park_after_minutes": PARK_AFTER_MINUTES,
            **deadlines,
        },
        "datasets": [{"name": f"{name}-phrases", "kind": "Language", "path": str(language)}],
    }


def _watch(stack: ParkStack) -> dict[str, Any]:
    """One round of ``speechflows watch --json`` in a fresh process (as an operator would)."""
    env = {
        **os.environ,
        **stack.server.client_env(),
        **stack.env,
        "PYTHONPATH": str(PROJECT_ROOT),
    }
    done = subprocess.run(
        [str(Path(sys.executable).with_name("speechflows")), "watch", "--json"],
        env=env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _outcomes_for(result: dict[str, Any], run_id: str) -> list[str]:
    return [v for k, v in result["outcomes"].items() if run_id in k]


def _events(stack: ParkStack, name: str) -> list[dict[str, Any]]:
    response = stack.api.http.post(
        "/events/filter", json={"filter": {"event": {"name": [name]}}, "limit": 50}
    )
    response.raise_for_status()
    return list(response.json()["events"])


def _parked_variables(stack: ParkStack, run_id: str) -> list[dict[str, Any]]:
    response = stack.api.http.post(
        "/variables/filter", json={"variables": {"name": {"like_": "speechflows-parked-%"}}}
    )
    response.raise_for_status()
    return [v for v in response.json() if run_id in str(v["value"])]


def _dataset_creates(emulator_state: EmulatorState) -> list[dict[str, Any]]:
    return [c for c in emulator_state.creates() if c["collection"] in {"projects", "datasets"}]


def _start_run(stack: ParkStack, params: dict[str, Any]) -> str:
    dep = stack.api.deployment("custom-speech-onboarding/custom-speech")
    response = stack.api.create_run(dep["id"], {"params": params})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _wait_parked(stack: ParkStack, run_id: str) -> None:
    def parked() -> bool:
        run = stack.api.run(run_id)
        assert run["state_type"] not in {"COMPLETED", "FAILED", "CRASHED"}, stack.api.failure_logs(
            run_id
        )
        return bool(run["state_type"] == "PAUSED")

    wait_until("the run to park", parked, timeout=120)
    assert stack.api.run(run_id)["state"]["name"] == "Suspended"


def _events_of(stack: ParkStack, name: str, run_id: str) -> list[dict[str, Any]]:
    return [e for e in _events(stack, name) if e["payload"].get("flow_run_id") == run_id]


def test_a_parked_run_resumes_on_a_fresh_worker_and_completes_creating_nothing(
    park_stack: ParkStack, emulator_state: EmulatorState, tmp_path: Path
) -> None:
    emulator_state.set_faults(stuck_operations=True)  # the import stays Running
    run_id = _start_run(park_stack, _params(tmp_path, "park-ok"))
    _wait_parked(park_stack, run_id)
    parked = _parked_variables(park_stack, run_id)
    assert len(parked) == 1
    assert "speechtotext" in parked[0]["value"]  # the continuation state: where to re-attach
    before = _dataset_creates(emulator_state)
    assert [c["collection"] for c in before if c["name"] == "park-ok-phrases"] == ["datasets"]

    # Still running: a round polls once and leaves the run parked.
    assert _outcomes_for(_watch(park_stack), run_id) == ["waiting"]
    assert park_stack.api.run(run_id)["state_type"] == "PAUSED"

    # The worker that ran it dies while it is parked; another one takes over.
    old = park_stack.worker
    assert old.process.pid is not None
    os.killpg(old.process.pid, signal.SIGKILL)
    old.process.stop()
    fresh = park_stack.start_worker("park-worker-2")

    emulator_state.clear_faults()  # the service finishes the import
    assert _outcomes_for(_watch(park_stack), run_id) == ["resumed (succeeded)"]
    run = park_stack.api.wait_for_run(run_id, timeout=180)
    assert run["state_type"] == "COMPLETED", park_stack.api.failure_logs(run_id)
    assert _dataset_creates(emulator_state) == before  # the resumed run created nothing
    assert _parked_variables(park_stack, run_id) == []
    log = (park_stack.home / f"{fresh.name}.log").read_text(errors="replace")
    assert run_id in log  # the fresh worker ran the resumed run
    wait_until(
        "the succeeded event",
        lambda: _events_of(park_stack, "speechflows.operation.succeeded", run_id),
        timeout=30,
    )


def test_a_failed_operation_fails_the_resumed_run_and_an_overdue_one_emits_stuck(
    park_stack: ParkStack, emulator_state: EmulatorState, tmp_path: Path
) -> None:
    emulator_state.set_faults(stuck_operations=True)
    failing = _start_run(park_stack, _params(tmp_path / "f", "park-fail"))
    # The dataset stage's deadline is 1.2 s: parked, it is past it by the first round.
    overdue = _start_run(park_stack, _params(tmp_path / "s", "park-stuck", dataset_minutes=0.02))
    _wait_parked(park_stack, failing)
    _wait_parked(park_stack, overdue)
    try:
        first = _watch(park_stack)
        assert _outcomes_for(first, failing) == ["waiting"]
        assert _outcomes_for(first, overdue) == ["waiting"]
        stuck = wait_until(
            "the stuck event",
            lambda: _events_of(park_stack, "speechflows.operation.stuck", overdue),
            timeout=30,
        )
        assert stuck[0]["resource"]["speechflows.kind"] == "datasets"
        assert _events_of(park_stack, "speechflows.operation.stuck", failing) == []
        assert park_stack.api.run(overdue)["state_type"] == "PAUSED"  # still watched
    finally:
        park_stack.api.http.post(
            f"/flow_runs/{overdue}/set_state",
            json={"state": {"type": "CANCELLED", "name": "Cancelled"}, "force": True},
        )

    before = _dataset_creates(emulator_state)
    emulator_state.set_faults(stuck_operations=False, fail_operations=True)
    second = _watch(park_stack)
    assert _outcomes_for(second, failing) == ["resumed (failed)"]
    assert _outcomes_for(second, overdue) == ["forgotten"]  # cancelled: nothing to resume
    run = park_stack.api.wait_for_run(failing, timeout=180)
    assert run["state_type"] == "FAILED"
    assert _dataset_creates(emulator_state) == before
    # The service's own words, read with a raw GET of the dataset.
    (created,) = [
        c for c in before if c["collection"] == "datasets" and c["name"] == "park-fail-phrases"
    ]
    raw = httpx.get(
        f"{park_stack.env['SPEECHFLOWS_SPEECH_ENDPOINT']}/speechtotext/datasets/{created['id']}",
        params={"api-version": "2025-10-15"},
        headers={"Ocp-Apim-Subscription-Key": park_stack.env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=10,
    ).json()
    assert raw["status"] == "Failed"
    assert raw["properties"]["error"]["message"] in run["state"]["message"], run["state"]
    wait_until(
        "the failed event",
        lambda: _events_of(park_stack, "speechflows.operation.failed", failing),
        timeout=30,
    )
