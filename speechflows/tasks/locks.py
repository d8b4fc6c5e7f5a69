"""Per-name locks held on the Prefect server, so concurrent runs create each resource once.

A get-or-create of a named resource (a Custom Voice project, consent, training set, ``:upload``,
personal voice, model, endpoint; a Speech to text project, dataset, model, evaluation, endpoint;
a staged prefix; a drop location's sync) is check-then-act: two runs that both look before either
creates would both create. :func:`resource_lock` serializes them across processes and workers with
a Prefect global concurrency limit of **1 slot** named after the resource
(``speechflows-lock-<kind>-<hash of kind and names>``); the task does its lookup *inside* the lock,
so the second run finds what the first created (or the operation it started) and re-attaches to
it. The limit is created on first use (Prefect 3.9 no longer creates limits on demand) and the
slot is held under a lease that Prefect's renewal thread renews while the holder lives.

**Who holds it.** Right after taking the slot, the holder records itself in a Prefect Variable
named after the lock (``speechflows-lockholder-<kind>-<hash>``): its lease id, flow run and task
run ids, since when, its process (host identity, pid, process start time) and a heartbeat
counter. While it holds, a thread of the holder renews the lease and bumps the counter every
:data:`BEAT_SECONDS`. A run that finds the slot taken logs who holds it (flow run id and name,
since when) when it starts waiting and at least every :data:`LOG_EVERY_SECONDS` after, and checks
the holder every :data:`CHECK_EVERY_SECONDS`. The holder is **gone** when

* its flow run is in a final state (Crashed, Cancelled, Failed, Completed) or no longer exists;
* it ran on this machine (same boot and pid namespace) and its process is dead (a SIGKILLed CLI
  run stays *Running* on the server until the zombie automation marks it Crashed);
* its heartbeat stopped: the waiter has seen the same counter for :data:`SILENT_SECONDS` on its
  own clock (no clock of another machine is compared). This is what frees a lock whose holder
  was killed on another machine while its flow run still reads Running — seconds, not the lease.

A gone holder's lease is released at once: the waiter first marks the record released (by whom,
why), then ``decrement-with-lease`` with its lease id (releasing a lease that is already over is
a no-op, so a stale record never frees someone else's slot).

**Safety of the heartbeat rule.** A holder that is alive but silent for :data:`SILENT_SECONDS`
(paused, cut off from the Prefect server) loses its lease: its next renewal is refused (``410``)
and the holder's block is interrupted with :class:`LockError` — it stops before its next step
rather than acting beside the run that took over. The window left is the one every lease has:
a holder frozen in the middle of one request acts once more when it wakes. Creates are
idempotent on the service side (deterministic ids, ``Operation-Id``), so that request finds or
repeats the same resource.

**A Prefect server that restarts** forgets every lease (Prefect keeps them in memory by default)
but keeps the slot counts in its database, so a lock held across the restart would stay taken
for good. The holder notices (its renewal or release is refused: no such lease) and, when its
record still names its own lease and no waiter marked it released, the slot still counts it:
it frees the slot by name. A release waits up to :data:`RELEASE_PATIENCE_SECONDS` for a server
that is restarting. (A holder that dies *and* a server restart together leave the slot taken;
the waiter frees the slot by name once it has had no holder on record for 90 s, below.)

**A slot with no holder on record.** A slot is taken under a short lease
(:data:`FIRST_LEASE_SECONDS`), extended to :data:`LEASE_SECONDS` by the holder's first beat. A
taker that never records itself (killed in the milliseconds between, or the answer to its
increment lost while the Prefect server was killed) holds the slot at most that long plus the
server's repossessor loop. A slot that stays taken with no live holder on record for
:data:`ORPHAN_AFTER_SECONDS` (90 s) has no lease left (a restarted server forgot it): the waiter
frees it by name. (Found by ``benchmarks/chaos.py``: a run whose own
increment was answered by a server that was then SIGKILLed waited on itself for good.)

Acquiring and releasing are Prefect's own lease calls, with one difference: a ``503`` is retried
after tens of milliseconds instead of the client's 2-4 s back-off. On the embedded SQLite server
the slot increment (a read, then a write, in one deferred transaction) is refused with "database
is locked" whenever the server records another write in between — on an unchanged re-run of
``benchmarks/onboarding.py`` that was every lock after the first, ~2 s each (the professional voice
re-run went 0.6 → 2.7 s). The conflict is over as soon as the other write commits. A ``423`` (the
slot is held) waits the server's ``Retry-After``, capped at :data:`CHECK_EVERY_SECONDS`.

Outside a Prefect run (plain library use, unit tests) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from prefect._internal.concurrency.cancellation import CancelledError, WatcherThreadCancelScope
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.responses import ConcurrencyLimitWithLeaseResponse
from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.logging import get_run_logger
from prefect.settings import PREFECT_API_URL

LOCK_PREFIX = "speechflows-lock-"
HOLDER_PREFIX = "speechflows-lockholder-"
# The lease: the last bound, when nothing else tells that the holder is gone (it is renewed every
# beat while the holder lives).
LEASE_SECONDS = 300.0
# The holder renews its lease and bumps its record's heartbeat this often; a waiter that sees the
# same heartbeat for SILENT_SECONDS (on its own clock) takes the holder for dead.
BEAT_SECONDS = 5.0
SILENT_SECONDS = 30.0
# A release keeps trying this long while the Prefect server does not answer (it may be restarting).
RELEASE_PATIENCE_SECONDS = 120.0
# A slot is taken under this short lease; the holder's first beat extends it to LEASE_SECONDS. So
# a slot whose taker never recorded itself (it died at once, or the answer to its increment was
# lost) is free within this (the shortest lease Prefect grants) plus the server's repossessor loop
# (15 s)...
FIRST_LEASE_SECONDS = 60.0
# ... so a slot taken with no recorded holder for longer is an orphan (a Prefect server that
# restarted forgot its lease): a waiter frees it by name.
ORPHAN_AFTER_SECONDS = FIRST_LEASE_SECONDS + 30.0
# A waiting run checks the holder at least this often, and says who holds it at least this often.
CHECK_EVERY_SECONDS = 5.0
LOG_EVERY_SECONDS = 30.0
# A refused write (503, SQLite "database is locked") is retried this soon, doubling up to the cap.
CONFLICT_FIRST_DELAY = 0.02
CONFLICT_MAX_DELAY = 1.0
CONFLICT_MAX_ATTEMPTS = 12
_known: set[tuple[str, str]] = set()
_known_lock = threading.Lock()
_fallback_log = logging.getLogger(__name__)


class LockError(RuntimeError):
    """The lock could not be taken or released (the Prefect server kept refusing)."""


def lock_name(kind: str, *names: str) -> str:
    """The limit's name for one resource: readable prefix, hash of kind + names.

    >>> lock_name("dataset", "project-1", "faq")
    'speechflows-lock-dataset-ad72487bdc7c536b4205b05b'
    """
    digest = hashlib.sha256("\x1f".join((kind, *names)).encode()).hexdigest()[:24]
    return f"{LOCK_PREFIX}{kind}-{digest}"


def holder_variable(name: str) -> str:
    """The Variable where the holder of lock ``name`` records itself.

    >>> holder_variable(lock_name("dataset", "project-1", "faq"))
    'speechflows-lockholder-dataset-ad72487bdc7c536b4205b05b'
    """
    return HOLDER_PREFIX + name.removeprefix(LOCK_PREFIX)


def _ensure_limit(name: str) -> None:
    key = (str(PREFECT_API_URL.value() or "ephemeral"), name)
    with _known_lock:
        if key in _known:
            return
    with get_client(sync_client=True) as client:
        try:
            client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            # another run may create it first: same limit, same single slot
            with contextlib.suppress(ObjectAlreadyExists):
                client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
    with _known_lock:
        _known.add(key)


def send_quickly(
    client: SyncPrefectClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    what: str,
    *,
    patience: float = 0.0,
) -> httpx.Response:
    """Send one request to the Prefect API; a 5xx or a dropped connection is retried here, quickly.

    The request goes through the Prefect client's own connection (base URL, auth headers), but
    not through its retry loop, whose first wait on a 503 is 2-4 s (and it waits even when no
    retry is left). ``patience``: keep retrying (at most 1 s apart) for this many seconds, for a
    server that may be restarting; by default :data:`CONFLICT_MAX_ATTEMPTS` attempts (~10 s).
    """
    http = client._client  # the Prefect client's httpx.Client (base URL, auth, headers)
    delay = CONFLICT_FIRST_DELAY
    give_up = time.monotonic() + patience
    attempts = 0
    while True:
        attempts += 1
        try:
            request = http.build_request(method, path, json=body)
            response = httpx.Client.send(http, request)
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code not in (502, 503, 504):
            return response
        if attempts >= CONFLICT_MAX_ATTEMPTS and time.monotonic() >= give_up:
            break
        time.sleep(delay)
        delay = min(CONFLICT_MAX_DELAY, delay * 2)
    raise LockError(
        f"{what}: the Prefect server refused {attempts} times in a row (5xx or "
        "no connection); check that it is up (`prefect server start` or `speechflows dev up`) "
        "and run the flow again"
    )


def post_quickly(
    client: SyncPrefectClient, path: str, body: dict[str, Any], what: str
) -> httpx.Response:
    """POST ``body`` with :func:`send_quickly`."""
    return send_quickly(client, "POST", path, body, what)


# -- who holds a lock -------------------------------------------------------------------------------


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def _pid_namespace() -> str:
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def machine_id() -> str:
    """This process's machine, as far as pids go: host name, boot id, pid namespace.

    Two processes with the same machine id see each other's pids (same kernel boot, same pid
    namespace), so a holder's pid can be checked from here.
    """
    return f"{socket.gethostname()}|{_boot_id()}|{_pid_namespace()}"


def process_start(pid: int) -> str | None:
    """The start time of process ``pid`` (clock ticks since boot, from /proc), None when it is
    dead; "" when this system has no /proc (then only its existence is known)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return ""
        return ""
    # the command name (field 2) may hold spaces and parentheses: split after its last ')'
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else ""


