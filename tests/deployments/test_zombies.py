"""No zombies (issue 13 item 5): killed flow runs become *Crashed*; the CLI's server dies with it.

Both tests SIGKILL a real process and poll (with a deadline) for the consequence on the real
parts: a ``prefect server start`` with ``speechflows setup``'s automation, and the temporary
server that ``speechflows onboard`` starts when no ``PREFECT_API_URL`` is set.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from speechflows.datasets import DataKind, write_sample
from speechflows.deployments.setup import ZOMBIE_AUTOMATION, ensure_setup
from speechflows.dev.azurite import connection_string_for
from speechflows.dev.prefect_server import PrefectServer
from tests.fixtures.prefect_stack import wait_until
from tests.samples import voice_args

pytestmark = pytest.mark.slow

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    env.pop("PREFECT_API_URL", None)
    return {**env, **extra}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers: storage calls hang there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield int(sock.getsockname()[1])


def _server_children(pid: int) -> list[psutil.Process]:
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    return [
        c for c in children if "prefect.server.api.server:create_app" in " ".join(c.cmdline() or [])
    ]


def test_sigkilled_cli_takes_its_temporary_server_along(tmp_path: Path, silent_port: int) -> None:
    data = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=4)
    consent = write_sample(tmp_path / "consent", DataKind.CONSENT)
    env = _env(
        tmp_path / "home",
        SPEECHFLOWS_SPEECH_ENDPOINT="http://127.0.0.1:9",
        SPEECHFLOWS_SPEECH_KEY="k" * 32,
        # The storage check hangs on this port, so the CLI is mid-run when it is killed.
        SPEECHFLOWS_STORAGE_CONNECTION_STRING=connection_string_for(silent_port),
    )
    cli = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("speechflows")),
            *voice_args(data, consent, "zombie-test"),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = wait_until("the CLI's temporary server", lambda: _server_children(cli.pid), 120)[0]
        assert cli.poll() is None, "the CLI ended before it could be killed mid-run"
        cli.send_signal(signal.SIGKILL)
        cli.wait(timeout=10)
        wait_until(f"temporary server pid {server.pid} to exit", lambda: not _alive(server), 30)
    finally:
        if cli.poll() is None:
            cli.kill()


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def zombie_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    """A real `prefect server start` with `speechflows setup` (zombie runs crash after 45 s)."""
    home = tmp_path_factory.mktemp("zombie-prefect")
    with PrefectServer.start(home=home / "home") as server:
        ensure_setup(api_url=server.api_url, zombie_after_seconds=45)
        yield server


def test_setup_creates_the_automation_once(zombie_server: PrefectServer) -> None:
    ensure_setup(api_url=zombie_server.api_url, zombie_after_seconds=45)  # idempotent
    found = httpx.post(f"{zombie_server.api_url}/automations/filter", json={}, timeout=30).json()
    mine = [a for a in found if a["name"] == ZOMBIE_AUTOMATION]
    assert len(mine) == 1
    trigger, action = mine[0]["trigger"], mine[0]["actions"][0]
    assert trigger["posture"] == "Proactive" and trigger["within"] == 45.0
    assert trigger["after"] == ["prefect.flow-run.heartbeat"]
    assert action == {**action, "type": "change-flow-run-state", "state": "CRASHED"}


def test_sigkilled_flow_run_is_marked_crashed(zombie_server: PrefectServer, tmp_path: Path) -> None:
    api = zombie_server.api_url
    env = _env(zombie_server.home, PREFECT_API_URL=api, PREFECT_FLOWS_HEARTBEAT_FREQUENCY="30")
    child = subprocess.Popen(
        [sys.executable, str(HERE / "zombie_child.py")],
        env=env,
        stdout=(tmp_path / "child.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:

        def running_run() -> dict[str, Any] | None:
            runs = httpx.post(
                f"{api}/flow_runs/filter",
                json={"flows": {"name": {"any_": ["zombie-candidate"]}}},
                timeout=30,
            ).json()
            return next((r for r in runs if r["state_type"] == "RUNNING"), None)

        run = wait_until("the flow run to be Running", running_run, 120)

        def heartbeat_seen() -> bool:
            events = httpx.post(
                f"{api}/events/filter",
                json={
                    "filter": {
                        "event": {"name": ["prefect.flow-run.heartbeat"]},
                        "any_resource": {"id": [f"prefect.flow-run.{run['id']}"]},
                    }
                },
                timeout=30,
            ).json()
            return bool(events.get("events"))

        wait_until("the run's first heartbeat", heartbeat_seen, 60)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert httpx.get(f"{api}/flow_runs/{run['id']}", timeout=30).json()["state_type"] == (
            "RUNNING"
        )

        def state() -> dict[str, Any] | None:
            now = httpx.get(f"{api}/flow_runs/{run['id']}", timeout=30).json()
            return now if now["state_type"] != "RUNNING" else None

        final = wait_until("the killed run to leave Running", state, 150)
        assert final["state_type"] == "CRASHED", final["state"]
        assert "no heartbeat for 45 s" in final["state"]["message"]
    finally:
        if child.poll() is None:
            child.kill()
