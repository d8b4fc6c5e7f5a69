"""A run waiting on a lock says who holds it, and a dead holder's lock is released at once.

A child process takes a lock in a flow run and holds it (its lease is a day long, so only the
waiter's check can free it within the test). The test then stages data under the same prefix
(``stage_data``, which takes the stage lock ``container/prefix`` like every onboarding):

* while the holder lives, the staging waits and logs who holds the lock: the holder's flow run
  id and since when; once the holder is SIGKILLed (its flow run still reads *Running* on the
  server: nothing marks it Crashed), the waiter sees its process is gone, releases its slot and
  stages (issue 26: a SIGKILL during staging blocked the re-run for the 300 s lease, silently);
* a holder whose flow run is *Crashed* (as a worker or the zombie automation marks it) is
  released at once even though its process lives;
* a holder on "another machine" (its own pid and UTS namespaces: another host name, pids this
  process cannot see) killed with SIGKILL while its flow run still reads *Running*: neither its
  state nor a pid check can tell, its heartbeat stopping does. While it lives and beats, the
  waiter keeps waiting past the silence limit; once it is killed, the waiter frees the slot after
  that limit — not after the lease (a day here).

Log lines are read from the run loggers (the same records Prefect ships to the UI); the slot
is read with Prefect's own client.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from prefect import flow

from speechflows.datasets.manifest import build_manifest
from speechflows.tasks.data import stage_data
from speechflows.tasks.outcomes import StageOutcome

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]


class Lines:
    """The run log lines on the Prefect server (what the UI shows) since the test began."""

    def __init__(self) -> None:
        from datetime import UTC, datetime

        self.since = datetime.now(UTC)

    def read(self) -> list[str]:
        from prefect import get_client
        from prefect.client.schemas.filters import LogFilter, LogFilterTimestamp

        messages: list[str] = []
        with get_client(sync_client=True) as client:
            while True:
                page = client.read_logs(
                    log_filter=LogFilter(timestamp=LogFilterTimestamp(after_=self.since)),
                    limit=200,
                    offset=len(messages),
                )
                messages.extend(log.message for log in page)
                if len(page) < 200:
                    return messages

    def wait_for(self, *parts: str, failed: Future[Any]) -> str:
        """The first line holding every part; waits (the handler ships logs in batches) until
        one does, failing if the run ``failed`` watches ends first."""
        from prefect.logging.handlers import APILogHandler

        while True:
            APILogHandler().flush()
            line = next((m for m in self.read() if all(p in m for p in parts)), None)
            if line is not None:
                return line
            assert not failed.done(), f"the staging ended first: {failed.result()!r}"


@pytest.fixture
def lines() -> Lines:
    return Lines()


OTHER_HOST = "lock-holder-elsewhere"


@contextmanager
def holder(
    kind: str, *names: str, elsewhere: bool = False, beat_seconds: float | None = None
) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A child process holding the lock; yields it and its flow run id once it holds.

    ``elsewhere``: the child runs in its own pid and UTS namespaces (host name
    :data:`OTHER_HOST`, /proc of its own), as on another machine; killing the process group
    kills it.
    """
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    if beat_seconds is not None:
        env["LOCK_BEAT_SECONDS"] = str(beat_seconds)
    argv = [sys.executable, str(Path(__file__).with_name("lock_holder_child.py")), kind, *names]
    if elsewhere:
        script = f"hostname {OTHER_HOST} && exec " + " ".join(shlex.quote(a) for a in argv)
        argv = ["unshare", "--uts", "--pid", "--fork", "--kill-child", "--mount-proc"]
        argv += ["sh", "-c", script]
    child = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert child.stdout is not None
        for line in child.stdout:  # ends only if the child dies first
            if line.startswith("HELD "):
                yield child, line.split()[1]
                break
        else:
            pytest.fail(f"the lock holder exited ({child.wait()}) before taking the lock")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)


@flow(name="stage behind a held lock")
def _stage(data: str, prefix: str, container: str) -> StageOutcome:
    manifest = build_manifest(Path(data))
    return stage_data(manifest, manifest_hash=manifest.hash, prefix=prefix, container=container)


@dataclass(frozen=True)
class Staging:
    """Sample data to stage under ``container``/``prefix``: what takes the stage lock."""

    data: Path
    container: str
    prefix: str

    @property
    def lock(self) -> tuple[str, str, str]:
        """The stage lock's kind and names."""
        return ("stage", self.container, self.prefix)

    def stage(self) -> StageOutcome:
        return _stage(str(self.data), self.prefix + "/", self.container)


