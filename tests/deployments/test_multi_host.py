"""A rehearsal across hosts: one server host, worker hosts that never saw the checkout (issue 24).

Hosts are network namespaces on a bridge the test creates (``speechflows.dev.hosts``: 10.231.<n>.0/24,
torn down at the end). The server host (the root namespace, on the bridge's address) runs
PostgreSQL with password authentication, the Prefect server with an auth string, Azurite and the
Speech emulator (Azure's quota, 50 requests / 10 s), all on the bridge address. Each worker host
is a namespace running from a venv outside the checkout (the built **wheel** + the locked
requirements.txt, the README's one command; the two package hosts share one such venv, as hosts
sharing an image would) and a mount namespace in which the checkout is an empty tmpfs. Its environment has only the Prefect client settings: the Speech and Storage
settings come from the server's Secret block.

1. A client without the auth string is refused.
2. Identical and distinct onboardings of all three kinds start at once (defaults: sample inputs in
   Blob) and all complete, on both workers; the emulator's audit shows one ``:upload`` per
   training set, one dataset per project and content, nothing created twice, and no 429.
3. A worker host SIGKILLed while its run waits on a ``:upload`` import leaves that run Crashed
   (the zombie automation); a plain re-run on the other host re-attaches to the import and
   completes: still one import.
4. A third host with the requirements but **not** the package runs a deployment whose pull step
   clones this code at a pinned commit over git (``speechflows deploy --code-from-git``).
"""

from __future__ import annotations

import copy
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from azure.storage.blob import ContainerClient
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from speechflows.datasets import DataKind, write_sample
from speechflows.deployments import wheel
from speechflows.deployments.git_code import GitCode
from speechflows.deployments.setup import (
    PROJECT_ROOT,
    WORK_POOL,
    ZOMBIE_AUTOMATION,
    deploy_all,
    ensure_setup,
)
from speechflows.dev.azurite import azurite_argv, connection_string_for
from speechflows.dev.hosts import Network, host_worker, in_host, worker_venv
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_api import PrefectAPI, wait_until
from speechflows.dev.prefect_server import PrefectServer
from speechflows.dev.processes import ManagedProcess, free_port, port_open
from speechflows.dev.sample_inputs import SAMPLES_CONTAINER, upload_default_inputs
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
QUOTA_REQUESTS = 50  # the emulator's --quota 50/10s, Azure's personal voice quota
HEARTBEAT_SECONDS = 30  # Prefect's minimum heartbeat frequency
ZOMBIE_SECONDS = 50  # a run without a heartbeat for this long becomes Crashed
GIT_POOL = "speechflows-git"
PRO, PERSONAL, SPEECH = (
    "professional-voice-onboarding/professional-voice",
    "personal-voice-onboarding/personal-voice",
    "custom-speech-onboarding/custom-speech",
)
STT_VERSION = {"api-version": "2025-10-15"}