@dataclass(frozen=True)
class Holder:
    """What the holder of a lock recorded about itself (and, once released, who released it)."""

    lease_id: str
    since: str
    flow_run_id: str | None = None
    task_run_id: str | None = None
    machine: str = ""
    pid: int = 0
    pid_start: str = ""
    beat: int = 0
    beat_every: float = 0.0  # 0: a holder that does not beat (its silence means nothing)
    released_by: str | None = None

    @classmethod
    def me(cls, lease_id: UUID) -> Holder:
        flow_ctx, task_ctx = FlowRunContext.get(), TaskRunContext.get()
        flow_run = flow_ctx.flow_run if flow_ctx is not None else None
        task_run = task_ctx.task_run if task_ctx is not None else None
        flow_run_id = flow_run.id if flow_run is not None else None
        if flow_run_id is None and task_run is not None:
            flow_run_id = task_run.flow_run_id
        return cls(
            lease_id=str(lease_id),
            since=datetime.now(UTC).isoformat(timespec="seconds"),
            flow_run_id=str(flow_run_id) if flow_run_id else None,
            task_run_id=str(task_run.id) if task_run is not None else None,
            machine=machine_id(),
            pid=os.getpid(),
            pid_start=process_start(os.getpid()) or "",
            beat_every=BEAT_SECONDS,
        )

    @classmethod
    def from_value(cls, value: Any) -> Holder | None:
        if not isinstance(value, dict) or not isinstance(value.get("lease_id"), str):
            return None
        fields = set(cls.__dataclass_fields__)
        try:
            return cls(**{k: v for k, v in value.items() if k in fields})
        except TypeError:
            return None

    def value(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def process_gone(self) -> bool:
        """True when the holder ran on this machine and its process is dead (or another process
        now has its pid)."""
        if not self.pid or self.machine != machine_id():
            return False
        start = process_start(self.pid)
        return start is None or bool(start and self.pid_start and start != self.pid_start)


def _write_holder(client: SyncPrefectClient, name: str, holder: Holder) -> None:
    """Write the holder's record (create it when missing); raises on failure."""
    var = holder_variable(name)
    what = f"lock holder record {var}"
    value = holder.value()
    got = send_quickly(client, "PATCH", f"/variables/name/{var}", {"value": value}, what)
    if got.status_code == 404:
        body = {"name": var, "value": value, "tags": ["speechflows", "lock-holder"]}
        got = send_quickly(client, "POST", "/variables/", body, what)
        if got.status_code == 409:  # created by another holder since: ours is newer
            got = send_quickly(client, "PATCH", f"/variables/name/{var}", {"value": value}, what)
    got.raise_for_status()


def _record_holder(client: SyncPrefectClient, name: str, holder: Holder) -> None:
    """Write the holder's record (best effort: the lock works without it, waiters just cannot say
    who holds it or free it early; the heartbeat writes it again)."""
    try:
        _write_holder(client, name, holder)
    except (httpx.HTTPError, LockError) as exc:
        _logger().warning(
            "could not record the holder of %s (%s): waiters cannot name it",
            holder_variable(name),
            exc,
        )


def _read_holder(client: SyncPrefectClient, name: str) -> Holder | None:
    try:
        got = send_quickly(
            client, "GET", f"/variables/name/{holder_variable(name)}", None, "lock holder"
        )
    except LockError:
        return None
    if got.status_code != 200:
        return None
    return Holder.from_value(got.json().get("value"))


@dataclass(frozen=True)
class HolderState:
    """What a waiting run found out about the holder."""

    holder: Holder
    flow_run_name: str | None
    flow_run_state: str | None  # None: unknown (no flow run recorded, or it could not be read)
    gone: str | None  # why the holder is gone, None while it may be alive

    def describe(self) -> str:
        who = f"flow run {self.holder.flow_run_id}" if self.holder.flow_run_id else "a task run"
        if self.flow_run_name:
            who += f" ({self.flow_run_name!r}, {self.flow_run_state or 'state unknown'})"
        return f"{who} since {self.holder.since}"


def _holder_state(client: SyncPrefectClient, holder: Holder, silent_for: float) -> HolderState:
    """``silent_for``: how long this waiter has seen the holder's heartbeat stand still."""
    name: str | None = None
    state: str | None = None
    gone: str | None = None
    if holder.flow_run_id:
        try:
            run = client.read_flow_run(UUID(holder.flow_run_id))
        except ObjectNotFound:
            gone = "its flow run no longer exists"
        except (httpx.HTTPError, ValueError):
            pass  # cannot tell: keep waiting
        else:
            name = run.name
            if run.state is not None:
                state = run.state.name
                if run.state.is_final():
                    gone = f"its flow run is {run.state.name}"
    if gone is None and holder.process_gone():
        gone = f"its process (pid {holder.pid} on this machine) is dead"
    if gone is None and holder.beat_every > 0 and silent_for >= SILENT_SECONDS:
        gone = (
            f"its heartbeat stopped (beat {holder.beat} unchanged for {silent_for:.0f} s; it "
            f"beats every {holder.beat_every:.0f} s)"
        )
    return HolderState(holder=holder, flow_run_name=name, flow_run_state=state, gone=gone)


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except Exception:  # outside a run context
        return _fallback_log


# -- taking and releasing ---------------------------------------------------------------------------


def _holder_body() -> dict[str, Any] | None:
    task_ctx, flow_ctx = TaskRunContext.get(), FlowRunContext.get()
    if task_ctx is not None and task_ctx.task_run is not None:
        return {"type": "task_run", "id": str(task_ctx.task_run.id)}
    if flow_ctx is not None and flow_ctx.flow_run is not None:
        return {"type": "flow_run", "id": str(flow_ctx.flow_run.id)}
    return None


def _me() -> str:
    flow_ctx = FlowRunContext.get()
    if flow_ctx is not None and flow_ctx.flow_run is not None:
        return f"flow run {flow_ctx.flow_run.id}"
    return f"pid {os.getpid()} on {socket.gethostname()}"


def _mark_released(client: SyncPrefectClient, name: str, holder: Holder, why: str | None) -> None:
    """Mark ``holder``'s record released by this run (best effort: a failed write is let be)."""
    marked = Holder.from_value({**holder.value(), "released_by": f"{_me()}: {why}"})
    if marked is not None:
        with contextlib.suppress(httpx.HTTPError, LockError):
            _write_holder(client, name, marked)


def _free_slot_by_name(client: SyncPrefectClient, name: str, *, patience: float = 0.0) -> None:
    """Count one slot of limit ``name`` off without a lease (the server no longer knows it)."""
    send_quickly(
        client,
        "POST",
        "/v2/concurrency_limits/decrement",
        {"names": [name], "slots": 1},
        name,
        patience=patience,
    ).raise_for_status()


def _release_gone(client: SyncPrefectClient, name: str, found: HolderState) -> None:
    """Free the slot of a gone holder: mark its record released (so the holder, should it wake,
    knows the slot was freed), then release its lease."""
    _mark_released(client, name, found.holder, found.gone)
    post_quickly(
        client,
        "/v2/concurrency_limits/decrement-with-lease",
        {"lease_id": found.holder.lease_id},
        name,
    ).raise_for_status()


def _acquire(client: SyncPrefectClient, name: str, what: str) -> UUID:
    """Take the limit's one slot under a lease, waiting while a live run holds it."""
    body: dict[str, Any] = {
        "names": [name],
        "slots": 1,
        "mode": "concurrency",
        "lease_duration": FIRST_LEASE_SECONDS,
    }
    holder_body = _holder_body()
    if holder_body is not None:
        body["holder"] = holder_body
    waiting_since: float | None = None
    last_check = last_log = float("-inf")
    released: set[str] = set()  # leases of gone holders this run already released
    beats: dict[str, tuple[int, float]] = {}  # lease id -> (heartbeat, when this run first saw it)
    unrecorded_since: float | None = None  # since when the taken slot names no live holder
    while True:
        response = post_quickly(client, "/v2/concurrency_limits/increment-with-lease", body, name)
        if response.status_code == 423:  # held by another run
            now = time.monotonic()
            if waiting_since is None:
                waiting_since = now
            retry_after = float(response.headers.get("Retry-After", "1"))
            if now - last_check >= CHECK_EVERY_SECONDS or now - last_log >= LOG_EVERY_SECONDS:
                last_check = now
                holder = _read_holder(client, name)
                if holder is not None and (
                    holder.lease_id in released or holder.released_by is not None
                ):
                    holder = None  # the record of a holder released already; the next one has
                    # not written its own yet (or the slot outlived its lease: see below)
                found = None
                if holder is None:
                    unrecorded_since = now if unrecorded_since is None else unrecorded_since
                    if now - unrecorded_since >= ORPHAN_AFTER_SECONDS:
                        _logger().warning(
                            "lock %s: its slot has been taken for %.0f s with no holder on "
                            "record (any lease it had is over: a Prefect server that restarted "
                            "forgot it, or the answer to the increment was lost): freeing the "
                            "slot by name",
                            what,
                            now - unrecorded_since,
                        )
                        _free_slot_by_name(client, name)
                        unrecorded_since = None
                        continue
                else:
                    unrecorded_since = None
                    beat, seen = beats.get(holder.lease_id, (-1, now))
                    if beat != holder.beat:
                        beat, seen = holder.beat, now
                    beats[holder.lease_id] = (beat, seen)
                    found = _holder_state(client, holder, now - seen)
                if found is not None and found.gone is not None:
                    _logger().warning(
                        "lock %s was held by %s, but %s: releasing its slot now",
                        what,
                        found.describe(),
                        found.gone,
                    )
                    _release_gone(client, name, found)
                    released.add(found.holder.lease_id)
                    continue
                if now - last_log >= LOG_EVERY_SECONDS:
                    last_log = now
                    _logger().info(
                        "waiting for lock %s (%.0f s so far): held by %s; a holder that "
                        "crashes, is cancelled, dies on this machine or stops its heartbeat for "
                        "%.0f s frees it at once. If nothing frees it (a Prefect server restarted "
                        "while a run that died held it): prefect global-concurrency-limit "
                        "delete %s --no-prompt",
                        what,
                        now - waiting_since,
                        found.describe()
                        if found is not None
                        else "a run that has not recorded itself yet",
                        SILENT_SECONDS,
                        name,
                    )
            time.sleep(min(retry_after, CHECK_EVERY_SECONDS))
            continue
        response.raise_for_status()
        granted = ConcurrencyLimitWithLeaseResponse.model_validate(response.json())
        if not granted.limits:  # deleted behind our back: create it again
            with _known_lock:
                _known.discard((str(PREFECT_API_URL.value() or "ephemeral"), name))
            _ensure_limit(name)
            continue
        if waiting_since is not None:
            _logger().info(
                "lock %s taken after waiting %.1f s", what, time.monotonic() - waiting_since
            )
        return granted.lease_id


class _Keeper:
    """The holder's side while it holds: every :data:`BEAT_SECONDS` a thread renews the lease and
    bumps the record's heartbeat. A renewal refused (``410``: the lease is over — a waiter took
    the holder for dead, or the Prefect server restarted and forgot it), or no renewal for
    :data:`LEASE_SECONDS`, interrupts the holder's block."""

    def __init__(self, name: str, what: str, holder: Holder, scope: WatcherThreadCancelScope):
        self.name, self.what, self.holder, self.scope = name, what, holder, scope
        self.stop = threading.Event()
        self.lost: str | None = None
        self.last_renewed = time.monotonic()
        self.lease = FIRST_LEASE_SECONDS  # the lease granted at the last renewal
        # In the holder's context: its Prefect settings (a CLI's temporary server), not the
        # process-global ones, which would start Prefect's own ephemeral server.
        self.thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(self._run,),
            daemon=True,
            name=f"lock-keeper {name}",
        )

    def __enter__(self) -> _Keeper:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.thread.join(timeout=BEAT_SECONDS)

    def _run(self) -> None:
        with get_client(sync_client=True) as client:
            holder = self.holder
            while not self.stop.wait(BEAT_SECONDS):
                status = _renew(client, holder.lease_id)
                now = time.monotonic()
                if status == 410:
                    self._lose("the Prefect server no longer knows its lease")
                    return
                if status is not None and 200 <= status < 300:
                    self.last_renewed, self.lease = now, LEASE_SECONDS
                elif now - self.last_renewed >= self.lease:
                    self._lose(f"its lease could not be renewed for {self.lease:.0f} s")
                    return
                holder = Holder.from_value({**holder.value(), "beat": holder.beat + 1}) or holder
                with contextlib.suppress(httpx.HTTPError, LockError):
                    _write_holder(client, self.name, holder)

    def _lose(self, why: str) -> None:
        if self.stop.is_set():
            return
        self.lost = why
        _logger().error(
            "lost lock %s: %s; stopping this step so no other run acts beside it", self.what, why
        )
        self.scope.cancel()

    def renewed_within_lease(self) -> bool:
        """True when the lease cannot have expired (renewed less than a lease ago, with margin)."""
        return time.monotonic() - self.last_renewed < self.lease - 2 * BEAT_SECONDS


