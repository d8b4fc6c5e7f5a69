"""The project setup and the Speech API rate limit on a Prefect server backed by PostgreSQL.

PostgreSQL (initdb + pg_ctl in a temp dir), ``prefect server start`` on it. Several workers on
several hosts, running real onboardings, are in ``test_multi_host.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, ensure_setup
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_server import PrefectServer
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