@dataclass
class Cluster:
    net: Network
    outside: Path
    dist: wheel.Distribution
    server: PrefectServer
    api: PrefectAPI
    auth: str
    emulator_url: str
    key: str
    connection: str
    workers: dict[str, ManagedProcess]  # worker name -> its process
    hosts: dict[str, str]  # worker name -> its namespace
    started: list[Any]

    def emulator(self, path: str) -> Any:
        return httpx.get(f"{self.emulator_url}{path}", timeout=10).json()

    def speech_api(self, path: str) -> list[dict[str, Any]]:
        """Every item of a Speech to text list (all pages), read with the key."""
        items: list[dict[str, Any]] = []
        url: str | None = f"{self.emulator_url}/speechtotext/{path}"
        params: dict[str, str] | None = STT_VERSION
        while url:
            page = httpx.get(
                url, params=params, headers={"Ocp-Apim-Subscription-Key": self.key}, timeout=10
            )
            page.raise_for_status()
            body = page.json()
            items += body["values"]
            url, params = body.get("@nextLink"), None
        return items


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    outside = Path(tempfile.mkdtemp(prefix="speechflows-hosts-"))  # not under the checkout
    net = Network.create(workers=3)  # two package hosts; the third gets its code from git
    started: list[Any] = []
    try:
        # The wheel and the hosts' installs are made while the server host starts: one venv with
        # the wheel, which both package hosts use (one install, one bytecode cache), and one
        # without it. Azurite and the emulator start beside the Prefect server.
        pool = ThreadPoolExecutor(max_workers=5)
        building = pool.submit(wheel.build, outside / "dist")
        installs = [
            pool.submit(lambda: worker_venv(building.result(), outside / "venv-package")),
            pool.submit(
                lambda: worker_venv(building.result(), outside / "venv-git", package=False)
            ),
        ]
        ip = net.server_ip
        pg = Postgres.start(host=ip, password=secrets.token_urlsafe(12))
        started.append(pg)
        pg.create_database("prefect")
        auth = f"operator:{secrets.token_urlsafe(12)}"
        ports: set[int] = set()
        while len(ports) < 3:  # three services start at once: three distinct ports
            ports.add(free_port())
        server_port, az_port, em_port = ports
        azurite = ManagedProcess(
            "Azurite",
            [*azurite_argv(az_port, host=ip), "--inMemoryPersistence"],
            port=az_port,
            ready=lambda: port_open(az_port, ip),
            start_timeout=60,
        )
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
                f"{QUOTA_REQUESTS}/10s",
            ],
            port=em_port,
            env={"SPEECHFLOWS_EMULATOR_STORAGE_HOSTS": ip},  # Azurite is on the server host
            ready=lambda: port_open(em_port, ip),
            log_path=outside / "emulator.log",
        )
        started.append(emulator)
        services = [pool.submit(azurite.start), pool.submit(emulator.start)]
        try:
            server = PrefectServer.start(
                home=outside / "server-home",
                port=server_port,
                host=ip,
                auth_string=auth,
                database_url=pg.async_url("prefect"),
            )
            started.append(server)
        finally:
            wait(services)  # so that a failure stops only what has started
        for service in services:
            service.result()
        emulator_url = f"http://{ip}:{em_port}"
        connection = connection_string_for(az_port, ip)
        upload_default_inputs(load_storage_settings(connection_string=connection))

        with _operator(server.api_url, auth):
            ensure_setup(zombie_after_seconds=ZOMBIE_SECONDS)
            save_server_settings(
                {
                    "SPEECHFLOWS_SPEECH_ENDPOINT": emulator_url,
                    "SPEECHFLOWS_SPEECH_KEY": key,
                    "SPEECHFLOWS_SPEECH_ALLOW_HTTP": "true",
                    "SPEECHFLOWS_STORAGE_CONNECTION_STRING": connection,
                }
            )
            # The pool of the host that clones from git.
            ensure_setup(work_pool=GIT_POOL, zombie_after_seconds=ZOMBIE_SECONDS)
        # The deployments are applied while the workers start (they poll their pool until then).
        deploying = pool.submit(deploy_all, api_url=server.api_url, env=server.client_env())
        workers, hosts = {}, {}
        for i, ns in enumerate(net.namespaces):
            name = f"host-{i}" if i < 2 else "host-git"
            workers[name] = host_worker(
                ns,
                installs[0 if i < 2 else 1].result(),
                outside / f"worker-home-{i}",
                hide=PROJECT_ROOT,
                pool=WORK_POOL if i < 2 else GIT_POOL,
                name=name,
                api_url=server.api_url,
                auth_string=auth,
                env={"PREFECT_FLOWS_HEARTBEAT_FREQUENCY": str(HEARTBEAT_SECONDS)},
                log_path=outside / f"worker-{i}.log",
            )
            hosts[name] = ns
            started.append(workers[name])
        list(pool.map(lambda w: w.start(), workers.values()))  # each waits until registered
        deploying.result()
        pool.shutdown()
        with PrefectAPI(server.api_url, auth) as api:
            yield Cluster(
                net,
                outside,
                building.result(),
                server,
                api,
                auth,
                emulator_url,
                key,
                connection,
                workers,
                hosts,
                started,
            )
    finally:
        for thing in reversed(started):
            thing.stop()
        net.destroy()
        shutil.rmtree(outside, ignore_errors=True)


