"""20 onboardings at once on a PostgreSQL-backed Prefect server with 2 process workers.

Starts, on loopback and in this order (every one stopped at the end, whatever happens):
PostgreSQL (``speechflows.dev.postgres``), ``prefect server start`` on it, Azurite, the Speech
emulator with Azure's quota (``python -m speechflows.emulator --quota 50/10s``), the project setup
(work pool + the ``speechflows-speech-api`` limit), the ``professional-voice``,
``personal-voice`` and ``custom-speech`` deployments of prefect.yaml, and two process workers.

Then creates ``--runs`` flow runs from the deployments at once (round-robin over the three kinds,
a distinct project each, small data), waits for all of them, and reads the emulator's quota
counters (``/_emulator/state``): every request the service received or refused, the 429s, and the
busiest 10 s of one key. The same runs are then created again unchanged: the re-run must create
nothing in the service and write no blob (``rerun_uploaded_bytes`` compares Azurite's listing —
name, etag, size — before and after, independently of what the flows report).

Last line: JSON ``{"runs", "completed", "requests", "throttled_429", "max_requests_any_10s",
"wall_s", "p50_run_s", "p95_run_s", "rerun_creates", "rerun_uploaded_bytes", "load_avg",
"cpus", ...}``. Targets (printed, never asserted): all completed; max_requests_any_10s <= 50;
throttled_429 <= 1 % of requests; the re-run creates 0 resources and uploads 0 bytes.

Run: ``.venv/bin/python benchmarks/scale.py [--runs 20] [--keep]`` (``make bench``).

``--hosts`` (root): the same onboardings on worker hosts (network namespaces, the wheel in their
own venvs, no checkout), one host against two (``benchmarks/_hosts.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Meter, machine, spread, stack_workdir

ROOT = Path(__file__).resolve().parents[1]
KEY = "speechflows-scale-key-0123456789abcdef"
QUOTA = "50/10s"
KINDS = ("professional-voice", "personal-voice", "custom-speech")
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
# Status checks every 1-10 s: short enough for a quick benchmark, long enough to leave room.
DEADLINES = {"poll_min_seconds": 1.0, "poll_max_seconds": 10.0}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_parameters(i: int, data: dict[str, Path]) -> tuple[str, dict[str, Any]]:
    """The deployment and the parameters of onboarding number ``i`` (a distinct project each)."""
    kind = KINDS[i % len(KINDS)]
    consent = {
        "voice_talent_name": "Jess Doe",
        "company_name": "Contoso",
        "audio_file": str(data["consent"]),
    }
    if kind == "professional-voice":
        params: dict[str, Any] = {
            "project_id": f"scale-pro-{i:02d}",
            "data_dir": str(data["voice"]),
            "consent": consent,
            "deadlines": DEADLINES,
        }
    elif kind == "personal-voice":
        params = {
            "project_id": f"scale-personal-{i:02d}",
            "prompt_path": str(data["prompt"]),
            "consent": consent,
            "deadlines": DEADLINES,
        }
    else:
        params = {
            "project_name": f"Scale speech {i:02d}",
            "deadlines": DEADLINES,
            "datasets": [
                {
                    "name": f"scale-{i:02d}-phrases",
                    "kind": "Language",
                    "path": str(data["language"]),
                },
                {"name": f"scale-{i:02d}-audio", "kind": "Acoustic", "path": str(data["acoustic"])},
            ],
        }
    return kind, {"params": params}


def sample_data(root: Path) -> dict[str, Path]:
    """Small deterministic samples: 24 utterances, a consent, prompts, 6 acoustic files, text."""
    from speechflows.datasets import DataKind, write_sample

    def first(path: Path, suffixes: tuple[str, ...]) -> Path:
        if path.is_file():
            return path
        return sorted(p for p in path.iterdir() if p.is_file() and p.suffix in suffixes)[0]

    return {
        "voice": write_sample(root / "voice", DataKind.AUDIO_AND_SCRIPT, count=24),
        "consent": first(write_sample(root / "consent", DataKind.CONSENT), (".wav", ".mp3")),
        "prompt": write_sample(root / "prompt", DataKind.PROMPT),
        "acoustic": write_sample(root / "acoustic", DataKind.ACOUSTIC, count=6),
        "language": first(write_sample(root / "language", DataKind.LANGUAGE), (".txt",)),
    }


def blob_listing(connection_string: str) -> dict[tuple[str, str], tuple[str, int]]:
    """Every blob in Azurite: (container, name) -> (etag, size)."""
    from azure.storage.blob import BlobServiceClient

    found: dict[tuple[str, str], tuple[str, int]] = {}
    with BlobServiceClient.from_connection_string(connection_string) as service:
        for container in service.list_containers():
            client = service.get_container_client(container.name)
            for blob in client.list_blobs():
                found[(container.name, blob.name)] = (str(blob.etag), int(blob.size or 0))
    return found


def written_bytes(
    before: dict[tuple[str, str], tuple[str, int]], after: dict[tuple[str, str], tuple[str, int]]
) -> int:
    """Bytes of the blobs that are new or were rewritten (a new etag) between two listings."""
    return sum(size for key, (etag, size) in after.items() if before.get(key, ("", 0))[0] != etag)


def seconds(run: dict[str, Any]) -> float | None:
    if not run.get("start_time") or not run.get("end_time"):
        return None
    start = datetime.fromisoformat(run["start_time"])
    end = datetime.fromisoformat(run["end_time"])
    return (end - start).total_seconds()


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def run_round(
    api: Any, deployments: dict[str, str], params: list[tuple[str, dict[str, Any]]], timeout: float
) -> tuple[float, list[dict[str, Any]]]:
    """Create every run at once, wait until all are terminal; (wall seconds, final runs)."""
    started = time.monotonic()
    ids = []
    for kind, parameters in params:
        response = api.create_run(deployments[kind], parameters)
        if response.status_code != 201:
            raise RuntimeError(
                f"creating a {kind} run failed: {response.status_code} {response.text}"
            )
        ids.append(response.json()["id"])
    deadline = started + timeout
    runs: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        got = api.http.post("/flow_runs/filter", json={"flow_runs": {"id": {"any_": ids}}})
        got.raise_for_status()
        runs = list(got.json())
        if len(runs) == len(ids) and all(r["state_type"] in TERMINAL for r in runs):
            break
        time.sleep(1.0)
    wall = time.monotonic() - started
    states: dict[str, int] = {}
    for r in runs:
        states[r["state_type"]] = states.get(r["state_type"], 0) + 1
    log(f"{len(ids)} runs in {wall:.1f} s: {states}")
    for r in runs:
        if r["state_type"] != "COMPLETED":
            log(f"  {r['name']} {r['state_type']}: {api.failure_logs(r['id'])[-1500:]}")
    return wall, runs


def emulator_state(base_url: str) -> dict[str, Any]:
    import httpx

    response = httpx.get(f"{base_url}/_emulator/state", timeout=30)
    response.raise_for_status()
    return dict(response.json())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="onboardings started at once")
    parser.add_argument("--workers", type=int, default=2, help="process workers")
    parser.add_argument(
        "--worker-limit", type=int, default=None, help="runs per worker (default: all at once)"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per round")
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument(
        "--hosts", action="store_true", help="one worker host against two (network namespaces)"
    )
    args = parser.parse_args()
    if args.hosts:
        from _hosts import main as hosts_main

        print(json.dumps(hosts_main(args.runs, args.timeout)), flush=True)
        return

    sys.path.insert(0, str(ROOT))  # this checkout's package, also for the flow runs (PYTHONPATH)
    root = stack_workdir("scale", ROOT)

    from _stack import start_stack

    from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL
    from speechflows.dev.prefect_server import PrefectWorker

    names = {
        "professional-voice": "professional-voice-onboarding/professional-voice",
        "personal-voice": "personal-voice-onboarding/personal-voice",
        "custom-speech": "custom-speech-onboarding/custom-speech",
    }
    limit = args.worker_limit or math.ceil(args.runs / args.workers)
    figures: dict[str, Any] = {"benchmark": "scale", **machine()}
    with contextlib.ExitStack() as stack:
        t0 = time.monotonic()
        parts = start_stack(
            stack,
            root,
            key=KEY,
            keep=args.keep,
            emulator_args=[
                "--quota",
                QUOTA,
            ],
            deployments=list(KINDS),
        )
        server, az, base_url, api = parts.server, parts.azurite, parts.emulator_url, parts.api
        deployments = {kind: api.deployment(full)["id"] for kind, full in names.items()}
        flow_env = parts.flow_env("scale")
        for n in range(1, args.workers + 1):
            worker = PrefectWorker.start(
                server,
                pool=WORK_POOL,
                name=f"scale-worker-{n}",
                cwd=PROJECT_ROOT,
                env=flow_env,
                query_seconds=1,
                limit=limit,
                log_path=root / f"worker-{n}.log",
            )
            stack.callback(worker.stop)
        data = sample_data(root / "data")
        log(f"stack up in {time.monotonic() - t0:.1f} s (work dir {root})")

        params = [run_parameters(i, data) for i in range(args.runs)]
        meter = Meter()
        load_first, (wall, runs) = meter.measure(
            lambda: run_round(api, deployments, params, args.timeout)
        )
        first = emulator_state(base_url)
        quota = first["faults"]["quota"]
        durations = [s for s in (seconds(r) for r in runs) if s is not None]
        blobs = blob_listing(az.connection_string)

        load_rerun, (rerun_wall, reruns) = meter.measure(
            lambda: run_round(api, deployments, params, args.timeout)
        )
        rerun_durations = [s for s in (seconds(r) for r in reruns) if s is not None]
        second = emulator_state(base_url)
        requests = quota["accepted"] + quota["throttled"]
        figures.update(
            {
                "runs": args.runs,
                "completed": sum(r["state_type"] == "COMPLETED" for r in runs),
                "kinds": {k: sum(p[0] == k for p in params) for k in KINDS},
                "requests": requests,
                "throttled_429": quota["throttled"],
                "max_requests_any_10s": quota["peak_sent"],
                "max_served_any_10s": quota["peak_accepted"],
                "creates": len(first["creates"]),
                "uploaded_bytes": written_bytes({}, blobs),
                "wall_s": round(wall, 1),
                "p50_run_s": round(statistics.median(durations), 1) if durations else None,
                "p95_run_s": round(percentile(durations, 95) or 0.0, 1) if durations else None,
                "rerun_completed": sum(r["state_type"] == "COMPLETED" for r in reruns),
                "rerun_wall_s": round(rerun_wall, 1),
                "rerun_requests": second["faults"]["quota"]["accepted"]
                + second["faults"]["quota"]["throttled"]
                - requests,
                "rerun_throttled_429": second["faults"]["quota"]["throttled"] - quota["throttled"],
                "rerun_creates": len(second["creates"]) - len(first["creates"]),
                "rerun_uploaded_bytes": written_bytes(blobs, blob_listing(az.connection_string)),
                "run_s_spread": spread(durations, 1),
                "rerun_run_s_spread": spread(rerun_durations, 1),
                "load": {"first": load_first.load(), "rerun": load_rerun.load()},
                "quota": QUOTA,
                "workers": args.workers,
                "worker_limit": limit,
            }
        )
    figures["targets"] = {
        "all_completed": figures["completed"] == figures["runs"],
        "max_requests_any_10s<=50": figures["max_requests_any_10s"] <= 50,
        "throttled_429<=1%": figures["throttled_429"] <= 0.01 * max(1, figures["requests"]),
        "rerun_0_creates_0_bytes": figures["rerun_creates"] == 0
        and figures["rerun_uploaded_bytes"] == 0,
    }
    figures["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
