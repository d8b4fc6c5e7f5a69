"""A voice model trains while its flow run is parked; 5 short onboardings use the one worker.

Starts, on loopback (every one stopped at the end): PostgreSQL, ``prefect server start`` on it,
Azurite, the Speech emulator with ``--model-training-seconds`` = ``--training``, the project setup,
the ``professional-voice`` and ``custom-speech`` deployments, and ONE process worker that runs one
flow run at a time (``--limit 1``).

Then creates a professional voice onboarding with a model (``park_after_minutes`` =
``--park-after``), and right behind it 5 short custom speech onboardings (one Language dataset
each), queued on the same worker. The professional voice run talks to the service through a
counting proxy (its own ``SPEECHFLOWS_SPEECH_ENDPOINT`` as a job variable), and so does the
watcher: this script runs ``speechflows watch`` every ``--watch-every`` seconds (the ``watch``
deployment's 5 minutes, scaled to the shorter training), as its own process, not on the worker.

Figures (independent of what the flows report):
* the training window: from the model's create (the proxy's log) to the first raw GET of the
  model that reads Succeeded (this script polls the emulator directly every second);
* ``parked_run_busy_s_during_training``: the parked run's Pending + Running time (Prefect's
  state history of the flow run) inside the training window;
* ``short_runs_completed_during_training``: short runs whose end time is inside the window;
* ``requests_during_training``: requests through the proxy (the parked run's and the
  watcher's) inside the window after the create: what the wait itself cost.

Targets (printed, never asserted): busy <= 5 % of training; 5 of 5 short runs during the
training; fewer than 2 requests per minute on the wait.

Run: ``.venv/bin/python benchmarks/parked.py [--training 600] [--park-after 10]
[--watch-every 300]`` (about 8 minutes with the defaults). The defaults scale the issue's setup
down to a 4-minute training: ``park_after`` 9 s, a watch round every 90 s. The parked run's busy
time is ``park_after`` (plus its process start) by construction, so the 5 % target holds when
``park_after`` is under 5 % of the training: with the default 10 minutes, for trainings over
200 minutes (voice models train for hours).
"""

from __future__ import annotations

import argparse
import contextlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
KEY = "speechflows-parked-key-0123456789abcdef"
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
SHORT_RUNS = 5


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class CountingProxy:
    """A loopback HTTP proxy to the emulator that logs (time, method, path) of every request."""

    def __init__(self, target: str) -> None:
        import httpx

        self.target = target
        self.requests: list[tuple[float, str, str]] = []
        client = httpx.Client(base_url=target, timeout=60)
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                proxy.requests.append((time.time(), self.command, self.path.split("?")[0]))
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in {"host", "connection"}
                }
                upstream = client.request(self.command, self.path, content=body, headers=headers)
                data = upstream.content
                self.send_response(upstream.status_code)
                for k, v in upstream.headers.items():
                    if k.lower() not in {"content-length", "transfer-encoding", "connection"}:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_PATCH = do_DELETE = _forward

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _ts(text: str | None) -> float | None:
    return datetime.fromisoformat(text).timestamp() if text else None


