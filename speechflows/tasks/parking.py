"""Park a flow run on a long wait, and the watcher's side: poll once, emit, resume.

A waiting step (:func:`wait_or_park`) polls in process for ``park_after_minutes``; when the
service is still working, the flow run *suspends* (Prefect's ``suspend_flow_run``: the worker
process exits, the run shows *Suspended*). What it needs to resume is a :class:`ParkedWait`, kept
in a Prefect Variable named ``speechflows-parked-…`` (on the server, so any worker and the watcher
read it; never a key or a SAS: the continuation state holds service URLs only).

The ``watch`` flow (:mod:`speechflows.flows.watch`) reads every parked wait, polls its operation
once through the Speech API rate limit (:func:`poll_parked`), and when it is terminal records the
outcome and resumes the run (:func:`resume_parked`). The resumed run starts again from the top:
the content-cached tasks return what they made, the waiting step finds its outcome and either
re-attaches (Succeeded; one GET) or fails with the service's reason (Failed). Nothing is created
or uploaded twice.

A run that cannot be suspended (not started from a deployment, e.g. ``speechflows onboard`` in a
terminal) keeps waiting in process and says so in its log.

>>> ParkedWait.variable_for("6a3c…", "model jessica")[:19]
'speechflows-parked-'
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, NoReturn, TypeVar

from prefect import get_client, task
from prefect.context import FlowRunContext
from prefect.exceptions import NotPausedError
from prefect.flow_runs import resume_flow_run, suspend_flow_run
from prefect.logging import get_run_logger
from prefect.settings import PREFECT_UI_URL
from pydantic import BaseModel, Field

from speechflows.redaction import redact_text
from speechflows.speech.errors import PollingTimeoutError, ResourceFailedError
from speechflows.speech.polling import ContinuationState, resume
from speechflows.tasks import continuation, events
from speechflows.tasks.custom_speech import speech_client
from speechflows.tasks.voice_common import status_of, voice_client
from speechflows.tasks.waiting import StillRunning, WaitOptions

T = TypeVar("T")
_log = logging.getLogger(__name__)

NAMESPACE = "parked"
VARIABLE_PREFIX = f"speechflows-{NAMESPACE}-"
TAG = "parked"

Outcome = Literal["succeeded", "failed"]
_KINDS = {
    "trainingsets": "training set",
    "models": "model",
    "datasets": "dataset",
    "evaluations": "evaluation",
    "endpoints": "endpoint",
    "consents": "consent",
    "personalvoices": "personal voice",
}


class ParkedWait(BaseModel):
    """What a parked flow run needs to resume, and what the watcher learnt (a Variable, JSON)."""

    flow_run_id: str
    key: str = Field(description="The waiting step in its flow run, e.g. 'model jessica'")
    what: str
    continuation: str = Field(description="The poller's JSON ContinuationState (no secrets)")
    started_at: datetime = Field(
        description="When the wait began; the stage deadline counts from it"
    )
    deadline_seconds: float
    parked_at: datetime
    polls: int = 0
    stuck_reported: bool = False
    outcome: Outcome | None = None
    code: str | None = None
    reason: str | None = None

    @staticmethod
    def variable_for(flow_run_id: str, key: str) -> str:
        return continuation.variable_name(flow_run_id, key, namespace=NAMESPACE)

    @property
    def variable(self) -> str:
        return self.variable_for(self.flow_run_id, self.key)

    @property
    def state(self) -> ContinuationState:
        return ContinuationState.from_json(self.continuation)

    def overdue(self, now: datetime) -> bool:
        """Past the stage's deadline (the watcher emits ``stuck``)."""
        return now - self.started_at > timedelta(seconds=self.deadline_seconds)

    def save(self) -> None:
        continuation.save(self.variable, self.model_dump_json(), tag=TAG)


def load_parked(flow_run_id: str, key: str) -> ParkedWait | None:
    """This run's parked wait at ``key``, if it parked there before."""
    raw = continuation.load(ParkedWait.variable_for(flow_run_id, key))
    return ParkedWait.model_validate_json(raw) if raw else None


def raise_if_resumed_failed() -> None:
    """A run resumed after the watcher found its parked wait Failed ends here, with the
    service's reason, before any step runs again: the steps before the wait would otherwise
    see the failed resource and start a new attempt in the run that is reporting the failure
    (a plain re-run is what makes the new attempt).

    Raises:
        ResourceFailedError: this run's parked wait failed (its record is removed first).
    """
    run_id, suspendable = _current_run()
    if run_id is None or not suspendable:
        return  # only a deployment run parks, so only it can have a recorded failure
    for wait in parked_waits(prefix=f"{VARIABLE_PREFIX}{run_id}-"):
        if wait.outcome == "failed":
            _raise_failed(wait)


