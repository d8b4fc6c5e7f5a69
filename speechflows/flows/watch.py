"""The ``watch`` flow: one round over every parked wait (the ``watch`` deployment, every 5 minutes).

A flow run that waited ``park_after_minutes`` on the service and found it still working parked
itself (Suspended, see :mod:`speechflows.tasks.parking`). Each round polls every parked operation
once, through the same Speech API rate limit as every other call, and:

* emits ``speechflows.operation.succeeded`` / ``speechflows.operation.failed`` and resumes the
  run when the operation is terminal (a Failed operation resumes the run so that it fails with
  the service's reason);
* emits ``speechflows.operation.stuck`` once when the wait is past its stage's deadline (it keeps
  watching: a notification, see the README's automation);
* forgets parked waits whose run is over or gone (cancelled, deleted).

``speechflows watch`` runs one round from a terminal.
"""

from __future__ import annotations

from collections import Counter

from prefect import flow
from prefect.logging import get_run_logger
from pydantic import BaseModel, Field

from speechflows.tasks.parking import parked_waits, watch_parked


class WatchResult(BaseModel):
    """What one round did, per parked wait (``what`` → ``waiting``, ``resumed (succeeded)``...)."""

    parked: int = 0
    outcomes: dict[str, str] = Field(default_factory=dict)
    counts: dict[str, int] = Field(default_factory=dict)


@flow(name="watch", flow_run_name="watch parked waits")
def watch() -> WatchResult:
    """Poll each parked wait once; resume the runs whose operation is done."""
    waits = parked_waits()
    outcomes = {f"{w.what} ({w.flow_run_id})": watch_parked(w) for w in waits}
    counts = dict(Counter(outcomes.values()))
    get_run_logger().info("watch: %d parked waits; %s", len(waits), counts or "nothing to do")
    return WatchResult(parked=len(waits), outcomes=outcomes, counts=counts)


__all__ = ["WatchResult", "watch"]
