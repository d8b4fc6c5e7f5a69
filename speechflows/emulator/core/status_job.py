"""The base of both APIs' job handlers: a resource that goes Running for one step, then ends."""

from __future__ import annotations

from typing import Any

from speechflows.emulator.core.context import Context
from speechflows.emulator.core.store import Job


class StatusJob:
    """Base of the job handlers of both APIs: ready at once, ``running_status`` for one step, no work.

    Subclasses say how the resource ends (``finish``, ``fail``) in their API's shape.
    """

    running_status = "Running"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def ready(self, job: Job) -> bool:
        return True

    def running_seconds(self, job: Job) -> float:
        return self.ctx.config.step_seconds

    def start(self, job: Job) -> None:
        self._set(job, self.running_status)

    def run(self, job: Job) -> dict[str, Any]:
        return {"ok": True}

    def _set(self, job: Job, status: str, **changes: Any) -> None:
        raise NotImplementedError  # pragma: no cover - every API's handlers define it
