"""A rehearsal across hosts: one server host, two worker hosts that never saw the checkout.

Hosts are network namespaces on a bridge the test creates (10.231.<n>.0/24, torn down at the
end). The server host (the root namespace, on the bridge's address) runs PostgreSQL with password
authentication, the Prefect server with an auth string, Azurite and the Speech emulator, all on
the bridge address. Each worker host is a namespace with its own venv (the built **wheel** +
the locked requirements.txt, the README's one command, installed outside the checkout) and a
mount namespace in which the checkout is an empty tmpfs. Its environment has only the Prefect
client settings: the Speech and Storage settings come from the server's Secret block.

Identical and distinct onboardings of all three kinds are started at once (defaults: sample
inputs in Blob) and must all complete, on both workers; a client without the auth string is
refused.
"""

from __future__ import annotations

import copy
import os
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from speechflows.deployments import wheel
from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.azurite import azurite_argv, connection_string_for
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_api import PrefectAPI
from speechflows.dev.prefect_server import QUIET_ENV, PrefectServer, worker_registered
from speechflows.dev.processes import ManagedProcess, free_port, port_open
from speechflows.dev.sample_inputs import upload_default_inputs
from speechflows.settings import load_storage_settings, save_server_settings

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FAST = {
    "poll_min_seconds": 0.05,
    "poll_max_seconds": 0.5,
    "consent_minutes": 2,
    "personal_voice_minutes": 2,
    "dataset_minutes": 2,
    "training_set_minutes": 3,
}


def _sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


@dataclass
class Network:
    """A bridge in the root namespace (the server host) and one namespace per worker host."""

    bridge: str
    server_ip: str
    hosts: dict[str, str]  # namespace -> its address

    @classmethod
    def create(cls, workers: int) -> Network:
        tag = secrets.token_hex(2)
        subnet = 200 + int(tag, 16) % 50
        bridge = f"sfbr{tag}"
        net = cls(bridge, f"10.231.{subnet}.1", {})
        try:
            _sh("ip", "link", "add", bridge, "type", "bridge")
            _sh("ip", "addr", "add", f"{net.server_ip}/24", "dev", bridge)
            _sh("ip", "link", "set", bridge, "up")
            for i in range(workers):
                ns, veth = f"sfw{i}{tag}", f"sfv{i}{tag}"
                _sh("ip", "netns", "add", ns)
                net.hosts[ns] = f"10.231.{subnet}.{10 + i}"
                _sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
                _sh("ip", "link", "set", f"{veth}p", "netns", ns)
                _sh("ip", "link", "set", veth, "master", bridge)
                _sh("ip", "link", "set", veth, "up")
                run = ("ip", "netns", "exec", ns, "ip")
                _sh(*run, "addr", "add", f"{net.hosts[ns]}/24", "dev", f"{veth}p")
                _sh(*run, "link", "set", f"{veth}p", "up")
                _sh(*run, "link", "set", "lo", "up")
        except BaseException:
            net.destroy()
            raise
        return net

    def destroy(self) -> None:
        for ns in self.hosts:
            subprocess.run(["ip", "netns", "delete", ns], check=False, capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], check=False, capture_output=True)


