"""Waiting on the service from a task: the deadline and intervals, a live progress artifact, parking.

The client's poller does the work (Retry-After, backoff, deadline); this module binds it to a
progress artifact (elapsed time against the stage deadline, with the last status) and to the run
log: a line at the first poll, on every change of status, and at least every minute (status,
time waited, deadline), so a long wait always says what it waits for.

A wait may *park*: with ``park_after_seconds`` set (only when the flow run can be suspended, see
:mod:`speechflows.tasks.parking`), the task polls in process for at most that long, then raises
:class:`StillRunning` with the poller's JSON continuation state instead of holding its worker for
hours. The flow catches it and suspends; the ``watch`` flow resumes it when the service is done.

>>> w = WaitOptions.of(60, 1, 30, park_after_minutes=10)
>>> (w.in_process_seconds, w.parks, w.in_process().parks)
(600.0, True, False)
>>> WaitOptions.of(5, 1, 30, park_after_minutes=10).parks      # the deadline comes first
False
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger

from speechflows.speech.errors import PollingTimeoutError
from speechflows.speech.polling import PROGRESS_EVERY_SECONDS, ContinuationState
from speechflows.tasks.artifacts import LiveProgress


@dataclass(frozen=True)
class WaitOptions:
    """Deadline and polling intervals of one wait, and when it parks (``None``: never)."""

    deadline_seconds: float
    min_interval: float
    max_interval: float
    park_after_seconds: float | None = None

    @classmethod
    def of(
        cls,
        minutes: float,
        poll_min: float,
        poll_max: float,
        *,
        park_after_minutes: float | None = None,
    ) -> WaitOptions:
        return cls(
            deadline_seconds=minutes * 60.0,
            min_interval=poll_min,
            max_interval=poll_max,
            park_after_seconds=None if park_after_minutes is None else park_after_minutes * 60.0,
        )

    @property
    def parks(self) -> bool:
        """True when the wait parks before its deadline would end it."""
        return (
            self.park_after_seconds is not None and self.park_after_seconds < self.deadline_seconds
        )

    @property
    def in_process_seconds(self) -> float:
        """How long this process polls: until parking, else until the deadline."""
        return (
            self.park_after_seconds
            if self.parks and self.park_after_seconds is not None
            else (self.deadline_seconds)
        )

    def in_process(self) -> WaitOptions:
        """The same wait, never parking (a run that cannot be suspended waits in process)."""
        return replace(self, park_after_seconds=None)


class StillRunning(Exception):
    """The operation is still running after ``park_after``: the flow run should park.

    Attributes:
        continuation: the poller's JSON continuation state (service URLs only, no secrets).
        what: the wait, e.g. ``model jessica-model``.
        deadline_seconds: the stage's deadline (the watcher reports ``stuck`` past it).
        waited_seconds: how long this process polled.
    """

    transient = False

    def __init__(
        self, continuation: str, what: str, deadline_seconds: float, waited_seconds: float
    ) -> None:
        self.continuation = continuation
        self.what = what
        self.deadline_seconds = deadline_seconds
        self.waited_seconds = waited_seconds
        super().__init__(continuation, what, deadline_seconds, waited_seconds)

    def __str__(self) -> str:
        return (
            f"{self.what} is still running after {self.waited_seconds:.0f} s: parking the flow run "
            f"(stage deadline {self.deadline_seconds:g} s)"
        )


@contextmanager
def parks_at(options: WaitOptions, state: ContinuationState, what: str) -> Iterator[None]:
    """Turn the poller's timeout at ``park_after`` into :class:`StillRunning` (with ``state``).

    A timeout at the stage's own deadline (no parking) is left as it is.
    """
    started = time.monotonic()
    try:
        yield
    except PollingTimeoutError:
        if not options.parks:
            raise
        begun = state.started_at if state.started_at else datetime.now(UTC)
        parked = state.model_copy(
            update={"started_at": begun, "deadline_seconds": options.deadline_seconds}
        )
        raise StillRunning(
            parked.to_json(), what, options.deadline_seconds, time.monotonic() - started
        ) from None


# A waiting task logs a line at least this often (and whenever the status changes).
LOG_EVERY_SECONDS = 60.0


def progress_line(what: str, status: str | None, elapsed: float, deadline_seconds: float) -> str:
    """One progress line of a wait: status, time waited, the deadline.

    >>> progress_line("training set ts-v1", "NotStarted", 125, 10800)
    'training set ts-v1: NotStarted, waited 2m 05s of the 180 min deadline'
    """
    minutes, seconds = divmod(int(elapsed), 60)
    return (
        f"{what}: {status or 'waiting'}, waited {minutes}m {seconds:02d}s of the "
        f"{deadline_seconds / 60:g} min deadline"
    )


def progress_callback(
    bar: LiveProgress | None,
    what: str,
    deadline_seconds: float,
    *,
    log: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Callable[..., None]:
    """A poller progress callback: the status and the share of the deadline in the artifact, and
    a log line (``log``, default: the run logger) at the first observation, on every change of
    status and at least every :data:`LOG_EVERY_SECONDS` — a wait is never silent.

    The poller calls it at least every :data:`~speechflows.speech.polling.PROGRESS_EVERY_SECONDS`
    (20 s) of its waiting, so the line is due at the last call that the next one could follow
    past the minute: while the status stays, lines come 40 to 60 s apart whatever the polling
    pace, backoff or ``Retry-After`` (plus the time of a poll that itself takes long)."""
    started = clock()
    said: dict[str, Any] = {"at": None, "status": None}

    def on_progress(*args: Any, **kwargs: Any) -> None:
        status = None
        for value in (*args, *kwargs.values()):
            status = getattr(value, "status", None) or status
            if isinstance(value, str):
                status = value
        now = clock()
        elapsed = now - started
        # The next call may come PROGRESS_EVERY_SECONDS from now: log now if that is too late.
        due = (
            said["at"] is not None and now + PROGRESS_EVERY_SECONDS > said["at"] + LOG_EVERY_SECONDS
        )
        if said["at"] is None or status != said["status"] or due:
            said.update(at=now, status=status)
            (log or _run_log)(progress_line(what, status, elapsed, deadline_seconds))
        if bar is None:
            return
        # Time is all we know of a service-side job's progress: stay below 100 % until it ends.
        share = min(0.95, elapsed / max(1.0, deadline_seconds))
        bar.update(share, f"{what}: {status or 'waiting'} after {elapsed:.0f} s")

    return on_progress


def _run_log(line: str) -> None:
    try:
        logger: Any = get_run_logger()
    except MissingContextError:
        logger = logging.getLogger("speechflows.waiting")
    logger.info(line)


__all__ = ["StillRunning", "WaitOptions", "parks_at", "progress_callback", "progress_line"]
