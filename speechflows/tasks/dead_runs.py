"""Flow runs whose process died on this machine: marked Crashed by the next run, at once.

A ``speechflows onboard`` run killed with SIGKILL (or by the OOM killer) cannot report its end:
its flow run reads *Running* on the Prefect server until the zombie automation (``speechflows
setup``: no heartbeat for 10 minutes) marks it Crashed. The CLI tags every run with its process
(:func:`process_tag`: machine, pid, process start time), and before a run starts,
:func:`crash_dead_runs` marks Crashed every Running or Pending run of the same flow whose tag
names this machine and a process that is gone (or a pid that another process now has). Runs of
other machines are left to the zombie automation; a run whose process lives is never touched.

Example:
    >>> tag = process_tag()
    >>> tag.startswith(TAG_PREFIX) and tag.count(":") == 3
    True
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass

import httpx
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.states import Crashed

from speechflows.tasks.locks import machine_id, process_start

TAG_PREFIX = "speechflows-process:"
_log = logging.getLogger(__name__)


def _machine_hash() -> str:
    return hashlib.sha256(machine_id().encode()).hexdigest()[:12]


def process_tag() -> str:
    """The tag naming this process: ``speechflows-process:<machine>:<pid>:<start time>``."""
    pid = os.getpid()
    return f"{TAG_PREFIX}{_machine_hash()}:{pid}:{process_start(pid) or ''}"


@dataclass(frozen=True)
class TaggedProcess:
    machine: str
    pid: int
    start: str

    @classmethod
    def parse(cls, tag: str) -> TaggedProcess | None:
        if not tag.startswith(TAG_PREFIX):
            return None
        parts = tag.removeprefix(TAG_PREFIX).split(":")
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])

    def dead_here(self) -> bool:
        """True when the process ran on this machine and is gone (or its pid is reused)."""
        if self.machine != _machine_hash() or self.pid == os.getpid():
            return False
        start = process_start(self.pid)
        return start is None or bool(start and self.start and start != self.start)


def crash_dead_runs(flow_name: str) -> list[str]:
    """Mark Crashed the Running/Pending runs of ``flow_name`` whose process died on this machine;
    their ids. Best effort: a server that cannot be read leaves them as they are."""
    crashed: list[str] = []
    try:
        with get_client(sync_client=True) as client:
            runs = client.read_flow_runs(
                flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
                flow_run_filter=FlowRunFilter(
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])
                    )
                ),
                limit=200,
            )
            for run in runs:
                tagged = next(
                    (p for p in map(TaggedProcess.parse, run.tags or []) if p is not None), None
                )
                if tagged is None or not tagged.dead_here():
                    continue
                client.set_flow_run_state(
                    run.id,
                    Crashed(
                        message=f"its process (pid {tagged.pid} on this machine) died without "
                        "reporting an end (killed); marked by the next run of this onboarding"
                    ),
                    force=True,
                )
                _log.warning(
                    "flow run %s (%r) was left Running by a process that died (pid %d): marked "
                    "Crashed",
                    run.id,
                    run.name,
                    tagged.pid,
                )
                crashed.append(str(run.id))
    except httpx.HTTPError as exc:
        _log.warning("could not look for runs left Running by a dead process: %s", exc)
    return crashed


__all__ = ["TAG_PREFIX", "TaggedProcess", "crash_dead_runs", "process_tag"]