def _operator(api_url: str, auth: str) -> AbstractContextManager[Any]:
    """This process as the operator's client of the server (URL and auth string)."""
    return temporary_settings({PREFECT_API_URL: api_url, PREFECT_API_AUTH_STRING: auth})


def _defaults(name: str) -> dict[str, Any]:
    spec = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())
    found = next(d for d in spec["deployments"] if d["name"] == name)
    params = copy.deepcopy(found["parameters"]["params"])
    params["deadlines"] = FAST
    return dict(params)


def _start(api: PrefectAPI, deployment: str, params: dict[str, Any]) -> str:
    created = api.create_run(api.deployment(deployment)["id"], {"params": params})
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def _uploads(cluster: Cluster) -> Counter[str]:
    """``:upload`` imports the emulator started, per training set (one job per new import)."""
    jobs = cluster.emulator("/_emulator/state")["jobs"]
    return Counter(j["resource"] for j in jobs if j["kind"] == "cv.trainingset_upload")


def _runs_left_running(api: PrefectAPI) -> list[str]:
    """Runs that started and did not end (scheduled runs of the upkeep deployments are not)."""
    runs = api.http.post(
        "/flow_runs/filter",
        json={"flow_runs": {"state": {"type": {"any_": ["RUNNING", "PENDING", "CANCELLING"]}}}},
    ).json()
    return [f"{r['name']}: {r['state_type']}" for r in runs]


def test_a_client_without_the_auth_string_is_refused(cluster: Cluster) -> None:
    anonymous = httpx.post(f"{cluster.server.api_url}/flows/filter", json={}, timeout=10)
    assert anonymous.status_code == 401
    assert cluster.api.http.post("/flows/filter", json={}).status_code == 200


def test_identical_and_distinct_onboardings_at_once_complete_on_both_hosts(
    cluster: Cluster,
) -> None:
    api = cluster.api
    pro = _defaults("professional-voice")
    personal = _defaults("personal-voice")
    speech = _defaults("custom-speech")
    runs: list[tuple[str, dict[str, Any]]] = []
    for _ in range(2):  # identical twins: a double click in the UI
        runs += [(PRO, pro), (PERSONAL, personal), (SPEECH, speech)]
    runs.append((PRO, {**pro, "project_id": "hosts-pro-0"}))  # the same data, another voice
    for i in range(2):  # distinct onboardings of the same sample data
        runs.append((PERSONAL, {**personal, "project_id": f"hosts-personal-{i}"}))
        runs.append((SPEECH, {**speech, "project_name": f"hosts speech {i}"}))
    ids = [_start(api, deployment, params) for deployment, params in runs]
    finished = [api.wait_for_run(i, timeout=600) for i in ids]
    assert [r["state_type"] for r in finished] == ["COMPLETED"] * len(ids), [
        api.failure_logs(r["id"]) for r in finished if r["state_type"] != "COMPLETED"
    ]
    hosts = Counter(r["labels"].get("prefect.worker.name") for r in finished)
    assert set(hosts) == {"host-0", "host-1"}, hosts  # the package hosts of the pool
    assert _runs_left_running(api) == []

    # No request over the quota: the server's rate limit keeps both hosts together under it.
    quota = cluster.emulator("/_emulator/state")["faults"]["quota"]
    assert quota["throttled"] == 0, quota
    assert 0 < quota["peak_sent"] <= QUOTA_REQUESTS, quota

    state = cluster.emulator("/_emulator/state")
    created = Counter((c["api"], c["collection"], c["id"]) for c in state["creates"])
    assert [k for k, n in created.items() if n > 1] == []  # no id created twice
    voice = state["resources"]["customvoice"]
    # Custom Voice: one project, consent and training set per voice, one import per training set.
    assert sorted(voice["projects"]) == sorted(
        ["my-voice", "hosts-pro-0", "my-personal-voice", "hosts-personal-0", "hosts-personal-1"]
    )
    assert len(voice["trainingsets"]) == 2, voice["trainingsets"]
    uploads = _uploads(cluster)
    assert sorted(uploads) == sorted(f"trainingsets/{t}" for t in voice["trainingsets"])
    assert set(uploads.values()) == {1}, uploads
    assert len(voice["personalvoices"]) == 3, voice["personalvoices"]  # twins share one
    # Speech to text (ids chosen by the service): one project per name, one dataset per
    # project and content.
    projects = Counter(p["displayName"] for p in cluster.speech_api("projects"))
    assert projects == Counter(["My custom speech", "hosts speech 0", "hosts speech 1"])
    datasets = Counter(
        (
            d["project"]["self"],
            d["displayName"],
            (d.get("customProperties") or {}).get("speechflowsContentHash"),
        )
        for d in cluster.speech_api("datasets")
    )
    assert datasets and set(datasets.values()) == {1}, datasets
    assert len({project for project, _, _ in datasets}) == 3
    assert os.path.exists(PROJECT_ROOT / "prefect.yaml")  # the checkout was hidden, not removed


