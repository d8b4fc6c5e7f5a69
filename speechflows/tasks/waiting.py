"""Waiting on the service from a task: the deadline and intervals, and a live progress artifact.

The client's poller does the work (Retry-After, backoff, deadline); this module binds it to a
progress artifact (elapsed time against the stage deadline, with the last status).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from speechflows.tasks.artifacts import LiveProgress


@dataclass(frozen=True)
class WaitOptions:
    """Deadline and polling intervals of one wait."""

    deadline_seconds: float
    min_interval: float
    max_interval: float

    @classmethod
    def of(cls, minutes: float, poll_min: float, poll_max: float) -> WaitOptions:
        return cls(deadline_seconds=minutes * 60.0, min_interval=poll_min, max_interval=poll_max)


def progress_callback(
    bar: LiveProgress | None, what: str, deadline_seconds: float
) -> Callable[..., None]:
    """A poller progress callback that shows the status and the share of the deadline used."""
    started = time.monotonic()

    def on_progress(*args: Any, **kwargs: Any) -> None:
        if bar is None:
            return
        status = None
        for value in (*args, *kwargs.values()):
            status = getattr(value, "status", None) or status
            if isinstance(value, str):
                status = value
        elapsed = time.monotonic() - started
        # Time is all we know of a service-side job's progress: stay below 100 % until it ends.
        share = min(0.95, elapsed / max(1.0, deadline_seconds))
        bar.update(share, f"{what}: {status or 'waiting'} after {elapsed:.0f} s")

    return on_progress


__all__ = ["WaitOptions", "progress_callback"]
