"""``speechflows dev up|down|status``: the whole local stack, started in the background.

Up starts Azurite, the Speech emulator, the Prefect server (UI on http://127.0.0.1:4200,
``PREFECT_HOME`` in the checkout), creates the work pool and the Speech API rate limit, applies
``prefect.yaml`` and starts a worker whose environment points the flows at Azurite and the
emulator. Each service runs in its own process group; their pids go to ``.speechflows/dev/
stack.json`` so ``down`` (another process) stops exactly them: SIGTERM, then SIGKILL after a grace
period. ``.speechflows/dev/env`` (mode 0600) holds the settings for a shell: ``source`` it.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shlex
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.azurite import (
    azurite_argv,
    connection_string_for,
    logged_argv,
    requested_log_path,
)
from speechflows.dev.prefect_server import (
    QUIET_ENV,
    api_healthy,
    server_argv,
    worker_argv,
    worker_registered,
)
from speechflows.dev.processes import ManagedProcess, ServiceStartError, port_open
from speechflows.dev.sample_inputs import upload_default_inputs
from speechflows.settings import load_storage_settings


@dataclass
class Service:
    """One background service of the stack, as recorded in the state file."""

    name: str
    pid: int
    started: float  # process create_time: guards against a recycled pid
    url: str
    log: str

    def alive(self) -> bool:
        with contextlib.suppress(psutil.Error):
            created = float(psutil.Process(self.pid).create_time())
            return abs(created - self.started) < 1.0
        return False


@dataclass
class StackConfig:
    """Where the stack keeps its state and which ports it uses."""

    root: Path = PROJECT_ROOT
    prefect_port: int = 4200
    azurite_port: int = 10000
    emulator_port: int = 8765
    worker_query_seconds: float = 2.0

    @property
    def state_dir(self) -> Path:
        return self.root / ".speechflows" / "dev"

    @property
    def state_file(self) -> Path:
        return self.state_dir / "stack.json"


def _spawn(
    config: StackConfig,
    name: str,
    argv: list[str],
    port: int,
    *,
    env: dict[str, str] | None = None,
    ready: Callable[[], bool] | None = None,
    url: str | None = None,
    timeout: float = 180.0,
    reset_sigint: bool = False,
) -> Service:
    """Start a service in the stack's root, logging to ``<state>/logs/<name>.log``.

    By default it is ready when ``port`` accepts connections, and its URL is
    ``http://127.0.0.1:<port>``.
    """
    log = config.state_dir / "logs" / f"{name}.log"
    process = ManagedProcess(
        name,
        argv,
        port=port,
        log_path=log,
        env=env or {},
        cwd=config.root,
        ready=ready or (lambda: port_open(port)),
        start_timeout=timeout,
        reset_sigint=reset_sigint,
    )
    process.start()
    # The service outlives `dev up`; `dev down` (another process) stops it by its recorded pid.
    process.detach()
    assert process.pid is not None
    url = url or f"http://127.0.0.1:{port}"
    return Service(name, process.pid, psutil.Process(process.pid).create_time(), url, str(log))


def stop_service(service: Service, grace: float = 20.0) -> bool:
    """Stop a service's process group: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if not service.alive():
        return False
    with contextlib.suppress(ProcessLookupError):
        os.killpg(service.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and service.alive():
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(service.pid, signal.SIGKILL)
    return True


def read_state(config: StackConfig) -> list[Service]:
    """The services recorded by the last ``up`` (empty when none)."""
    if not config.state_file.exists():
        return []
    return [Service(**s) for s in json.loads(config.state_file.read_text())["services"]]


def _write_state(config: StackConfig, services: list[Service]) -> None:
    config.state_dir.mkdir(parents=True, exist_ok=True)
    config.state_file.write_text(json.dumps({"services": [asdict(s) for s in services]}, indent=2))


def _write_env(config: StackConfig, env: dict[str, str]) -> Path:
    path = config.state_dir / "env"
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(env.items())))
    return path