def _staging(flow_env: dict[str, str], tmp_path: Path, name: str) -> Staging:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
    return Staging(data, flow_env["SPEECHFLOWS_STORAGE_CONTAINER"], f"lock-holders/{name}")


@contextmanager
def held(
    staging: Staging, **holder_kw: Any
) -> Iterator[tuple[ThreadPoolExecutor, subprocess.Popen[str], str]]:
    """A pool to stage from while a :func:`holder` holds the stage lock; yields the pool, the
    holder and its flow run id. On exit the holder is killed, then the limit dropped (a waiter
    that could not free it then takes a fresh one), then the pool waits for the staging: a
    failure cannot hang."""
    with (
        ThreadPoolExecutor(1) as pool,
        dropped_after(*staging.lock),
        holder(*staging.lock, **holder_kw) as (child, holder_run),
    ):
        yield pool, child, holder_run


@contextmanager
def dropped_after(kind: str, *names: str) -> Iterator[None]:
    """Delete the lock's limit on exit (test cleanup only)."""
    from prefect import get_client

    from speechflows.tasks.locks import lock_name

    try:
        yield
    finally:
        with get_client(sync_client=True) as client:
            client.delete_global_concurrency_limit_by_name(lock_name(kind, *names))


def _active_slots(kind: str, *names: str) -> int:
    from prefect import get_client

    from speechflows.tasks.locks import lock_name

    with get_client(sync_client=True) as client:
        return client.read_global_concurrency_limit_by_name(lock_name(kind, *names)).active_slots


def test_a_waiter_names_the_holder_and_takes_the_lock_once_the_holder_is_sigkilled(
    flow_env: dict[str, str], tmp_path: Path, lines: Lines
) -> None:
    target = _staging(flow_env, tmp_path, "killed")
    with held(target) as (pool, child, holder_run):
        assert _active_slots(*target.lock) == 1
        staging = pool.submit(target.stage)
        waiting = lines.wait_for("waiting for lock stage", holder_run, "since", failed=staging)
        assert f"held by flow run {holder_run} (" in waiting and ", Running) since " in waiting
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        outcome = staging.result()
        assert _active_slots(*target.lock) == 0  # released after the staging
    assert outcome.uploaded_files == outcome.files > 0
    released = lines.wait_for("was held by flow run", holder_run, failed=Future())
    assert "process (pid" in released and "is dead" in released, released


def test_a_lock_held_by_a_crashed_flow_run_is_released_at_once(
    flow_env: dict[str, str], tmp_path: Path, lines: Lines
) -> None:
    from uuid import UUID

    from prefect import get_client
    from prefect.states import Crashed

    target = _staging(flow_env, tmp_path, "crashed")
    with held(target) as (pool, child, holder_run):
        # What a worker (or the zombie automation) does when it loses the run's process; here
        # the process lives on, so only the flow run's state can free the lock.
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(UUID(holder_run), Crashed(message="test"), force=True)
        outcome = pool.submit(target.stage).result()
        assert child.poll() is None  # the holder still lives: its state freed the lock
    assert outcome.uploaded_files == outcome.files > 0
    released = lines.wait_for("was held by flow run", holder_run, failed=Future())
    assert "its flow run is Crashed" in released, released


@pytest.mark.parametrize(
    ("end", "why"),
    [("cancelled", "its flow run is Cancelled"), ("deleted", "its flow run no longer exists")],
)
def test_a_lock_held_by_a_cancelled_or_deleted_flow_run_is_released_at_once(
    flow_env: dict[str, str], tmp_path: Path, lines: Lines, end: str, why: str
) -> None:
    """Issue 26: a run Cancelled in the UI, or deleted, frees its lock at once — not at the end
    of its lease (a day here), though its process lives on and keeps beating."""
    from uuid import UUID

    from prefect import get_client
    from prefect.states import Cancelled

    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
    container = flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
    prefix = f"lock-holders/{end}"
    with (
        ThreadPoolExecutor(1) as pool,
        dropped_after("stage", container, prefix),
        holder("stage", container, prefix) as (child, holder_run),
    ):
        assert _active_slots("stage", container, prefix) == 1
        with get_client(sync_client=True) as client:
            if end == "cancelled":
                client.set_flow_run_state(UUID(holder_run), Cancelled(message="test"), force=True)
                assert _flow_run_state(holder_run) == "Cancelled"
            else:
                client.delete_flow_run(UUID(holder_run))
        outcome = pool.submit(_stage, str(data), prefix + "/", container).result()
        assert child.poll() is None  # the holder still lives: the state of its run freed it
        assert _active_slots("stage", container, prefix) == 0  # released after the staging
    assert outcome.uploaded_files == outcome.files > 0
    # The waiter said whose lock it freed (the holder's flow run id, since when) and why.
    released = lines.wait_for("was held by flow run", holder_run, failed=Future())
    assert why in released and " since " in released, released