def _raise_failed(wait: ParkedWait) -> NoReturn:
    """Forget the parked wait the watcher found Failed and raise the service's reason."""
    continuation.forget(wait.variable)
    state = wait.state
    kind = _KINDS.get(state.resource_kind, state.resource_kind)
    raise ResourceFailedError(kind, state.resource_id, wait.code, wait.reason)


def parked_waits(limit: int = 200, *, prefix: str = VARIABLE_PREFIX) -> list[ParkedWait]:
    """Every parked wait on the server (oldest first); ``prefix`` narrows to one run's."""
    with get_client(sync_client=True) as client:
        response = client.request(
            "POST",
            "/variables/filter",
            json={
                "variables": {"name": {"like_": f"{prefix}%"}},
                "limit": limit,
            },
        )
        response.raise_for_status()
    found = []
    for item in response.json():
        value = item.get("value")
        if not isinstance(value, str):
            continue
        try:
            found.append(ParkedWait.model_validate_json(value))
        except ValueError:
            _log.warning("ignoring unreadable parked wait %s", item.get("name"))
    return sorted(found, key=lambda w: w.parked_at)


def _current_run() -> tuple[str | None, bool]:
    """(flow run id, whether it came from a deployment and so can be suspended)."""
    ctx = FlowRunContext.get()
    if ctx is None or ctx.flow_run is None:
        return None, False
    return str(ctx.flow_run.id), ctx.flow_run.deployment_id is not None


def wait_or_park(step: Callable[[WaitOptions], T], wait: WaitOptions, *, key: str) -> T:
    """Run the waiting ``step`` (a task call taking the wait options); park the run if it must.

    ``wait.park_after_seconds`` is honoured only when this flow run can be suspended; otherwise
    the step waits in process up to the stage deadline (and the log says so).

    Raises:
        ResourceFailedError: the watcher found the operation Failed (the service's reason).
        Pause: the run suspends (Prefect handles it: the process exits, the run is Suspended).
    """
    log = get_run_logger()
    run_id, suspendable = _current_run()
    parked = load_parked(run_id, key) if run_id else None
    if parked is not None and parked.outcome == "failed":
        _raise_failed(parked)
    if not wait.parks:
        return _done(step(wait), parked)
    if not suspendable:
        log.info(
            "%s: this flow run was not started from a deployment, so it cannot be suspended; "
            "waiting in process (up to the stage deadline, %.0f min)",
            key,
            wait.deadline_seconds / 60,
        )
        return _done(step(wait.in_process()), parked)
    try:
        return _done(step(wait), parked)
    except StillRunning as still:
        assert run_id is not None
        _park(run_id, key, still, parked)
        log.warning("%s: the run was not suspended; waiting in process", key)
        return _done(step(wait.in_process()), parked)


def _done(result: T, parked: ParkedWait | None) -> T:
    if parked is not None:
        continuation.forget(parked.variable)
    return result


def _park(run_id: str, key: str, still: StillRunning, before: ParkedWait | None) -> None:
    """Save the parked wait and suspend the run (raises Prefect's Pause when suspended)."""
    log = get_run_logger()
    state = ContinuationState.from_json(still.continuation)
    record = ParkedWait(
        flow_run_id=run_id,
        key=key,
        what=still.what,
        continuation=still.continuation,
        # a re-park keeps the first start: the stage deadline counts from there
        started_at=before.started_at if before else state.started_at,
        deadline_seconds=still.deadline_seconds,
        parked_at=datetime.now(UTC),
        stuck_reported=before.stuck_reported if before else False,
    )
    record.save()
    log.info(
        "%s is still running after %.0f s: parking this flow run (Suspended; the worker is "
        "free). The watch deployment resumes it when the service is done",
        still.what,
        still.waited_seconds,
    )
    try:
        # A fresh key each time: a resumed run that must park again is suspended again.
        suspend_flow_run(key=f"park-{uuid.uuid4().hex}", timeout=None)
    except RuntimeError as exc:  # e.g. the server refused: keep waiting here
        log.warning("could not suspend the flow run: %s", redact_text(str(exc)))
        continuation.forget(record.variable)


# -- the watcher's side ---------------------------------------------------------------------------


class PollResult(BaseModel):
    """One poll of a parked wait."""

    status: str | None = None
    outcome: Outcome | None = None
    code: str | None = None
    reason: str | None = None


