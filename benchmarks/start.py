"""Start latency of a deployment run, and the import time of each flow module (issue 28 item 1).

On the real local stack (a Prefect server on SQLite, Azurite, the Speech emulator, every
deployment of prefect.yaml, ONE process worker polling every ``--query-seconds`` as
``speechflows dev up`` does), it creates ``--runs`` runs of the ``personal-voice`` deployment one
after the other with ``create_flow_run_from_deployment`` and reads, from the server's own
timestamps, the time from the run's creation to its first task running and to its completion.
Then ``python -X importtime`` of each flow module in a fresh interpreter: the flow module's
cumulative import time, and Prefect's own (``prefect.engine``, ``prefect.flows``, imported
first, as in the flow-run process).

One JSON result line on stdout (medians, spread, load); each run's detail on stderr.

    .venv/bin/python benchmarks/start.py [--runs 3] [--query-seconds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._measure import emit, machine, note, spread
from speechflows.datasets import DataKind, write_sample
from speechflows.demo import start_emulator
from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL, deploy_all, ensure_setup
from speechflows.dev.azurite import Azurite
from speechflows.dev.prefect_api import TERMINAL
from speechflows.dev.prefect_server import PrefectServer, PrefectWorker
from tests.test_import_budget import FLOW_MODULES  # the flow modules the import budget covers

PREFECT_FIRST = "prefect.engine, prefect.flows, prefect.tasks, prefect.artifacts"


def _ts(value: str) -> float:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def import_times(module: str) -> dict[str, float]:
    """Seconds of Prefect's own imports, then of ``module`` on top, from ``-X importtime``."""
    code = f"import {PREFECT_FIRST}; import {module}"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT_ROOT,
    )
    cumulative: dict[str, int] = {}
    for line in done.stderr.splitlines():
        m = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m[2]) == 1:  # top level only: what the -c statement itself imported
            cumulative[m[3]] = cumulative.get(m[3], 0) + int(m[1])
    prefect_us = sum(v for k, v in cumulative.items() if k.split(".")[0] == "prefect")
    return {
        "prefect_s": round(prefect_us / 1e6, 3),
        "module_s": round(cumulative.get(module, 0) / 1e6, 3),
    }


def _first_task_start(client: Any, run_id: Any) -> float | None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    tasks = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run_id])))
    starts = [t.start_time.timestamp() for t in tasks if t.start_time is not None]
    return min(starts) if starts else None


def measure_runs(runs: int, query_seconds: float, root: Path) -> list[dict[str, Any]]:
    key = "bench-" + os.urandom(8).hex()
    out: list[dict[str, Any]] = []
    with contextlib.ExitStack() as stack:
        server = stack.enter_context(PrefectServer.start(home=root / "prefect-home"))
        az = stack.enter_context(Azurite.start(data_dir=root / "azurite"))
        emulator = start_emulator(root / "emulator", key, root / "emulator.log", step_seconds=0.05)
        stack.callback(emulator.stop)
        ensure_setup(api_url=server.api_url)
        deploy_all(api_url=server.api_url, env=server.client_env())
        worker = PrefectWorker.start(
            server,
            pool=WORK_POOL,
            name="start-bench-worker",
            cwd=PROJECT_ROOT,
            env={
                "SPEECHFLOWS_SPEECH_ENDPOINT": f"http://127.0.0.1:{emulator.port}",
                "SPEECHFLOWS_SPEECH_KEY": key,
                "SPEECHFLOWS_STORAGE_CONNECTION_STRING": az.connection_string,
                "SPEECHFLOWS_STORAGE_CONTAINER": "start-bench",
            },
            query_seconds=query_seconds,
            limit=1,
            log_path=root / "worker.log",
        )
        stack.callback(worker.stop)
        from prefect.client.orchestration import get_client
        from prefect.settings import PREFECT_API_URL, temporary_settings

        stack.enter_context(temporary_settings(updates={PREFECT_API_URL: server.api_url}))

        consent_sample = write_sample(root / "consent", DataKind.CONSENT)
        consent = (
            consent_sample
            if consent_sample.is_file()
            else min(p for p in consent_sample.rglob("*") if p.suffix in (".wav", ".mp3"))
        )
        prompt = write_sample(root / "prompt", DataKind.PROMPT)
        with get_client(sync_client=True) as client:
            dep = client.read_deployment_by_name("personal-voice-onboarding/personal-voice")
            for i in range(runs):
                params = {
                    "project_id": f"start-{i}",
                    "prompt_path": str(prompt),
                    "consent": {
                        "voice_talent_name": "Sam Roe",
                        "company_name": "Contoso",
                        "audio_file": str(consent),
                    },
                }
                load_before = os.getloadavg()[0]
                run = client.create_flow_run_from_deployment(dep.id, parameters={"params": params})
                deadline = time.monotonic() + 600
                while time.monotonic() < deadline:
                    state = client.read_flow_run(run.id)
                    if state.state_type is not None and state.state_type.value in TERMINAL:
                        break
                    time.sleep(0.5)
                final = client.read_flow_run(run.id)
                created = final.created.timestamp() if final.created else float("nan")
                first = _first_task_start(client, run.id)
                row = {
                    "run": i,
                    "state": final.state_type.value if final.state_type else None,
                    "to_first_task_s": round(first - created, 2) if first else None,
                    "to_flow_start_s": round(final.start_time.timestamp() - created, 2)
                    if final.start_time
                    else None,
                    "to_completion_s": round(final.end_time.timestamp() - created, 2)
                    if final.end_time
                    else None,
                    "loadavg_1m": [round(load_before, 2), round(os.getloadavg()[0], 2)],
                }
                note(**row)
                out.append(row)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--query-seconds", type=float, default=2.0)
    ap.add_argument("--imports-only", action="store_true")
    args = ap.parse_args()
    start_machine = machine()
    imports = {m.rsplit(".", 1)[1]: import_times(m) for m in FLOW_MODULES}
    for name, figures in imports.items():
        note(module=name, **figures)
    result: dict[str, Any] = {"benchmark": "start", "machine_at_start": start_machine}
    result["import_s"] = imports
    if not args.imports_only:
        with tempfile.TemporaryDirectory(prefix="start-bench-") as tmp:
            rows = measure_runs(args.runs, args.query_seconds, Path(tmp))
        done = [r for r in rows if r["state"] == "COMPLETED"]
        result.update(
            deployment="personal-voice-onboarding/personal-voice",
            worker_query_seconds=args.query_seconds,
            runs=len(rows),
            completed=len(done),
            to_first_task_s=spread(r["to_first_task_s"] for r in done if r["to_first_task_s"]),
            to_completion_s=spread(r["to_completion_s"] for r in done if r["to_completion_s"]),
        )
    result["machine_at_end"] = machine()
    emit(**result)


if __name__ == "__main__":
    main()