def up(config: StackConfig | None = None, echo: Callable[[str], None] = print) -> list[Service]:
    """Start the stack in the background; stop what was started if any step fails."""
    config = config or StackConfig()
    running = [s for s in read_state(config) if s.alive()]
    if running:
        raise ServiceStartError(
            f"the dev stack is already up ({', '.join(s.name for s in running)}); "
            "`speechflows dev down` first"
        )
    data = config.root / ".speechflows"
    key_file = config.state_dir / "emulator.key"
    config.state_dir.mkdir(parents=True, exist_ok=True)
    if not key_file.exists():
        key_file.touch(mode=0o600)
        key_file.write_text(secrets.token_hex(16))
    key = key_file.read_text().strip()
    api_url = f"http://127.0.0.1:{config.prefect_port}/api"
    prefect_env = {
        **QUIET_ENV,
        "PREFECT_HOME": str(config.root / ".prefect"),
        "PREFECT_API_URL": api_url,
    }
    flow_env = {
        "SPEECHFLOWS_SPEECH_ENDPOINT": f"http://127.0.0.1:{config.emulator_port}",
        "SPEECHFLOWS_SPEECH_KEY": key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": connection_string_for(config.azurite_port),
    }
    services: list[Service] = []
    speechflows_bin = str(Path(sys.executable).with_name("speechflows"))
    try:
        (data / "azurite").mkdir(parents=True, exist_ok=True)
        # Silent (its access log carries SAS signatures) unless $SPEECHFLOWS_AZURITE_LOG asks.
        access_log = requested_log_path()
        az_argv = azurite_argv(
            config.azurite_port, data / "azurite", access_log=access_log is not None
        )
        if access_log is not None:
            az_argv = logged_argv(az_argv, access_log, data / "azurite")
        services.append(_spawn(config, "azurite", az_argv, config.azurite_port))
        echo(f"Azurite      {services[-1].url}")
        emulator_argv = [speechflows_bin, "emulator", "--port", str(config.emulator_port)]
        emulator_argv += ["--data-dir", str(data / "emulator"), "--key", key]
        services.append(_spawn(config, "emulator", emulator_argv, config.emulator_port))
        echo(f"emulator     {services[-1].url}")
        services.append(
            _spawn(
                config,
                "prefect-server",
                server_argv(config.prefect_port),
                config.prefect_port,
                env=prefect_env,
                ready=lambda: api_healthy(api_url),
            )
        )
        echo(f"Prefect UI   {services[-1].url}")
        ensure_setup(api_url=api_url)
        deploy_all(api_url=api_url, root=config.root, env=prefect_env)
        echo("deployments  applied from prefect.yaml")
        seeded = upload_default_inputs(
            load_storage_settings(
                connection_string=flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
            )
        )
        if seeded:
            echo(f"sample data  {len(seeded)} inputs the deployments' defaults name, in Blob")
        worker_name = "speechflows-dev-worker"
        services.append(
            _spawn(
                config,
                "worker",
                worker_argv(WORK_POOL, worker_name),
                0,
                env={
                    **prefect_env,
                    **flow_env,
                    "PREFECT_WORKER_QUERY_SECONDS": str(config.worker_query_seconds),
                    "PWD": str(config.root),
                },
                reset_sigint=True,
                ready=lambda: worker_registered(api_url, WORK_POOL, worker_name),
                url=f"pool {WORK_POOL}",
            )
        )
        echo(f"worker       {worker_name} on pool {WORK_POOL}")
    except BaseException:
        for service in reversed(services):
            stop_service(service)
        raise
    _write_state(config, services)
    env_file = _write_env(config, {**flow_env, "PREFECT_API_URL": api_url})
    echo(f"settings     source {env_file}")
    return services


def down(config: StackConfig | None = None, echo: Callable[[str], None] = print) -> int:
    """Stop every service recorded by ``up``; return how many were running."""
    config = config or StackConfig()
    stopped = 0
    for service in reversed(read_state(config)):
        if stop_service(service):
            stopped += 1
            echo(f"stopped {service.name} (pid {service.pid})")
    config.state_file.unlink(missing_ok=True)
    return stopped


__all__ = ["Service", "StackConfig", "down", "read_state", "stop_service", "up"]
