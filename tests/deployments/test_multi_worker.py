"""The project setup and the Speech API rate limit on a Prefect server backed by PostgreSQL.

PostgreSQL (initdb + pg_ctl in a temp dir) with password authentication, as the README's recipe
sets it up, and ``prefect server start`` on it: PostgreSQL refuses a client without the password
or with a wrong one. Several workers on several hosts, running real onboardings, are in
``test_multi_host.py``.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, ensure_setup
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_server import PrefectServer
from speechflows.tasks.throttle import SPEECH_API_LIMIT
from tests.fixtures.prefect_stack import PrefectAPI

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pg() -> Iterator[Postgres]:
    """PostgreSQL that wants the ``postgres`` role's password on every TCP connection."""
    with Postgres.start(password=secrets.token_urlsafe(12)) as pg:
        pg.create_database("prefect")
        yield pg


@pytest.fixture(scope="module")
def pg_stack(
    tmp_path_factory: pytest.TempPathFactory, pg: Postgres
) -> Iterator[tuple[PrefectServer, PrefectAPI]]:
    home = tmp_path_factory.mktemp("prefect-pg")
    with PrefectServer.start(home=home, database_url=pg.async_url("prefect")) as server:
        api = PrefectAPI(server.api_url)
        try:
            yield server, api
        finally:
            api.close()


async def _connect(pg: Postgres, password: str | None, passfile: Path) -> object:
    """One query over TCP as the ``postgres`` superuser, with ``password`` (None: none)."""
    import asyncpg

    conn = await asyncpg.connect(
        host=pg.host,
        port=pg.port,
        user="postgres",
        database="prefect",
        password=password,
        passfile=str(passfile),  # no ~/.pgpass standing in for the missing password
        timeout=30,
    )
    try:
        return await conn.fetchval("select current_user")
    finally:
        await conn.close()


def test_postgresql_refuses_a_client_without_the_password(
    pg: Postgres,
    pg_stack: tuple[PrefectServer, PrefectAPI],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 24, 5: password authentication, not trust. The Prefect server gets in with the
    password (its database URL carries it); a client without it, or with a wrong one, is
    refused — asyncpg (Prefect's driver) and psql alike."""
    import asyncpg

    _server, api = pg_stack
    assert pg.password is not None
    monkeypatch.delenv("PGPASSWORD", raising=False)
    no_pgpass = tmp_path / "pgpass"  # does not exist
    assert api.http.get("/health").status_code == 200  # the server, on its password
    assert asyncio.run(_connect(pg, pg.password, no_pgpass)) == "postgres"
    for wrong in (None, "", pg.password + "x"):
        with pytest.raises(asyncpg.InvalidPasswordError) as info:
            asyncio.run(_connect(pg, wrong, no_pgpass))
        assert 'password authentication failed for user "postgres"' in str(info.value)
    where = ["-h", pg.host, "-p", str(pg.port), "-U", "postgres", "-d", "prefect"]
    psql = subprocess.run(
        [str(pg.bin_dir / "psql"), "-w", *where, "-c", "select 1"],
        env={k: v for k, v in os.environ.items() if not k.startswith("PG")}
        | {"PGPASSFILE": str(no_pgpass)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert psql.returncode == 2, (psql.returncode, psql.stdout, psql.stderr)
    assert "no password supplied" in psql.stderr, psql.stderr


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
