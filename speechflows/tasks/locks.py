"""Per-name locks held on the Prefect server, so concurrent runs create each resource once.

A get-or-create of a named resource (a Speech to text project, dataset, model, evaluation; a drop
location's sync) is check-then-act: two runs that both look before either creates would both
create. :func:`resource_lock` serializes them across processes and workers with a Prefect global
concurrency limit of **1 slot** named after the resource (``speechflows-lock-<hash of kind and
names>``). The limit is created on first use (Prefect 3.9 no longer creates limits on demand) and
the slot is held under a lease, so a crashed holder frees it when the lease expires.

Outside a Prefect run (plain library use, unit tests) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.concurrency.sync import concurrency
from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL

LOCK_PREFIX = "speechflows-lock-"
# A holder that crashed frees the lock after this long (the lease is renewed while it lives).
LEASE_SECONDS = 300.0
_known: set[tuple[str, str]] = set()
_known_lock = threading.Lock()


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
    with concurrency(name, occupy=1, strict=True, lease_duration=LEASE_SECONDS):
        yield


__all__ = ["LOCK_PREFIX", "lock_name", "resource_lock"]
