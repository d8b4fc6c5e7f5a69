"""A Prefect server and process workers as managed development services on 127.0.0.1.

``prefect server start`` (SQLite in ``PREFECT_HOME`` by default, PostgreSQL when a database URL is
given) and ``prefect worker start --type process``. Workers are started with SIGINT reset:
launched from a non-interactive parent they would otherwise ignore the SIGINT their own SIGTERM
handler sends and never stop (reference/prefect.md §4).

Example:
    >>> with PrefectServer.start(home=Path(".prefect")) as server:       # doctest: +SKIP
    ...     with PrefectWorker.start(server, pool="speechflows"):
    ...         ...
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from speechflows.dev.prefect_api import auth_headers
from speechflows.dev.processes import ManagedProcess, StopOnExit, free_port

# Offline and quiet: no telemetry, no update checks (reference/prefect.md §1).
QUIET_ENV: dict[str, str] = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
}


def prefect_bin() -> str:
    """The ``prefect`` executable of the running interpreter's environment."""
    candidate = Path(sys.executable).with_name("prefect")
    return str(candidate) if candidate.exists() else "prefect"


def server_argv(port: int, host: str = "127.0.0.1") -> list[str]:
    """The ``prefect server start`` command line for ``host:port``."""
    return [
        prefect_bin(),
        "server",
        "start",
        "--host",
        host,
        "--port",
        str(port),
        "--analytics-off",
    ]


def worker_argv(pool: str, name: str) -> list[str]:
    """The ``prefect worker start`` command line of a process worker ``name`` on ``pool``."""
    return [prefect_bin(), "worker", "start", "--pool", pool, "--name", name, "--type", "process"]


