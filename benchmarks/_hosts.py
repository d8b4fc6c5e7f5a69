"""``benchmarks/scale.py --hosts``: N onboardings on one worker host, then on two (issue 24).

The README's "Scaling out" recipe on one machine (``speechflows.dev.hosts``): a server host (the
root namespace on a bridge the script creates) with PostgreSQL (password), the Prefect server
(auth string), Azurite and the Speech emulator (Azure's quota, 50 requests / 10 s), and worker
hosts that are network namespaces with the wheel in their own venv and the checkout hidden.
Settings come only from the server's Secret block; inputs are the deployments' defaults in Blob.

Two rounds of the same ``--runs`` onboardings (round-robin over the three kinds, a distinct
project each, new projects per round): **one host** (``--limit`` = runs: it takes them all), then
**two hosts** (``--limit`` = half each). Each round gets a fresh emulator, so its quota counters
(requests, 429s, the busiest 10 s of the key) are its own. Needs root.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import yaml
from _measure import Meter, machine, spread
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from speechflows.deployments import wheel
from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.azurite import azurite_argv, connection_string_for
from speechflows.dev.hosts import Network, host_worker, worker_venv
from speechflows.dev.postgres import Postgres
from speechflows.dev.prefect_api import PrefectAPI
from speechflows.dev.prefect_server import PrefectServer
from speechflows.dev.processes import ManagedProcess, emulator_argv, free_port, port_open
from speechflows.dev.sample_inputs import upload_default_inputs
from speechflows.settings import load_storage_settings, save_server_settings

QUOTA = "50/10s"
KINDS = {
    "professional-voice": ("professional-voice-onboarding/professional-voice", "project_id"),
    "personal-voice": ("personal-voice-onboarding/personal-voice", "project_id"),
    "custom-speech": ("custom-speech-onboarding/custom-speech", "project_name"),
}
DEADLINES = {"poll_min_seconds": 1.0, "poll_max_seconds": 10.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _defaults() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())
    return {d["name"]: d["parameters"]["params"] for d in spec["deployments"] if d["name"] in KINDS}


def _seconds(run: dict[str, Any]) -> float | None:
    if not run.get("start_time") or not run.get("end_time"):
        return None
    delta = datetime.fromisoformat(run["end_time"]) - datetime.fromisoformat(run["start_time"])
    return delta.total_seconds()


def main(runs: int, timeout: float) -> dict[str, Any]:
    outside = Path(tempfile.mkdtemp(prefix="sf-bench-hosts-"))
    net = Network.create(workers=2)
    figures: dict[str, Any] = {"benchmark": "scale-hosts", **machine(), "runs": runs}
    with contextlib.ExitStack() as stack:
        stack.callback(lambda: shutil.rmtree(outside, ignore_errors=True))
        stack.callback(net.destroy)
        t0 = time.monotonic()
        dist = wheel.build(outside / "dist")
        with ThreadPoolExecutor(max_workers=2) as pool:
            installs = [pool.submit(worker_venv, dist, outside / f"venv-{i}") for i in range(2)]
            ip = net.server_ip
            pg = stack.enter_context(Postgres.start(host=ip, password=secrets.token_urlsafe(12)))
            pg.create_database("prefect")
            auth = f"operator:{secrets.token_urlsafe(12)}"
            server = stack.enter_context(
                PrefectServer.start(
                    home=outside / "server-home",
                    host=ip,
                    auth_string=auth,
                    database_url=pg.async_url("prefect"),
                )
            )
            az_port = free_port()
            azurite = ManagedProcess(
                "Azurite",
                [*azurite_argv(az_port, host=ip), "--inMemoryPersistence"],
                port=az_port,
                ready=lambda: port_open(az_port, ip),
                start_timeout=60,
            ).start()
            stack.callback(azurite.stop)
            connection = connection_string_for(az_port, ip)
            upload_default_inputs(load_storage_settings(connection_string=connection))
            venvs = [f.result() for f in installs]
        api = stack.enter_context(PrefectAPI(server.api_url, auth))
        operator = {PREFECT_API_URL: server.api_url, PREFECT_API_AUTH_STRING: auth}
        with temporary_settings(operator):
            ensure_setup()
        deploy_all(api_url=server.api_url, env=server.client_env(), names=list(KINDS))
        deployments = {kind: api.deployment(full)["id"] for kind, (full, _) in KINDS.items()}
        defaults = _defaults()
        log(f"hosts up in {time.monotonic() - t0:.1f} s (work dir {outside})")

        def one_round(label: str, hosts: int) -> dict[str, Any]:
            key = secrets.token_hex(16)
            port = free_port()
            emulator = ManagedProcess(
                f"Speech emulator ({label})",
                emulator_argv(
                    port,
                    outside / f"emulator-{label}",
                    key,
                    *("--host", ip, "--allow-remote", "--quota", QUOTA),
                ),
                port=port,
                env={"SPEECHFLOWS_EMULATOR_STORAGE_HOSTS": ip},
                ready=lambda: port_open(port, ip),
                log_path=outside / f"emulator-{label}.log",
            ).start()
            limit = math.ceil(runs / hosts)
            workers = [
                host_worker(
                    ns,
                    venvs[i],
                    outside / f"home-{label}-{i}",
                    hide=PROJECT_ROOT,
                    pool=WORK_POOL,
                    name=f"{label}-{i}",
                    api_url=server.api_url,
                    auth_string=auth,
                    limit=limit,
                    log_path=outside / f"worker-{label}-{i}.log",
                )
                for i, ns in enumerate(net.namespaces[:hosts])
            ]
            try:
                with temporary_settings(operator):
                    save_server_settings(
                        {
                            "SPEECHFLOWS_SPEECH_ENDPOINT": f"http://{ip}:{port}",
                            "SPEECHFLOWS_SPEECH_KEY": key,
                            "SPEECHFLOWS_SPEECH_ALLOW_HTTP": "true",
                            "SPEECHFLOWS_STORAGE_CONNECTION_STRING": connection,
                        }
                    )
                for w in workers:
                    w.start()
                params = []
                for i in range(runs):
                    kind = list(KINDS)[i % len(KINDS)]
                    p = copy.deepcopy(defaults[kind])
                    p[KINDS[kind][1]] = f"{label}-{kind}-{i:02d}"
                    p["deadlines"] = DEADLINES
                    params.append((kind, p))
                load, (wall, finished) = Meter().measure(
                    lambda: _round(api, deployments, params, timeout)
                )
                quota = httpx.get(f"http://{ip}:{port}/_emulator/state", timeout=30).json()[
                    "faults"
                ]["quota"]
            finally:
                for w in workers:
                    w.stop()
                emulator.stop()
            durations = [s for s in (_seconds(r) for r in finished) if s is not None]
            per_host: dict[str, int] = {}
            for r in finished:
                name = r["labels"].get("prefect.worker.name", "?")
                per_host[name] = per_host.get(name, 0) + 1
            return {
                "hosts": hosts,
                "worker_limit": limit,
                "completed": sum(r["state_type"] == "COMPLETED" for r in finished),
                "runs_per_host": per_host,
                "wall_s": round(wall, 1),
                "p50_run_s": round(statistics.median(durations), 1) if durations else None,
                "run_s_spread": spread(durations, 1),
                "requests": quota["accepted"] + quota["throttled"],
                "throttled_429": quota["throttled"],
                "max_requests_any_10s": quota["peak_sent"],
                "load": load.load(),
            }

        figures["one_host"] = one_round("one", 1)
        log(f"one host: {figures['one_host']}")
        figures["two_hosts"] = one_round("two", 2)
        log(f"two hosts: {figures['two_hosts']}")
    one, two = figures["one_host"], figures["two_hosts"]
    figures["two_over_one_wall"] = (
        round(two["wall_s"] / one["wall_s"], 2) if one["wall_s"] else None
    )
    figures["quota"] = QUOTA
    figures["targets"] = {
        "all_completed": one["completed"] == runs and two["completed"] == runs,
        "both_hosts_used": len(two["runs_per_host"]) == 2,
        "max_requests_any_10s<=50": max(one["max_requests_any_10s"], two["max_requests_any_10s"])
        <= 50,
        "no_429": one["throttled_429"] == 0 and two["throttled_429"] == 0,
    }
    figures["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def _round(
    api: PrefectAPI,
    deployments: dict[str, str],
    params: list[tuple[str, dict[str, Any]]],
    timeout: float,
) -> tuple[float, list[dict[str, Any]]]:
    """:func:`scale.run_round` of these runs (their parameters under ``params``)."""
    from scale import run_round

    return run_round(api, deployments, [(kind, {"params": p}) for kind, p in params], timeout)
