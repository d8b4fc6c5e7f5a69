"""Take one resource lock in a flow run, print ``HELD <flow run id>``, and hold it until killed.

argv: kind, then the lock's names. The lease is a day long, so only the holder's death (seen by
the waiter) can free the slot within a test. ``LOCK_BEAT_SECONDS`` in the environment: how often
the holder beats (default :data:`speechflows.tasks.locks.BEAT_SECONDS`).
"""

from __future__ import annotations

import os
import sys
import threading

from prefect import flow, task
from prefect.context import FlowRunContext
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

from speechflows.tasks import locks


@task
def hold(kind: str, names: list[str]) -> None:
    with locks.resource_lock(kind, *names):
        ctx = FlowRunContext.get()
        print("HELD", ctx.flow_run.id if ctx and ctx.flow_run else "", flush=True)
        threading.Event().wait()  # until SIGKILL


@flow(name="lock holder")
def holder(kind: str, names: list[str]) -> None:
    hold(kind, names)


if __name__ == "__main__":
    locks.LEASE_SECONDS = 24 * 3600.0
    locks.BEAT_SECONDS = float(os.environ.get("LOCK_BEAT_SECONDS", locks.BEAT_SECONDS))
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        holder(sys.argv[1], sys.argv[2:])
