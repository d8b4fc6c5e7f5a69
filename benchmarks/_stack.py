"""The multi-worker stack the scale and parked benchmarks run on (real parts, loopback only).

PostgreSQL-backed Prefect server, Azurite, the Speech emulator (with the benchmark's own
options), the work pool and limits, and the named deployments applied from ``prefect.yaml``.
Everything is stopped by the caller's :class:`contextlib.ExitStack`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx

from speechflows.deployments.setup import deploy_all, ensure_setup
from speechflows.dev.azurite import Azurite
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_api import PrefectAPI
from speechflows.dev.prefect_server import PrefectServer
from speechflows.dev.processes import ManagedProcess, emulator_argv, free_port


@dataclass
class Stack:
    server: PrefectServer
    azurite: Azurite
    emulator_url: str
    api: PrefectAPI
    key: str

    def flow_env(self, container: str) -> dict[str, str]:
        """The environment a worker's flow runs get: this stack's emulator, key and Azurite."""
        return {
            "PYTHONPATH": os.environ["PYTHONPATH"],
            "SPEECHFLOWS_SPEECH_ENDPOINT": self.emulator_url,
            "SPEECHFLOWS_SPEECH_KEY": self.key,
            "SPEECHFLOWS_STORAGE_CONNECTION_STRING": self.azurite.connection_string,
            "SPEECHFLOWS_STORAGE_CONTAINER": container,
        }


def start_stack(
    stack: contextlib.ExitStack,
    root: Path,
    *,
    key: str,
    keep: bool,
    emulator_args: list[str],
    deployments: list[str],
) -> Stack:
    """Start every part under ``root`` (stopped by ``stack``, which then removes ``root`` unless
    ``keep``); ``deployments`` are applied."""
    stack.callback(lambda: None if keep else shutil.rmtree(root, ignore_errors=True))
    pg = stack.enter_context(Postgres.start())
    pg.create_database("prefect")
    server = stack.enter_context(
        PrefectServer.start(home=root / "prefect-home", database_url=pg.async_url("prefect"))
    )
    az = stack.enter_context(Azurite.start(data_dir=root / "azurite"))
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"

    def emulator_ready() -> bool:
        with contextlib.suppress(httpx.HTTPError):
            return httpx.get(f"{base_url}/_emulator/health", timeout=1).status_code == 200
        return False

    emulator = ManagedProcess(
        "Speech emulator",
        emulator_argv(port, root / "emulator", key, *emulator_args),
        port=port,
        env={**os.environ},
        log_path=root / "emulator.log",
        ready=emulator_ready,
    ).start()
    stack.callback(emulator.stop)
    api = PrefectAPI(server.api_url)
    stack.callback(api.close)
    ensure_setup(api_url=server.api_url)
    deploy_all(
        api_url=server.api_url,
        env={**server.client_env(), "PYTHONPATH": os.environ["PYTHONPATH"]},
        names=deployments,
    )
    return Stack(server, az, base_url, api, key)