def busy_seconds(api: Any, run_id: str, window: tuple[float, float]) -> float:
    """Seconds the run spent Pending or Running (holding a worker process) inside ``window``."""
    response = api.http.get("/flow_run_states/", params={"flow_run_id": run_id})
    response.raise_for_status()
    states = sorted(response.json(), key=lambda s: s["timestamp"])
    total = 0.0
    for i, s in enumerate(states):
        if s["type"] not in {"PENDING", "RUNNING"}:
            continue
        start = _ts(s["timestamp"]) or 0.0
        end = _ts(states[i + 1]["timestamp"]) if i + 1 < len(states) else time.time()
        lo, hi = max(start, window[0]), min(end or time.time(), window[1])
        total += max(0.0, hi - lo)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training", type=float, default=240.0, help="model training seconds")
    parser.add_argument("--park-after", type=float, default=0.15, help="park_after_minutes")
    parser.add_argument("--watch-every", type=float, default=90.0, help="seconds between rounds")
    parser.add_argument("--timeout", type=float, default=1800.0)
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from benchmarks._measure import stack_workdir

    root = stack_workdir("parked", ROOT)
    import httpx

    from benchmarks._stack import start_stack
    from benchmarks.scale import sample_data
    from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL
    from speechflows.dev.prefect_server import PrefectWorker

    figures: dict[str, Any] = {"benchmark": "parked"}
    with contextlib.ExitStack() as stack:
        t0 = time.monotonic()
        parts = start_stack(
            stack,
            root,
            key=KEY,
            keep=args.keep,
            emulator_args=[
                "--model-training-seconds",
                str(args.training),
                "--min-utterance-count",
                "3",
            ],
            deployments=["professional-voice", "custom-speech"],
        )
        server, base_url, api = parts.server, parts.emulator_url, parts.api
        proxy = CountingProxy(base_url)
        stack.callback(proxy.stop)
        flow_env = parts.flow_env("parked")
        worker = PrefectWorker.start(
            server,
            pool=WORK_POOL,
            name="parked-worker",
            cwd=PROJECT_ROOT,
            env=flow_env,
            query_seconds=1,
            limit=1,
            log_path=root / "worker.log",
        )
        stack.callback(worker.stop)
        data = sample_data(root / "data")
        log(f"stack up in {time.monotonic() - t0:.1f} s (work dir {root})")

        pro = api.deployment("professional-voice-onboarding/professional-voice")["id"]
        speech = api.deployment("custom-speech-onboarding/custom-speech")["id"]
        deadlines = {"poll_min_seconds": 5.0, "poll_max_seconds": 60.0}
        voice_params = {
            "project_id": "parked-voice",
            "data_dir": str(data["voice"]),
            "consent": {
                "voice_talent_name": "Jess Doe",
                "company_name": "Contoso",
                "audio_file": str(data["consent"]),
            },
            "deadlines": {**deadlines, "park_after_minutes": args.park_after},
            "model": {"voice_name": "JessNeural"},
        }
        response = api.create_run(
            pro,
            {"params": voice_params},
            job_variables={"env": {"SPEECHFLOWS_SPEECH_ENDPOINT": proxy.url}},
        )
        assert response.status_code == 201, response.text
        voice_run = response.json()["id"]
        short = []
        for i in range(SHORT_RUNS):
            params = {
                "project_name": f"Parked short {i}",
                "deadlines": deadlines,
                "datasets": [
                    {"name": f"short-{i}", "kind": "Language", "path": str(data["language"])}
                ],
            }
            r = api.create_run(speech, {"params": params})
            assert r.status_code == 201, r.text
            short.append(r.json()["id"])

        watch_env = {
            **os.environ,
            **server.client_env(),
            **flow_env,
            "SPEECHFLOWS_SPEECH_ENDPOINT": proxy.url,
        }
        speechflows_bin = str(Path(sys.executable).with_name("speechflows"))
        model_url = f"{base_url}/customvoice/models/parked-voice-model"
        trained_at: float | None = None
        next_watch = time.monotonic() + args.watch_every
        rounds = 0
        deadline = time.monotonic() + args.timeout
        ids = [voice_run, *short]
        runs: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            if trained_at is None:
                got = httpx.get(
                    model_url,
                    params={"api-version": "2026-01-01"},
                    headers={"Ocp-Apim-Subscription-Key": KEY},
                    timeout=10,
                )
                if got.status_code == 200 and got.json().get("status") == "Succeeded":
                    trained_at = time.time()
                    log("model Succeeded")
            if time.monotonic() >= next_watch:
                done = subprocess.run(
                    [speechflows_bin, "watch", "--json"],
                    env=watch_env,
                    cwd=PROJECT_ROOT,
                    capture_output=True,
                    text=True,
                    timeout=300,
                    check=False,
                )
                rounds += 1
                out = done.stdout.strip().replace("\n", " ")[-300:]
                log(f"watch round {rounds}: {out or done.stderr[-300:]}")
                next_watch = time.monotonic() + args.watch_every
            got = api.http.post("/flow_runs/filter", json={"flow_runs": {"id": {"any_": ids}}})
            got.raise_for_status()
            runs = list(got.json())
            if all(r["state_type"] in TERMINAL for r in runs) and len(runs) == len(ids):
                break
            time.sleep(1.0)

        by_id = {r["id"]: r for r in runs}
        creates = [t for t, m, p in proxy.requests if m in {"PUT", "POST"} and "/models/" in p]
        started = creates[0] if creates else None
        window = (started or 0.0, trained_at or time.time())
        training_s = window[1] - window[0] if started else None
        in_window = [(t, m, p) for t, m, p in proxy.requests if window[0] < t <= window[1]]
        short_done = [
            i
            for i in short
            if by_id.get(i, {}).get("state_type") == "COMPLETED"
            and (_ts(by_id[i].get("end_time")) or 1e18) <= window[1]
        ]
        busy = busy_seconds(api, voice_run, window) if started else None
        figures.update(
            {
                "parked_run_busy_s_during_training": round(busy, 1) if busy is not None else None,
                "training_s": round(training_s, 1) if training_s else None,
                "short_runs_completed_during_training": len(short_done),
                "short_runs": SHORT_RUNS,
                "requests_during_training": len(in_window),
                "requests_per_minute_on_the_wait": round(len(in_window) / (training_s / 60), 2)
                if training_s
                else None,
                "parked_run_final_state": by_id.get(voice_run, {}).get("state_type"),
                "short_runs_final_states": [by_id.get(i, {}).get("state_type") for i in short],
                "watch_rounds": rounds,
                "park_after_minutes": args.park_after,
                "watch_every_s": args.watch_every,
                "emulator_model_training_seconds": args.training,
                "worker_limit": 1,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        if figures["parked_run_final_state"] != "COMPLETED":
            log(api.failure_logs(voice_run)[-2000:])
    if figures["training_s"]:
        figures["targets"] = {
            "busy<=5%": (figures["parked_run_busy_s_during_training"] or 0)
            <= 0.05 * figures["training_s"],
            "all_short_runs_during_training": figures["short_runs_completed_during_training"]
            == SHORT_RUNS,
            "<2_requests_per_minute": (figures["requests_per_minute_on_the_wait"] or 0) < 2,
        }
    figures["load_avg"] = [round(x, 2) for x in os.getloadavg()]
    figures["cpus"] = os.cpu_count()
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
