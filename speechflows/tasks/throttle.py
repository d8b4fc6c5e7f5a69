"""The Prefect rate limit that keeps every worker together under the Speech API quota.

Every request to the Speech service (creates, reads, lists, GET-before-create, polls, retries)
takes a slot first, at the HTTP layer: the clients the tasks build get :func:`speech_api_gate` as
their ``before_request`` hook (``speechflows.tasks.voice_common.connection_options``), so no code
path can forget it::

    with CustomSpeechClient(settings, **connection_options()) as client:
        client.datasets.list()          # one slot per request, page and retry

The limit ``speechflows-speech-api`` is a Prefect global concurrency limit with slot decay, created
by :func:`speechflows.deployments.setup.ensure_setup` (``speechflows setup`` / ``speechflows dev
up``). :func:`speech_api_slot` takes a slot of it; outside a flow or task run (plain library use,
scripts, unit tests) the slot is a no-op, so the library never needs a Prefect server. Where the
limit does not exist the call goes through (Prefect's ``strict=False``); each acquisition is
still a write on the Prefect server, so :func:`speech_api_gate` asks once a minute whether the
limit exists (tests, the demo, a plain embedded server) and only then takes the slot. The slot
is Prefect's own ``/v2/concurrency_limits/increment`` (``mode=rate_limit``), with a refused
write (503) retried after tens of milliseconds instead of Prefect's 2-4 s back-off
(:func:`speechflows.tasks.locks.post_quickly`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from speechflows.tasks.locks import post_quickly

SPEECH_API_LIMIT = "speechflows-speech-api"
# Personal voice allows 50 requests / 10 s, speech to text 100 / 10 s (reference/azure-speech.md
# §1.5): one shared bucket sized for the stricter quota keeps both families under it. A token
# bucket lets through at most `slots + decay × 10` requests in any 10 s (a full bucket, then the
# refill): 10 + 3.5 × 10 = 45 ≤ 50, with a margin for clock skew. 50 slots at 5/s let through up to
# 100 in a window; benchmarks/scale.py measured 71 sent and 8 % throttled with those.
SPEECH_API_LIMIT_SLOTS = 10
SPEECH_API_DECAY_PER_SECOND = 3.5
RECHECK_SECONDS = 60.0
_lock = threading.Lock()
_known: dict[str, tuple[float, bool]] = {}


def _in_prefect_run() -> bool:
    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def acquire_speech_api_slot(occupy: int = 1, *, timeout_seconds: float | None = None) -> bool:
    """Take ``occupy`` slots of the Speech API rate limit, waiting while the bucket is empty.

    Args:
        occupy: Requests about to be made.
        timeout_seconds: Give up after this long (``TimeoutError``); ``None`` waits as needed.

    Returns:
        True when the limit was consulted, False outside a Prefect run (nothing to limit).
    """
    if not _in_prefect_run():
        return False
    # Prefect's rate_limit(), minus its client's 2-4 s back-off on a 503: on the SQLite server the
    # slot increment is refused ("database is locked") whenever another write lands between its
    # read and its write, and that conflict is over in milliseconds (see tasks/locks.py).
    deadline = None if timeout_seconds is None else time.monotonic() + timeout_seconds
    body = {"names": [SPEECH_API_LIMIT], "slots": occupy, "mode": "rate_limit"}
    with get_client(sync_client=True) as client:
        while True:
            response = post_quickly(client, "/v2/concurrency_limits/increment", body, "rate limit")
            if response.status_code != 423:
                break
            wait = float(response.headers.get("Retry-After", "1"))
            if deadline is not None and time.monotonic() + wait > deadline:
                raise TimeoutError(
                    f"no slot of the {SPEECH_API_LIMIT!r} rate limit within {timeout_seconds} s"
                )
            time.sleep(wait)
    response.raise_for_status()
    if not response.json():
        # the limit does not exist: nothing to wait for (Prefect's strict=False); the gate
        # stops asking until its next once-a-minute check
        with _lock:
            _known[_api_key()] = (time.monotonic(), False)
    return True


@contextmanager
def speech_api_slot(occupy: int = 1, *, timeout_seconds: float | None = None) -> Iterator[None]:
    """Context manager form of :func:`acquire_speech_api_slot`, around one Speech API call.

    Example:
        >>> with speech_api_slot():      # doctest: +SKIP
        ...     client.training_sets.get("ts-1")
    """
    acquire_speech_api_slot(occupy, timeout_seconds=timeout_seconds)
    yield


def _api_key() -> str:
    return str(PREFECT_API_URL.value() or "ephemeral")


def limit_exists() -> bool:
    """Whether the Speech API limit exists on the current Prefect server (cached a minute)."""
    key = _api_key()
    now = time.monotonic()
    with _lock:
        hit = _known.get(key)
        if hit is not None and now - hit[0] < RECHECK_SECONDS:
            return hit[1]
    try:
        with get_client(sync_client=True) as client:
            client.read_global_concurrency_limit_by_name(SPEECH_API_LIMIT)
        exists = True
    except ObjectNotFound:
        exists = False
    except Exception:  # server unreachable: let speech_api_slot decide (it is a no-op then)
        exists = True
    with _lock:
        _known[key] = (now, exists)
    return exists


def speech_api_gate() -> None:
    """The clients' ``before_request`` hook: one slot per request to the Speech service.

    A no-op outside a Prefect run and where the limit does not exist (checked once a minute).
    """
    if _in_prefect_run() and limit_exists():
        acquire_speech_api_slot()


__all__ = [
    "SPEECH_API_DECAY_PER_SECOND",
    "SPEECH_API_LIMIT",
    "SPEECH_API_LIMIT_SLOTS",
    "acquire_speech_api_slot",
    "limit_exists",
    "speech_api_gate",
    "speech_api_slot",
]
