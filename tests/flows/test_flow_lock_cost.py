"""A per-name lock, reused by consecutive tasks, holds its one slot on the Prefect server.

On the embedded SQLite server the slot increment is refused with a 503 ("database is locked")
whenever the server commits another write between the increment's read and write; Prefect's
client waits ~2 s before its retry, which made every lock after the first cost ~2 s on an
unchanged re-run (benchmarks/README.md, onboarding). Six consecutive tasks each take a reused
lock, as the re-run's tasks do; while held, the limit must show its one slot taken (read with
Prefect's own client, not ours), and released, none. What a lock costs is measured in
benchmarks/locks.py (a figure, not an assertion here).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_reused_locks_in_consecutive_tasks_hold_their_slot_and_release_it(
    prefect_server: None,
) -> None:
    from prefect import flow, get_client, task

    from speechflows.tasks.locks import lock_name, resource_lock

    @task
    def one(i: int) -> tuple[int, int]:
        name = lock_name("lock-cost", f"item-{i % 2}")
        with get_client(sync_client=True) as client:
            with resource_lock("lock-cost", f"item-{i % 2}"):
                held = client.read_global_concurrency_limit_by_name(name).active_slots
            released = client.read_global_concurrency_limit_by_name(name).active_slots
        return held, released

    @flow
    def six() -> list[tuple[int, int]]:
        return [one(i) for i in range(6)]

    assert six() == [(1, 0)] * 6