def _renew(client: SyncPrefectClient, lease_id: str, *, patience: float = 0.0) -> int | None:
    """Renew a lease: the response status, None when the server did not answer."""
    try:
        got = send_quickly(
            client,
            "POST",
            f"/v2/concurrency_limits/leases/{lease_id}/renew",
            {"lease_duration": LEASE_SECONDS},
            "lock lease renewal",
            patience=patience,
        )
    except LockError:
        return None
    return got.status_code


def _release(client: SyncPrefectClient, name: str, what: str, keeper: _Keeper) -> None:
    """Give the slot back: by the lease, or — when the server forgot the lease while the slot
    still counts this holder (a restart) — by name."""
    lease_id = keeper.holder.lease_id
    patience = RELEASE_PATIENCE_SECONDS
    status = 410 if keeper.lost else _renew(client, lease_id, patience=patience)
    if status != 410:
        post_quickly(
            client, "/v2/concurrency_limits/decrement-with-lease", {"lease_id": lease_id}, name
        ).raise_for_status()
        return
    if not keeper.renewed_within_lease():
        return  # it may have expired: the server's repossessor freed the slot
    record = _read_holder(client, name)
    if record is None or record.lease_id != lease_id or record.released_by is not None:
        return  # a waiter released it (and counted it off); another run may hold it now
    _logger().warning(
        "lock %s: the Prefect server no longer knows this run's lease (it restarted) but the "
        "slot still counts it: freeing the slot by name",
        what,
    )
    _mark_released(client, name, record, "lease forgotten")
    _free_slot_by_name(client, name, patience=patience)


