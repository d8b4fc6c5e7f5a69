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
run ids, since when, and its process (host identity, pid, process start time). A run that finds
the slot taken logs who holds it (flow run id and name, since when) when it starts waiting and at
least every :data:`LOG_EVERY_SECONDS` after, and checks the holder every
:data:`CHECK_EVERY_SECONDS`. The holder is **gone** when its flow run is in a final state
(Crashed, Cancelled, Failed, Completed) or no longer exists, or when it ran on this machine (same
boot and pid namespace) and its process is dead (a SIGKILLed CLI run stays *Running* on the
server until the zombie automation marks it Crashed). A gone holder's lease is released at once
(``decrement-with-lease`` with its lease id: releasing a lease that is already over is a no-op,
so a stale record never frees someone else's slot). A holder killed on another machine while its
flow run still reads Running frees the slot when its lease (:data:`LEASE_SECONDS`) expires; the
waiting log says so. A holder killed between taking the slot and writing its record (a few
milliseconds) is not recognised either: its lease expires.

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
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.responses import ConcurrencyLimitWithLeaseResponse
from prefect.concurrency._leases import maintain_concurrency_lease
from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.logging import get_run_logger
from prefect.settings import PREFECT_API_URL

LOCK_PREFIX = "speechflows-lock-"
HOLDER_PREFIX = "speechflows-lockholder-"
# A holder whose death is not seen (another machine, flow run still Running) frees the lock after
# this long; the lease is renewed while the holder lives.
LEASE_SECONDS = 300.0
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
) -> httpx.Response:
    """Send one request to the Prefect API; a 5xx or a dropped connection is retried here, quickly.

    The request goes through the Prefect client's own connection (base URL, auth headers), but
    not through its retry loop, whose first wait on a 503 is 2-4 s (and it waits even when no
    retry is left).
    """
    http = client._client  # the Prefect client's httpx.Client (base URL, auth, headers)
    delay = CONFLICT_FIRST_DELAY
    for _ in range(CONFLICT_MAX_ATTEMPTS):
        try:
            request = http.build_request(method, path, json=body)
            response = httpx.Client.send(http, request)
        except httpx.TransportError:
            response = None
        if response is not None and response.status_code not in (502, 503, 504):
            return response
        time.sleep(delay)
        delay = min(CONFLICT_MAX_DELAY, delay * 2)
    raise LockError(
        f"{what}: the Prefect server refused {CONFLICT_MAX_ATTEMPTS} times in a row (5xx or "
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
    """What the holder of a lock recorded about itself."""

    lease_id: str
    since: str
    flow_run_id: str | None = None
    task_run_id: str | None = None
    machine: str = ""
    pid: int = 0
    pid_start: str = ""

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


def _record_holder(client: SyncPrefectClient, name: str, holder: Holder) -> None:
    """Write the holder's record (best effort: the lock works without it, waiters just cannot say
    who holds it or free it early)."""
    var = holder_variable(name)
    what = f"lock holder record {var}"
    try:
        value = holder.value()
        got = send_quickly(client, "PATCH", f"/variables/name/{var}", {"value": value}, what)
        if got.status_code == 404:
            body = {"name": var, "value": value, "tags": ["speechflows", "lock-holder"]}
            got = send_quickly(client, "POST", "/variables/", body, what)
            if got.status_code == 409:  # created by another holder since: ours is newer
                got = send_quickly(
                    client, "PATCH", f"/variables/name/{var}", {"value": value}, what
                )
        got.raise_for_status()
    except (httpx.HTTPError, LockError) as exc:
        _logger().warning(
            "could not record the holder of %s (%s): waiters cannot name it", var, exc
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


def _holder_state(client: SyncPrefectClient, holder: Holder) -> HolderState:
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


def _acquire(client: SyncPrefectClient, name: str, what: str) -> UUID:
    """Take the limit's one slot under a lease, waiting while a live run holds it."""
    body: dict[str, Any] = {
        "names": [name],
        "slots": 1,
        "mode": "concurrency",
        "lease_duration": LEASE_SECONDS,
    }
    holder_body = _holder_body()
    if holder_body is not None:
        body["holder"] = holder_body
    waiting_since: float | None = None
    last_check = last_log = float("-inf")
    released: set[str] = set()  # leases of gone holders this run already released
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
                if holder is not None and holder.lease_id in released:
                    holder = None  # the record of a holder released already; the next one has
                    # not written its own yet
                found = _holder_state(client, holder) if holder is not None else None
                if found is not None and found.gone is not None:
                    _logger().warning(
                        "lock %s was held by %s, but %s: releasing its slot now",
                        what,
                        found.describe(),
                        found.gone,
                    )
                    released.add(found.holder.lease_id)
                    post_quickly(
                        client,
                        "/v2/concurrency_limits/decrement-with-lease",
                        {"lease_id": found.holder.lease_id},
                        name,
                    ).raise_for_status()
                    continue
                if now - last_log >= LOG_EVERY_SECONDS:
                    last_log = now
                    _logger().info(
                        "waiting for lock %s (%.0f s so far): held by %s; a holder that "
                        "crashes, is cancelled or dies on this machine frees it at once, "
                        "otherwise its lease ends %.0f s after its last renewal",
                        what,
                        now - waiting_since,
                        found.describe()
                        if found is not None
                        else "a run that has not recorded itself yet",
                        LEASE_SECONDS,
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


def _release(client: SyncPrefectClient, lease_id: UUID, name: str) -> None:
    body = {"lease_id": str(lease_id)}
    post_quickly(
        client, "/v2/concurrency_limits/decrement-with-lease", body, name
    ).raise_for_status()


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
        try:
            _record_holder(client, name, Holder.me(lease_id))
            with maintain_concurrency_lease(
                lease_id, LEASE_SECONDS, raise_on_lease_renewal_failure=True
            ):
                yield
        finally:
            _release(client, lease_id, name)


__all__ = [
    "HOLDER_PREFIX",
    "LOCK_PREFIX",
    "Holder",
    "LockError",
    "holder_variable",
    "lock_name",
    "machine_id",
    "post_quickly",
    "resource_lock",
    "send_quickly",
]
