"""Per-name lock cost on the embedded (SQLite) Prefect server: ``resource_lock`` vs Prefect's own.

The unchanged re-runs of ``make demo`` got slower after the per-name locks landed
(``speechflows.tasks.locks``): the slot increment was refused with a 503 ("database is locked")
whenever the server recorded another write in between, and Prefect's client waits 2-4 s before
its retry. This measures, in one process and one flow, interleaved, the time to take and release
a 1-slot lock inside a task, the way the tasks do, both ways:

- ``prefect_concurrency``: ``prefect.concurrency.sync.concurrency(name, strict=True, lease...)``,
  what ``resource_lock`` did before (the same 1-slot limit);
- ``resource_lock``: ``speechflows.tasks.locks.resource_lock`` (503 retried after tens of ms).

Each task takes one lock, like ``stage_data`` or ``create_dataset``; ``--tasks`` tasks a round,
``--rounds`` rounds. With every lock the holder also records itself (one Variable write).

``--takeovers N``: N times, a child process takes a lock (in a flow run, with a day-long lease)
and is SIGKILLed; a task then takes the same lock. ``takeover_s`` is the time from the kill to
the lock taken (the waiter finds the holder's process dead and releases its lease); before
the holder check it was the lease (300 s) plus the server's expiry sweep.

Last line: JSON with the acquire+release spread of each way, the ratio, and the takeovers.

Run: ``.venv/bin/python benchmarks/locks.py [--tasks 6] [--rounds 3] [--takeovers 3]``.
"""

from __future__ import annotations

import argparse
import functools
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _measure import Meter, Sample, emit, load_spread, machine, note, ratio_spread, spread, workdir

# A holder that takes a lock in a flow run with a day-long lease, says so, and waits to be killed.
HOLDER = """
import sys, threading
from prefect import flow
from speechflows.tasks import locks
locks.LEASE_SECONDS = 86400.0
@flow
def hold(kind: str, item: str) -> None:
    with locks.resource_lock(kind, item):
        print("HELD", flush=True)
        threading.Event().wait()
hold(sys.argv[1], sys.argv[2])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--takeovers", type=int, default=3)
    args = parser.parse_args()
    workdir("locks")  # before Prefect is imported: its home in a fresh directory
    from prefect import flow, task
    from prefect.concurrency.sync import concurrency

    from speechflows.tasks import locks

    def prefect_way(name: str) -> None:
        locks._ensure_limit(name)
        with concurrency(name, occupy=1, strict=True, lease_duration=locks.LEASE_SECONDS):
            pass

    def ours(kind: str, item: str) -> None:
        with locks.resource_lock(kind, item):
            pass

    meter = Meter()
    samples: dict[str, list[Sample]] = {"prefect_concurrency": [], "resource_lock": []}

    @task
    def one(way: str, i: int) -> None:
        item = f"item-{i % 2}"  # two names, reused: like the same resources on every re-run
        if way == "prefect_concurrency":
            sample, _ = meter.measure(lambda: prefect_way(locks.lock_name("bench-p", item)))
        else:
            sample, _ = meter.measure(lambda: ours("bench-o", item))
        samples[way].append(sample)
        note(step=way, task=i, seconds=round(sample.seconds, 3), **sample.load())

    @flow
    def rounds() -> None:
        for r in range(args.rounds):
            for i in range(args.tasks):
                ways = list(samples) if (r + i) % 2 == 0 else list(samples)[::-1]
                for way in ways:
                    one(way, i)

    takeovers: list[Sample] = []

    @task
    def take(kind: str, item: str) -> None:
        with locks.resource_lock(kind, item):
            pass

    @flow
    def takeover_rounds() -> None:
        from prefect.client.orchestration import get_client

        env = {
            **os.environ,
            "PREFECT_API_URL": str(get_client().api_url).rstrip("/"),
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        }
        for i in range(args.takeovers):
            child = subprocess.Popen(
                [sys.executable, "-c", HOLDER, "bench-takeover", f"item-{i}"],
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert child.stdout is not None
            held = child.stdout.readline()
            assert held.startswith("HELD"), held
            child.send_signal(signal.SIGKILL)
            child.wait()
            sample, _ = meter.measure(functools.partial(take, "bench-takeover", f"item-{i}"))
            takeovers.append(sample)
            note(step="takeover", round=i, seconds=round(sample.seconds, 3), **sample.load())

    t0 = time.perf_counter()
    rounds()
    if args.takeovers:
        takeover_rounds()
    wall = time.perf_counter() - t0
    secs = {w: [s.seconds for s in v] for w, v in samples.items()}
    emit(
        benchmark="locks",
        **machine(),
        server="embedded Prefect server (SQLite)",
        locks_per_way=len(secs["resource_lock"]),
        lock_s={w: spread(v) for w, v in secs.items()},
        over_1s={w: sum(x > 1 for x in v) for w, v in secs.items()},
        resource_lock_over_prefect=ratio_spread(secs["resource_lock"], secs["prefect_concurrency"]),
        median_ratio=round(
            spread(secs["resource_lock"])["median"] / spread(secs["prefect_concurrency"])["median"],
            3,
        ),
        takeovers=len(takeovers),
        takeover_s=spread(x.seconds for x in takeovers) if takeovers else None,
        wall_s=round(wall, 1),
        load=load_spread([*(s for v in samples.values() for s in v), *takeovers]),
    )


if __name__ == "__main__":
    main()