def _upload_variant(cluster: Cluster, prefix: str, scratch: Path) -> str:
    """Another recording set for the default voice (new content: a new training set)."""
    data = write_sample(scratch / "voice", DataKind.AUDIO_AND_SCRIPT, count=20, seed=24)
    container = ContainerClient.from_connection_string(cluster.connection, SAMPLES_CONTAINER)
    with container:
        for path in sorted(p for p in data.rglob("*") if p.is_file()):
            with path.open("rb") as stream:
                container.upload_blob(f"{prefix}{path.relative_to(data).as_posix()}", stream)
    return f"blob://{SAMPLES_CONTAINER}/{prefix}"


def _heartbeat_seen(api: PrefectAPI, run_id: str) -> bool:
    events = api.http.post(
        "/events/filter",
        json={
            "filter": {
                "event": {"name": ["prefect.flow-run.heartbeat"]},
                "any_resource": {"id": [f"prefect.flow-run.{run_id}"]},
            }
        },
    ).json()
    return bool(events.get("events"))


def test_a_host_killed_mid_upload_leaves_its_run_crashed_and_a_plain_rerun_repairs(
    cluster: Cluster, tmp_path: Path
) -> None:
    api = cluster.api
    pro = _defaults("professional-voice")
    if "my-voice" not in cluster.emulator("/_emulator/state")["resources"].get(
        "customvoice", {}
    ).get(
        "projects", []
    ):  # run alone: the project and consent first, so the kill lands on the import
        first = api.wait_for_run(_start(api, PRO, pro), timeout=300)
        assert first["state_type"] == "COMPLETED", api.failure_logs(first["id"])
    params = {**pro, "data_dir": _upload_variant(cluster, "samples/hosts-killed/", tmp_path)}
    before = _uploads(cluster)
    httpx.post(
        f"{cluster.emulator_url}/_emulator/faults", json={"stuck_operations": True}, timeout=10
    ).raise_for_status()
    try:
        killed_id = _start(api, PRO, params)

        def import_in_flight() -> str | None:
            new = [r for r, n in _uploads(cluster).items() if n > before.get(r, 0)]
            return new[0] if new else None

        training_set = wait_until("the run's :upload import", import_in_flight, 180)
        wait_until("the run's first heartbeat", lambda: _heartbeat_seen(api, killed_id), 90)
        victim = api.run(killed_id)
        assert victim["state_type"] == "RUNNING", victim["state"]
        host = victim["labels"]["prefect.worker.name"]
        assert cluster.net.kill_host(cluster.hosts[host])  # the machine dies: worker + flow run
    finally:
        httpx.delete(f"{cluster.emulator_url}/_emulator/faults", timeout=10).raise_for_status()

    rerun = api.wait_for_run(_start(api, PRO, params), timeout=300)
    assert rerun["state_type"] == "COMPLETED", api.failure_logs(rerun["id"])
    assert rerun["labels"]["prefect.worker.name"] != host
    assert _uploads(cluster)[training_set] == 1  # re-attached to the killed run's import

    def left_running() -> dict[str, Any] | None:
        now = api.run(killed_id)
        return now if now["state_type"] != "RUNNING" else None

    crashed = wait_until("the killed run to leave Running", left_running, ZOMBIE_SECONDS + 90)
    assert crashed["state_type"] == "CRASHED", crashed["state"]
    assert f"no heartbeat for {ZOMBIE_SECONDS} s" in crashed["state"]["message"]
    automation = api.http.post("/automations/filter", json={}).json()
    assert [a["name"] for a in automation].count(ZOMBIE_AUTOMATION) == 1
    assert _runs_left_running(api) == []


