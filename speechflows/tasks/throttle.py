"""The Speech API rate-limit slot of a task, skipped cheaply where no limit is configured.

:func:`speechflows.deployments.limits.speech_api_slot` takes a slot of the Prefect global limit
``speechflows-speech-api`` (created by ``speechflows setup`` / ``dev up``). Each acquisition is a
write on the Prefect server; where the limit does not exist (tests, the demo, a plain embedded
server) Prefect still makes that call and logs a warning every time. This module asks once a
minute whether the limit exists and only then takes the slot.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from speechflows.deployments.limits import SPEECH_API_LIMIT, speech_api_slot

RECHECK_SECONDS = 60.0
_lock = threading.Lock()
_known: dict[str, tuple[float, bool]] = {}


def _api_key() -> str:
    from prefect.settings import PREFECT_API_URL

    return str(PREFECT_API_URL.value() or "ephemeral")


def limit_exists() -> bool:
    """Whether the Speech API limit exists on the current Prefect server (cached a minute)."""
    key = _api_key()
    now = time.monotonic()
    with _lock:
        hit = _known.get(key)
        if hit is not None and now - hit[0] < RECHECK_SECONDS:
            return hit[1]
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

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


@contextmanager
def api_slot() -> Iterator[None]:
    """One slot of the Speech API rate limit around a write request (no-op without the limit)."""
    if limit_exists():
        with speech_api_slot():
            yield
    else:
        yield


__all__ = ["api_slot", "limit_exists"]
