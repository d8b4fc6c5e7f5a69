"""The background worker: moves jobs NotStarted → Running → Succeeded | Failed.

A scheduler thread wakes every few milliseconds (or when a job is submitted), reads the active
jobs from SQLite and advances the due ones:

* NotStarted, due → Running (the resource shows Running, or Disabling for a suspend) and the
  job's work (downloads, validation) is handed to a small thread pool;
* Running with a result, after at least the job's running time → its terminal state.

Everything is in SQLite, so a restart resumes: a Running job without a result is simply worked
again from the start (the work is idempotent). Faults: ``stuck_operations`` keeps finished work
Running; ``fail_operations`` ends it Failed with reason ``Internal``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from speechflows.emulator.core.faults import Faults
from speechflows.emulator.core.store import Job, Store
from speechflows.redaction import redact_text

log = logging.getLogger(__name__)


class JobHandler(Protocol):
    """What a kind of job does. ``run`` works off-thread; the others only touch the store."""

    def ready(self, job: Job) -> bool:
        """False while the job must wait for something (e.g. its consent to finish)."""

    def running_seconds(self, job: Job) -> float:
        """Minimum time the job stays Running."""

    def start(self, job: Job) -> None:
        """The job went Running: update the resource."""

    def run(self, job: Job) -> dict[str, Any]:
        """Do the work; return the result that :meth:`finish` applies."""

    def finish(self, job: Job, result: dict[str, Any]) -> str:
        """Apply ``result`` to the resource; return the job's terminal status."""

    def fail(self, job: Job, reason: str) -> None:
        """End the resource Failed with ``reason`` (faults, crashes)."""


class Engine:
    """Runs jobs in the background of the server process."""

    def __init__(
        self,
        store: Store,
        faults: Faults,
        handlers: Mapping[str, JobHandler],
        *,
        step_seconds: float,
        workers: int = 4,
    ) -> None:
        self.store = store
        self.faults = faults
        self.handlers = handlers
        self.step_seconds = step_seconds
        self._interval = min(0.05, max(0.005, step_seconds / 4)) if step_seconds else 0.01
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="emulator-job")
        self._inflight: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="emulator-engine", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, job: Job) -> None:
        """Persist a new job (NotStarted, due after one step) and wake the scheduler."""
        job.next_at = time.time() + self.step_seconds
        self.store.put_job(job)
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # the worker must survive anything a job does
                log.exception("emulator engine tick failed")
            self._wake.wait(self._interval)
            self._wake.clear()

    def tick(self, now: float | None = None) -> None:
        """Advance every due job once."""
        now = time.time() if now is None else now
        for job in self.store.jobs(active_only=True):
            if job.next_at > now:
                continue
            handler = self.handlers.get(job.kind)
            if handler is None:
                self.store.finish_job(job, "Failed", {"error": f"unknown job kind {job.kind}"})
                continue
            if job.status == "NotStarted":
                if not handler.ready(job):
                    job.next_at = now + self._interval
                    self.store.put_job(job)
                    continue
                job.status = "Running"
                job.next_at = now + max(self.step_seconds, handler.running_seconds(job))
                self.store.put_job(job)
                handler.start(job)
                self._dispatch(job)
            elif job.result is None:
                self._dispatch(job)
            elif not self.faults.stuck:
                self._finish(job, handler)

    def _finish(self, job: Job, handler: JobHandler) -> None:
        result = job.result or {}
        if self.faults.failing:
            handler.fail(job, "Internal")
            self.store.finish_job(job, "Failed")
            return
        before = (
            self.store.get(job.api, job.coll, job.resource_id)
            if self.faults.stale(job.coll)
            else None
        )
        status = handler.finish(job, result)
        if before is not None:  # fault: the resource keeps its status, the operation moves on
            self.store.update(job.api, job.coll, job.resource_id, status=before.get("status"))
        self.store.finish_job(job, status)

    def _dispatch(self, job: Job) -> None:
        with self._lock:
            if job.id in self._inflight:
                return
            self._inflight.add(job.id)
        try:
            self._pool.submit(self._work, job.id)
        except RuntimeError:  # shutting down
            with self._lock:
                self._inflight.discard(job.id)

    def _work(self, job_id: str) -> None:
        try:
            job = self.store.get_job(job_id)
            if job is None or job.terminal:
                return
            handler = self.handlers[job.kind]
            try:
                result = handler.run(job)
            except Exception as exc:  # a crash in the work is an Internal failure, not a hang
                log.warning("job %s failed: %s", job_id, redact_text(str(exc)))
                result = {
                    "ok": False,
                    "reason": "Internal",
                    "message": redact_text(f"{type(exc).__name__}: {exc}"),
                }
            fresh = self.store.get_job(job_id)
            if fresh is None or fresh.terminal:
                return
            fresh.result = result
            report = result.get("report")
            if isinstance(report, dict):
                fresh.report = report
            self.store.put_job(fresh)
        finally:
            with self._lock:
                self._inflight.discard(job_id)
            self._wake.set()