@contextmanager
def resource_lock(kind: str, *names: str) -> Iterator[None]:
    """Hold the one slot of the resource's lock (waiting while another live run holds it).

    Do the lookup *and* the create inside; wait for the operation outside.

    Example:
        >>> with resource_lock("speech-project", "My project", "en-US"):  # doctest: +SKIP
        ...     find_or_create_project()
    """
    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        yield
        return
    name = lock_name(kind, *names)
    what = f"{kind} {' / '.join(names)}"
    _ensure_limit(name)
    with get_client(sync_client=True) as client:
        lease_id = _acquire(client, name, what)
        holder = Holder.me(lease_id)
        keeper: _Keeper | None = None
        try:
            _record_holder(client, name, holder)
            with WatcherThreadCancelScope() as scope, _Keeper(name, what, holder, scope) as keeper:
                yield
        except CancelledError as exc:
            if keeper is None or keeper.lost is None:
                raise
            raise LockError(
                f"lost lock {what}: {keeper.lost}; this step stopped so that no other run acts "
                "beside it. Run the flow again: it finds what was created"
            ) from exc
        finally:
            if keeper is None:
                keeper = _Keeper(name, what, holder, WatcherThreadCancelScope())
            _release(client, name, what, keeper)


__all__ = [
    "BEAT_SECONDS",
    "HOLDER_PREFIX",
    "LOCK_PREFIX",
    "SILENT_SECONDS",
    "Holder",
    "LockError",
    "holder_variable",
    "lock_name",
    "machine_id",
    "post_quickly",
    "resource_lock",
    "send_quickly",
]
