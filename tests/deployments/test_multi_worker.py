"""Several workers on one Prefect server backed by PostgreSQL, and the Speech API rate limit.

PostgreSQL (initdb + pg_ctl in a temp dir), ``prefect server start`` on it, project setup, the
``sync`` deployment from prefect.yaml, and two process workers on the pool: runs created at once
spread across both workers and all complete.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_server import PrefectServer, PrefectWorker
from speechflows.tasks.throttle import SPEECH_API_LIMIT
from tests.fixtures.prefect_stack import PrefectAPI

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg_stack(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[PrefectServer, PrefectAPI]]:
    home = tmp_path_factory.mktemp("prefect-pg")
    with Postgres.start() as pg:
        pg.create_database("prefect")
        with PrefectServer.start(home=home, database_url=pg.async_url("prefect")) as server:
            api = PrefectAPI(server.api_url)
            try:
                yield server, api
            finally:
                api.close()


def test_setup_is_idempotent_and_creates_a_decaying_rate_limit(
    pg_stack: tuple[PrefectServer, PrefectAPI],
) -> None:
    server, api = pg_stack
    first = ensure_setup(api_url=server.api_url)
    second = ensure_setup(api_url=server.api_url)
    assert (first.pool_created, first.limit_created) == (True, True)
    assert (second.pool_created, second.limit_created) == (False, False)
    pool = api.http.get(f"/work_pools/{WORK_POOL}").json()
    assert pool["type"] == "process"
    limit = api.http.get(f"/v2/concurrency_limits/{SPEECH_API_LIMIT}").json()
    assert limit["limit"] >= 1 and limit["slot_decay_per_second"] > 0


_SLOT_FLOW = """
from prefect import flow
from speechflows.tasks.throttle import speech_api_slot

with speech_api_slot():  # no run context: nothing to limit
    pass

@flow
def calls_the_service() -> int:
    for _ in range(3):
        with speech_api_slot():
            pass
    return 3

assert calls_the_service() == 3
"""


def test_speech_api_slot_takes_slots_inside_a_run_and_is_a_noop_outside(
    pg_stack: tuple[PrefectServer, PrefectAPI],
) -> None:
    server, api = pg_stack
    # A near-zero decay keeps the slots taken long enough to be counted.
    ensure_setup(api_url=server.api_url, limit=20, slot_decay_per_second=0.001)
    try:
        # A separate process, as on a worker (Prefect caches its slot service per process).
        done = subprocess.run(
            [sys.executable, "-c", _SLOT_FLOW],
            env={**os.environ, **server.client_env()},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        assert "do not exist" not in done.stderr + done.stdout
        limit = api.http.get(f"/v2/concurrency_limits/{SPEECH_API_LIMIT}").json()
        assert limit["active_slots"] == 3
    finally:
        ensure_setup(api_url=server.api_url)  # back to the production figures


def test_two_workers_share_the_runs_and_all_complete(
    pg_stack: tuple[PrefectServer, PrefectAPI], tmp_path: Path
) -> None:
    server, api = pg_stack
    ensure_setup(api_url=server.api_url)
    deploy_all(api_url=server.api_url, env=server.client_env(), names=["on-dataset-dropped"])
    drop = tmp_path / "empty-drop"
    drop.mkdir()
    deployment = api.deployment("sync/on-dataset-dropped")  # no deployment concurrency limit
    workers = [
        PrefectWorker.start(
            server,
            pool=WORK_POOL,
            name=f"pg-worker-{i}",
            cwd=PROJECT_ROOT,
            query_seconds=1,
            limit=2,
            log_path=tmp_path / f"worker-{i}.log",
        )
        for i in (1, 2)
    ]
    try:
        created = [api.create_run(deployment["id"], {"drop": str(drop)}) for _ in range(4)]
        assert all(r.status_code == 201 for r in created), [r.text for r in created]
        runs = [api.wait_for_run(r.json()["id"], timeout=240) for r in created]
    finally:
        for worker in workers:
            worker.stop()
    assert [r["state_type"] for r in runs] == ["COMPLETED"] * 4, [
        api.failure_logs(r["id"]) for r in runs if r["state_type"] != "COMPLETED"
    ]
    by_worker = {r["labels"].get("prefect.worker.name") for r in runs}
    assert by_worker == {"pg-worker-1", "pg-worker-2"}
    # One SIGTERM stopped each worker (SIGINT reset at launch); no SIGKILL was needed.
    codes = [w.process.proc.returncode if w.process.proc else None for w in workers]
    assert all(code is not None and code != -signal.SIGKILL for code in codes), codes