def api_healthy(api_url: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{api_url}/health", timeout=2.0).status_code == 200
    return False


def temporary_server_argv(port: int) -> list[str]:
    """The API-only server Prefect itself starts as its temporary server (no UI), on ``port``."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


@dataclass
class TemporaryServer(StopOnExit):
    """A Prefect API server that lives exactly as long as the process that started it.

    What ``speechflows onboard`` runs on when no ``PREFECT_API_URL`` is set, instead of Prefect's
    own temporary server: the child asks the kernel for SIGKILL when its parent dies
    (``die_with_parent``), so even a SIGKILLed CLI leaves no orphan server behind.
    """

    process: ManagedProcess
    port: int

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    @classmethod
    def start(cls, *, home: Path, start_timeout: float = 90.0) -> TemporaryServer:
        port = free_port()
        api_url = f"http://127.0.0.1:{port}/api"
        env = {
            **QUIET_ENV,
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": api_url,
            "PREFECT_UI_ENABLED": "0",
            # What Prefect sets for its own temporary server: only the services an ephemeral
            # server needs (no scheduler, no automations), which keeps a 2-core box responsive.
            "PREFECT__SERVER_EPHEMERAL": "1",
        }
        process = ManagedProcess(
            "temporary Prefect server",
            temporary_server_argv(port),
            port=port,
            env=env,
            log_path=home / "temporary-server.log",
            ready=lambda: api_healthy(api_url),
            start_timeout=start_timeout,
            die_with_parent=True,
        )
        process.start()
        return cls(process=process, port=port)

    def stop(self) -> None:
        self.process.stop(timeout=10)


@dataclass
class PrefectServer(StopOnExit):
    """A running ``prefect server start`` (API and UI on ``http://127.0.0.1:port``)."""

    process: ManagedProcess
    port: int
    home: Path
    database_url: str | None = None
    host: str = "127.0.0.1"
    auth_string: str | None = None

    @property
    def url(self) -> str:
        """Base URL of the UI."""
        return f"http://{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        """The value for ``PREFECT_API_URL``."""
        return f"{self.url}/api"

    def client_env(self) -> dict[str, str]:
        """Environment for a process that talks to this server (CLI, worker, flow)."""
        env = {**QUIET_ENV, "PREFECT_API_URL": self.api_url, "PREFECT_HOME": str(self.home)}
        if self.auth_string:
            env["PREFECT_API_AUTH_STRING"] = self.auth_string
        return env

    @classmethod
    def start(
        cls,
        *,
        home: Path,
        port: int | None = None,
        database_url: str | None = None,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        start_timeout: float = 180.0,
        host: str = "127.0.0.1",
        auth_string: str | None = None,
    ) -> PrefectServer:
        """Start the server and wait until ``/api/health`` answers.

        Args:
            home: ``PREFECT_HOME`` (SQLite database, local results).
            port: Port on 127.0.0.1; a free one when omitted.
            database_url: e.g. ``postgresql+asyncpg://...``; SQLite in ``home`` when omitted.
            env: Extra environment (server settings such as scheduler intervals).
            log_path: Server output; ``home/server.log`` by default.
            start_timeout: Seconds to wait for health (a cold start takes 10-20 s on 2 cores).
            host: Address to listen on; another than loopback needs ``auth_string``.
            auth_string: ``user:password`` every API/UI client must send
                (``PREFECT_SERVER_API_AUTH_STRING``; clients: ``PREFECT_API_AUTH_STRING``).
        """
        if auth_string is None and host not in ("127.0.0.1", "localhost"):
            raise ValueError(
                f"a Prefect server on {host} needs auth_string (PREFECT_SERVER_API_AUTH_STRING): "
                "off loopback, nobody without credentials may use the API"
            )
        port = port or free_port()
        home.mkdir(parents=True, exist_ok=True)
        api_url = f"http://{host}:{port}/api"
        server_env = {**QUIET_ENV, "PREFECT_HOME": str(home), **(env or {})}
        # A PREFECT_API_URL inherited from the caller must not point the server at itself.
        server_env["PREFECT_API_URL"] = api_url
        if database_url:
            server_env["PREFECT_API_DATABASE_CONNECTION_URL"] = database_url
        if auth_string:
            server_env["PREFECT_SERVER_API_AUTH_STRING"] = auth_string
            server_env["PREFECT_API_AUTH_STRING"] = auth_string
        process = ManagedProcess(
            "Prefect server",
            server_argv(port, host),
            port=port,
            env=server_env,
            log_path=log_path or home / "server.log",
            ready=lambda: api_healthy(api_url),
            start_timeout=start_timeout,
        )
        process.start()
        return cls(
            process=process,
            port=port,
            home=home,
            database_url=database_url,
            host=host,
            auth_string=auth_string,
        )

    def stop(self) -> None:
        self.process.stop(timeout=20)


def worker_registered(api_url: str, pool: str, name: str, auth_string: str | None = None) -> bool:
    with contextlib.suppress(httpx.HTTPError, ValueError):
        response = httpx.post(
            f"{api_url}/work_pools/{pool}/workers/filter",
            json={},
            timeout=2.0,
            headers=auth_headers(auth_string),
        )
        if response.status_code == 200:
            return any(w.get("name") == name for w in response.json())
    return False


@dataclass
class PrefectWorker(StopOnExit):
    """A running ``prefect worker start --type process`` on one work pool."""

    process: ManagedProcess
    name: str
    pool: str

    @classmethod
    def start(
        cls,
        server: PrefectServer | str,
        *,
        pool: str,
        name: str | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        query_seconds: float | None = None,
        limit: int | None = None,
        log_path: Path | None = None,
        home: Path | None = None,
        start_timeout: float = 120.0,
    ) -> PrefectWorker:
        """Start a worker and wait until the server lists it on ``pool``.

        Args:
            server: The server, or its API URL.
            pool: Work pool name (created beforehand by ``speechflows setup``).
            name: Worker name; unique per pool.
            cwd: Working directory of the worker (flow runs change to the pull step's directory).
            env: Extra environment, inherited by every flow run (e.g. ``SPEECHFLOWS_*`` settings).
            query_seconds: Poll interval (``PREFECT_WORKER_QUERY_SECONDS``, default 10 s).
            limit: Maximum concurrent flow runs of this worker.
            log_path: Worker output (and the flow runs' output).
            home: ``PREFECT_HOME`` for the worker and its flow runs.
            start_timeout: Seconds to wait for registration.
        """
        api_url = server if isinstance(server, str) else server.api_url
        home = home or (server.home if isinstance(server, PrefectServer) else None)
        name = name or f"worker-{os.getpid()}-{free_port()}"
        worker_env = {**QUIET_ENV, **(env or {}), "PREFECT_API_URL": api_url}
        if isinstance(server, PrefectServer) and server.auth_string:
            worker_env["PREFECT_API_AUTH_STRING"] = server.auth_string
        if home is not None:
            worker_env["PREFECT_HOME"] = str(home)
        if query_seconds is not None:
            worker_env["PREFECT_WORKER_QUERY_SECONDS"] = str(query_seconds)
            worker_env["PREFECT_WORKER_PREFETCH_SECONDS"] = str(max(query_seconds, 1))
        if cwd is not None:
            worker_env["PWD"] = str(cwd)
        argv = worker_argv(pool, name)
        if limit is not None:
            argv += ["--limit", str(limit)]
        process = ManagedProcess(
            f"Prefect worker {name}",
            argv,
            port=0,
            env=worker_env,
            cwd=cwd,
            log_path=log_path,
            ready=lambda: worker_registered(
                api_url, pool, name, worker_env.get("PREFECT_API_AUTH_STRING")
            ),
            start_timeout=start_timeout,
            reset_sigint=True,
        )
        process.start()
        return cls(process=process, name=name, pool=pool)

    def stop(self) -> None:
        self.process.stop(timeout=20)


__all__ = [
    "QUIET_ENV",
    "PrefectServer",
    "PrefectWorker",
    "TemporaryServer",
    "api_healthy",
    "prefect_bin",
    "server_argv",
    "temporary_server_argv",
    "worker_argv",
    "worker_registered",
]