def _record(kind: str, *names: str) -> dict[str, Any]:
    from prefect import get_client

    from speechflows.tasks.locks import holder_variable, lock_name

    with get_client(sync_client=True) as client:
        var = client.read_variable_by_name(holder_variable(lock_name(kind, *names)))
    assert var is not None
    return dict(var.value)  # type: ignore[arg-type]


def _flow_run_state(flow_run_id: str) -> str | None:
    from uuid import UUID

    from prefect import get_client

    with get_client(sync_client=True) as client:
        state = client.read_flow_run(UUID(flow_run_id)).state
    return state.name if state is not None else None


def test_a_holder_killed_on_another_machine_frees_the_lock_once_its_heartbeat_stops(
    flow_env: dict[str, str], tmp_path: Path, lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    from speechflows.tasks import locks

    # Shorter than the product's 5 s beat / 30 s silence, same rule: the waiter takes a holder
    # for dead after 6 s without a beat; the holder beats every second.
    monkeypatch.setattr(locks, "SILENT_SECONDS", 6.0)
    target = _staging(flow_env, tmp_path, "elsewhere")
    with held(target, elsewhere=True, beat_seconds=1.0) as (pool, child, run):
        record = _record(*target.lock)
        # Another machine as far as pids go: its pid check cannot see the holder.
        assert record["machine"].startswith(OTHER_HOST + "|"), record
        assert record["machine"] != locks.machine_id()
        staging = pool.submit(target.stage)
        lines.wait_for("waiting for lock stage", run, failed=staging)
        # A live holder keeps beating: twice the silence limit later the waiter still waits.
        first = _record(*target.lock)["beat"]
        while _record(*target.lock)["beat"] < first + 2 * locks.SILENT_SECONDS:
            assert not staging.done(), staging.result()
            time.sleep(0.5)  # polling the holder's heartbeat counter (a condition)
        assert not staging.done(), staging.result()
        os.killpg(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
        outcome = staging.result()
        # Nothing marked the holder's run: it still reads Running, and its lease runs a day.
        assert _flow_run_state(run) == "Running"
        assert _active_slots(*target.lock) == 0
    assert outcome.uploaded_files == outcome.files > 0
    released = lines.wait_for("was held by flow run", run, failed=Future())
    assert "its heartbeat stopped" in released, released
    # The staging run took the lock after it: the record names it now.
    assert _record(*target.lock)["flow_run_id"] not in (None, run)


def test_a_slot_taken_with_no_lease_and_no_holder_on_record_is_freed_by_name(
    flow_env: dict[str, str], tmp_path: Path, lines: Lines, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a SIGKILLed Prefect server leaves when the answer to an increment was lost: the
    slot counted in its database, no lease (leases live in the server's memory), no record.
    (Found by benchmarks/chaos.py: the run waited on its own lost increment for good.)"""
    from prefect import get_client

    from speechflows.tasks import locks

    monkeypatch.setattr(locks, "ORPHAN_AFTER_SECONDS", 4.0)
    target = _staging(flow_env, tmp_path, "orphan")
    name = locks.lock_name(*target.lock)
    locks._ensure_limit(name)
    with dropped_after(*target.lock):
        with get_client(sync_client=True) as client:  # a slot without a lease
            client.increment_concurrency_slots(names=[name], slots=1, mode="concurrency")
        assert _active_slots(*target.lock) == 1
        outcome = target.stage()
        assert _active_slots(*target.lock) == 0
    assert outcome.uploaded_files == outcome.files > 0
    freed = lines.wait_for("with no holder on record", "freeing the slot by name", failed=Future())
    assert "stage " + target.container in freed, freed