def _git_daemon(cluster: Cluster) -> tuple[str, str]:
    """A repository on the server host holding this tree's code; (its git:// URL, the commit)."""
    base = cluster.outside / "git"
    bare = base / "speechflows.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True, timeout=60)
    # The working tree as a commit (HEAD when it is clean), without touching the checkout.
    snapshot = subprocess.run(
        ["git", "stash", "create"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    commit = (
        snapshot
        or subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    subprocess.run(
        ["git", "push", "--quiet", str(bare), f"{commit}:refs/heads/deployed"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    ip = cluster.net.server_ip
    daemon = ManagedProcess(
        "git daemon",
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            f"--base-path={base}",
            f"--listen={ip}",
            f"--port={port}",
            str(base),
        ],
        port=port,
        ready=lambda: port_open(port, ip),
        log_path=cluster.outside / "git-daemon.log",
    )
    daemon.start()
    cluster.started.append(daemon)
    return f"git://{ip}:{port}/speechflows.git", commit


def test_a_host_without_the_package_runs_a_deployment_cloned_from_git(cluster: Cluster) -> None:
    """Last in the module: personal-voice stays on the git pool (host-git runs it) afterwards."""
    api = cluster.api
    venv = cluster.outside / "venv-git"
    no_package = subprocess.run(
        in_host(
            cluster.hosts["host-git"],
            PROJECT_ROOT,
            f"cd / && {venv}/bin/python -c 'import speechflows'",
        ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "No module named 'speechflows'" in no_package.stderr, no_package.stderr
    repository, commit = _git_daemon(cluster)
    deploy_all(
        api_url=cluster.server.api_url,
        env=cluster.server.client_env(),
        names=["personal-voice"],
        code=GitCode(repository=repository, commit=commit),
        work_pool=GIT_POOL,
    )
    deployment = api.deployment(PERSONAL)
    assert deployment["pull_steps"] == [
        {"prefect.deployments.steps.git_clone": {"repository": repository, "commit_sha": commit}}
    ]
    params = {**_defaults("personal-voice"), "project_id": "hosts-git-personal"}
    before = cluster.emulator("/_emulator/state")["resources"]["customvoice"]["personalvoices"]
    run = api.wait_for_run(_start(api, PERSONAL, params), timeout=300)
    assert run["state_type"] == "COMPLETED", api.failure_logs(run["id"])
    assert run["labels"]["prefect.worker.name"] == "host-git"
    voice = cluster.emulator("/_emulator/state")["resources"]["customvoice"]
    assert "hosts-git-personal" in voice["projects"]
    assert len(voice["personalvoices"]) == len(before) + 1  # the clone's code created it
