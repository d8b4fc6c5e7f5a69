"""Per-name locks held on the Prefect server, so concurrent runs create each resource once.

A get-or-create of a named resource (a Speech to text project, dataset, model, evaluation; a drop
location's sync) is check-then-act: two runs that both look before either creates would both
create. :func:`resource_lock` serializes them across processes and workers with a Prefect global
concurrency limit of **1 slot** named after the resource (``speechflows-lock-<hash of kind and
names>``). The limit is created on first use (Prefect 3.9 no longer creates limits on demand) and
the slot is held under a lease, so a crashed holder frees it when the lease expires.

Acquiring and releasing are Prefect's own lease calls, with one difference: a ``503`` is retried
after tens of milliseconds instead of the client's 2-4 s back-off. On the embedded SQLite server
the slot increment (a read, then a write, in one deferred transaction) is refused with "database
is locked" whenever the server records another write in between — on an unchanged re-run of
``benchmarks/onboarding.py`` that was every lock after the first, ~2 s each (the professional voice
re-run went 0.6 → 2.7 s). The conflict is over as soon as the other write commits. A ``423`` (the
slot is held) still waits the server's ``Retry-After``, and the lease is renewed by Prefect's
renewal thread while the holder lives.

Outside a Prefect run (plain library use, unit tests) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.client.schemas.responses import ConcurrencyLimitWithLeaseResponse
from prefect.concurrency._leases import maintain_concurrency_lease
from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL

LOCK_PREFIX = "speechflows-lock-"
# A holder that crashed frees the lock after this long (the lease is renewed while it lives).
LEASE_SECONDS = 300.0
# A refused write (503, SQLite "database is locked") is retried this soon, doubling up to the cap.
CONFLICT_FIRST_DELAY = 0.02
CONFLICT_MAX_DELAY = 1.0
CONFLICT_MAX_ATTEMPTS = 12
_known: set[tuple[str, str]] = set()
_known_lock = threading.Lock()


class LockError(RuntimeError):
    """The lock could not be taken or released (the Prefect server kept refusing)."""


def lock_name(kind: str, *names: str) -> str:
    """The limit's name for one resource: readable prefix, hash of kind + names.

    >>> lock_name("dataset", "project-1", "faq")
    'speechflows-lock-dataset-ad72487bdc7c536b4205b05b'
    """
    digest = hashlib.sha256("\x1f".join((kind, *names)).encode()).hexdigest()[:24]
    return f"{LOCK_PREFIX}{kind}-{digest}"


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


def post_quickly(
    client: SyncPrefectClient, path: str, body: dict[str, Any], what: str
) -> httpx.Response:
    """POST ``body`` to the Prefect API; a 5xx or a dropped connection is retried here, quickly.

    The request goes through the Prefect client's own connection (base URL, auth headers), but
    not through its retry loop, whose first wait on a 503 is 2-4 s (and it waits even when no
    retry is left).
    """
    http = client._client  # the Prefect client's httpx.Client (base URL, auth, headers)
    delay = CONFLICT_FIRST_DELAY
    for _ in range(CONFLICT_MAX_ATTEMPTS):
        try:
            response = httpx.Client.send(http, http.build_request("POST", path, json=body))
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


def _acquire(client: SyncPrefectClient, name: str) -> UUID:
    """Take the limit's one slot under a lease, waiting while another run holds it."""
    body: dict[str, Any] = {
        "names": [name],
        "slots": 1,
        "mode": "concurrency",
        "lease_duration": LEASE_SECONDS,
    }
    while True:
        response = post_quickly(client, "/v2/concurrency_limits/increment-with-lease", body, name)
        if response.status_code == 423:  # held by another run: wait as the server asks
            time.sleep(float(response.headers.get("Retry-After", "1")))
            continue
        response.raise_for_status()
        granted = ConcurrencyLimitWithLeaseResponse.model_validate(response.json())
        if not granted.limits:  # deleted behind our back: create it again
            with _known_lock:
                _known.discard((str(PREFECT_API_URL.value() or "ephemeral"), name))
            _ensure_limit(name)
            continue
        return granted.lease_id


def _release(client: SyncPrefectClient, lease_id: UUID, name: str) -> None:
    body = {"lease_id": str(lease_id)}
    post_quickly(
        client, "/v2/concurrency_limits/decrement-with-lease", body, name
    ).raise_for_status()


@contextmanager
def resource_lock(kind: str, *names: str) -> Iterator[None]:
    """Hold the one slot of the resource's lock (waiting while another run holds it).

    Example:
        >>> with resource_lock("speech-project", "My project", "en-US"):  # doctest: +SKIP
        ...     find_or_create_project()
    """
    if FlowRunContext.get() is None and TaskRunContext.get() is None:
        yield
        return
    name = lock_name(kind, *names)
    _ensure_limit(name)
    with get_client(sync_client=True) as client:
        lease_id = _acquire(client, name)
        try:
            with maintain_concurrency_lease(
                lease_id, LEASE_SECONDS, raise_on_lease_renewal_failure=True
            ):
                yield
        finally:
            _release(client, lease_id, name)


__all__ = ["LOCK_PREFIX", "LockError", "lock_name", "post_quickly", "resource_lock"]