@task(name="Poll parked wait", task_run_name="poll {parked.what}", retries=0)
def poll_parked(parked: ParkedWait) -> PollResult:
    """Ask the service once (through the Speech API rate limit) how the parked wait is doing."""
    state = parked.state.model_copy(update={"started_at": datetime.now(UTC), "deadline_seconds": 0})
    try:
        if state.api == "speechtotext":
            with speech_client() as cs:
                item: Any = resume(state, cs, min_interval=0, max_interval=0)
        else:
            with voice_client() as cv:
                item = resume(state, cv, min_interval=0, max_interval=0)
    except PollingTimeoutError as exc:  # not terminal yet (or the service did not answer)
        return PollResult(status=exc.last_status)
    except ResourceFailedError as exc:
        return PollResult(status="Failed", outcome="failed", code=exc.code, reason=exc.reason)
    return PollResult(status=status_of(item), outcome="succeeded")


def _emit(name: str, parked: ParkedWait, **payload: Any) -> None:
    state = parked.state
    events.emit(
        f"operation.{name}",
        kind=state.resource_kind,
        rid=state.resource_id,
        payload={
            "what": parked.what,
            "flow_run_id": parked.flow_run_id,
            "resource_kind": state.resource_kind,
            "started_at": parked.started_at.isoformat(),
            "deadline_seconds": parked.deadline_seconds,
            **payload,
        },
        related=[("flow run", parked.flow_run_id)],
    )


def run_state(flow_run_id: str) -> str | None:
    """The flow run's state type (``PAUSED``, ``COMPLETED``...), or None when it is gone."""
    with get_client(sync_client=True) as client:
        try:
            run = client.read_flow_run(uuid.UUID(flow_run_id))
        except Exception:
            return None
    return run.state.type.value if run.state else None


@task(name="Watch parked wait", task_run_name="watch {parked.what}", retries=0)
def watch_parked(parked: ParkedWait) -> str:
    """One round for one parked wait: poll, emit, resume when terminal. Returns what happened."""
    log = get_run_logger()
    state_type = run_state(parked.flow_run_id)
    if state_type is None or state_type in {"COMPLETED", "FAILED", "CANCELLED", "CRASHED"}:
        continuation.forget(parked.variable)  # the run is gone or over: nothing to resume
        return "forgotten"
    if state_type != "PAUSED":
        return "running"  # resumed already; the run forgets the record when it passes the wait
    if parked.outcome is None:
        result = poll_parked(parked)
        now = datetime.now(UTC)
        parked = parked.model_copy(update={"polls": parked.polls + 1})
        if result.outcome is None:
            if parked.overdue(now) and not parked.stuck_reported:
                _emit("stuck", parked, status=result.status)
                log.warning("%s is past its stage deadline (still %s)", parked.what, result.status)
                parked = parked.model_copy(update={"stuck_reported": True})
            parked.save()
            return "waiting"
        parked = parked.model_copy(
            update={"outcome": result.outcome, "code": result.code, "reason": result.reason}
        )
        parked.save()
        _emit(result.outcome, parked, status=result.status, code=result.code, reason=result.reason)
    try:
        resume_flow_run(uuid.UUID(parked.flow_run_id))
    except NotPausedError:  # another watcher (the schedule, a CLI round) was first
        return "running"
    log.info("%s %s: resumed flow run %s", parked.what, parked.outcome, parked.flow_run_id)
    return f"resumed ({parked.outcome})"


def parked_runs_markdown() -> list[str]:
    """Markdown lines listing the parked runs with a link to each in the UI (for reports)."""
    try:
        waits = parked_waits()
    except Exception as exc:  # a report section, never a reason to fail the report
        return ["", "## Parked runs", "", f"could not list: {redact_text(str(exc))}"]
    if not waits:
        return ["", "## Parked runs", "", "none"]
    ui = (PREFECT_UI_URL.value() or "").rstrip("/")
    lines = [
        "",
        "## Parked runs",
        "",
        "| wait | flow run | parked since | status |",
        "|---|---|---|---|",
    ]
    now = datetime.now(UTC)
    for w in waits:
        link = f"[{w.flow_run_id}]({ui}/runs/flow-run/{w.flow_run_id})" if ui else w.flow_run_id
        status = w.outcome or ("past its deadline" if w.overdue(now) else "waiting")
        lines.append(f"| {w.what} | {link} | {w.parked_at:%Y-%m-%d %H:%M} UTC | {status} |")
    return lines


__all__ = [
    "ParkedWait",
    "PollResult",
    "load_parked",
    "parked_runs_markdown",
    "parked_waits",
    "poll_parked",
    "raise_if_resumed_failed",
    "run_state",
    "wait_or_park",
    "watch_parked",
]