def _worker_venv(dist: wheel.Distribution, where: Path) -> Path:
    """A venv outside the checkout with the wheel installed by the README's command (uv's pip)."""
    uv = wheel.uv_bin()
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(where)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    done = subprocess.run(
        [*dist.install_argv([uv, "pip"]), "--quiet", "--python", str(where / "bin" / "python")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return where


@dataclass
class Cluster:
    server: PrefectServer
    api: PrefectAPI
    emulator_url: str
    workers: list[ManagedProcess]
    worker_names: list[str]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    outside = Path(tempfile.mkdtemp(prefix="speechflows-hosts-"))  # not under the checkout
    net = Network.create(workers=2)
    started: list[Any] = []
    try:
        dist = wheel.build(outside / "dist")
        venvs = [_worker_venv(dist, outside / f"venv-{i}") for i in range(2)]
        ip = net.server_ip
        pg = Postgres.start(host=ip, password=secrets.token_urlsafe(12))
        started.append(pg)
        pg.create_database("prefect")
        auth = f"operator:{secrets.token_urlsafe(12)}"
        server = PrefectServer.start(
            home=outside / "server-home",
            host=ip,
            auth_string=auth,
            database_url=pg.async_url("prefect"),
        )
        started.append(server)
        az_port, em_port = free_port(), free_port()
        azurite = ManagedProcess(
            "Azurite",
            [*azurite_argv(az_port, host=ip), "--inMemoryPersistence"],
            port=az_port,
            ready=lambda: port_open(az_port, ip),
            start_timeout=60,
        )
        azurite.start()
        started.append(azurite)
        key = secrets.token_hex(16)
        emulator = ManagedProcess(
            "Speech emulator",
            [
                sys.executable,
                "-m",
                "speechflows.emulator",
                "--host",
                ip,
                "--allow-remote",
                "--port",
                str(em_port),
                "--data-dir",
                str(outside / "emulator"),
                "--key",
                key,
                "--quota",
                "50/10s",
            ],
            port=em_port,
            env={"SPEECHFLOWS_EMULATOR_STORAGE_HOSTS": ip},  # Azurite is on the server host
            ready=lambda: port_open(em_port, ip),
            log_path=outside / "emulator.log",
        )
        emulator.start()
        started.append(emulator)
        emulator_url = f"http://{ip}:{em_port}"
        connection = connection_string_for(az_port, ip)
        upload_default_inputs(load_storage_settings(connection_string=connection))

        client_env = server.client_env()
        from prefect.settings import (
            PREFECT_API_AUTH_STRING,
            PREFECT_API_URL,
            temporary_settings,
        )

        with temporary_settings({PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: auth}):
            ensure_setup()
            save_server_settings(
                {
                    "SPEECHFLOWS_SPEECH_ENDPOINT": emulator_url,
                    "SPEECHFLOWS_SPEECH_KEY": key,
                    "SPEECHFLOWS_SPEECH_ALLOW_HTTP": "true",
                    "SPEECHFLOWS_STORAGE_CONNECTION_STRING": connection,
                }
            )
        deploy_all(api_url=server.api_url, env=client_env)

        workers, names = [], []
        for i, (ns, venv) in enumerate(zip(net.hosts, venvs, strict=True)):
            name = f"host-{i}"
            home = outside / f"worker-home-{i}"
            home.mkdir()
            env = {
                **QUIET_ENV,
                "PATH": f"{venv}/bin:/usr/bin:/bin",
                "HOME": str(home),
                "PREFECT_HOME": str(home),
                "PREFECT_API_URL": server.api_url,
                "PREFECT_API_AUTH_STRING": auth,
                "PREFECT_WORKER_QUERY_SECONDS": "1",
                "PREFECT_WORKER_PREFETCH_SECONDS": "1",
            }
            exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
            # The checkout is an empty tmpfs on this host; the worker starts in its own home.
            script = (
                f"mount -t tmpfs none {shlex.quote(str(PROJECT_ROOT))} && cd {home} && "
                f"exec env -i {exports} {venv}/bin/prefect worker start --pool {WORK_POOL} "
                f"--name {name} --type process --limit 4"
            )
            worker = ManagedProcess(
                f"worker {name}",
                ["ip", "netns", "exec", ns, "unshare", "-m", "--", "sh", "-c", script],
                port=0,
                log_path=outside / f"worker-{i}.log",
                ready=lambda n=name: worker_registered(server.api_url, WORK_POOL, n, auth),
                start_timeout=180,
                reset_sigint=True,
            )
            worker.start()
            started.append(worker)
            workers.append(worker)
            names.append(name)
        with PrefectAPI(server.api_url, auth) as api:
            yield Cluster(server, api, emulator_url, workers, names)
    finally:
        for thing in reversed(started):
            thing.stop()
        net.destroy()
        shutil.rmtree(outside, ignore_errors=True)


def _defaults(name: str) -> dict[str, Any]:
    spec = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())
    found = next(d for d in spec["deployments"] if d["name"] == name)
    params = copy.deepcopy(found["parameters"]["params"])
    params["deadlines"] = FAST
    return dict(params)


def test_a_client_without_the_auth_string_is_refused(cluster: Cluster) -> None:
    anonymous = httpx.post(f"{cluster.server.api_url}/flows/filter", json={}, timeout=10)
    assert anonymous.status_code == 401
    assert cluster.api.http.post("/flows/filter", json={}).status_code == 200


def test_identical_and_distinct_onboardings_at_once_complete_on_both_hosts(
    cluster: Cluster,
) -> None:
    api = cluster.api
    pro, personal, speech = (
        _defaults("professional-voice"),
        _defaults("personal-voice"),
        _defaults("custom-speech"),
    )
    runs: list[tuple[str, dict[str, Any]]] = []
    for _ in range(2):  # identical twins: a double click in the UI
        runs += [
            ("professional-voice-onboarding/professional-voice", pro),
            ("personal-voice-onboarding/personal-voice", personal),
            ("custom-speech-onboarding/custom-speech", speech),
        ]
    runs.append(  # a distinct professional voice of the same sample data
        (
            "professional-voice-onboarding/professional-voice",
            {**pro, "project_id": "hosts-pro-0"},
        )
    )
    for i in range(2):  # distinct onboardings of the same sample data
        runs.append(
            (
                "personal-voice-onboarding/personal-voice",
                {**personal, "project_id": f"hosts-personal-{i}"},
            )
        )
        runs.append(
            (
                "custom-speech-onboarding/custom-speech",
                {**speech, "project_name": f"hosts speech {i}"},
            )
        )
    ids = []
    for deployment, params in runs:
        created = api.create_run(api.deployment(deployment)["id"], {"params": params})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    finished = [api.wait_for_run(i, timeout=600) for i in ids]
    assert [r["state_type"] for r in finished] == ["COMPLETED"] * len(ids), [
        api.failure_logs(r["id"]) for r in finished if r["state_type"] != "COMPLETED"
    ]
    hosts = Counter(r["labels"].get("prefect.worker.name") for r in finished)
    assert set(hosts) == set(cluster.worker_names), hosts
    state = httpx.get(f"{cluster.emulator_url}/_emulator/state", timeout=10).json()
    created = Counter((c["api"], c["collection"], c["id"]) for c in state["creates"])
    assert [k for k, n in created.items() if n > 1] == []  # no resource created twice
    assert os.path.exists(PROJECT_ROOT / "prefect.yaml")  # the checkout was hidden, not removed
