"""The Prefect rate limit that keeps every worker together under the Speech API quota.

Every task that calls the Speech service takes a slot first::

    from speechflows.deployments.limits import speech_api_slot

    with speech_api_slot():
        client.training_sets.create(...)

The limit ``speechflows-speech-api`` is a Prefect global concurrency limit with slot decay, created
by :func:`speechflows.deployments.setup.ensure_setup` (``speechflows setup`` / ``speechflows dev
up``). Where it does not exist, Prefect logs one warning per call and lets the call through
(``strict=False``); outside a flow or task run (plain library use, scripts, unit tests) the slot is
a no-op, so the library never needs a Prefect server.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

SPEECH_API_LIMIT = "speechflows-speech-api"
# Personal voice allows 50 requests / 10 s, speech to text 100 / 10 s (reference/azure-speech.md
# §1.5): one shared bucket sized for the stricter quota keeps both families under it.
SPEECH_API_LIMIT_SLOTS = 50
SPEECH_API_DECAY_PER_SECOND = 5.0


def _in_prefect_run() -> bool:
    from prefect.context import FlowRunContext, TaskRunContext

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
    from prefect.concurrency.sync import rate_limit

    rate_limit(SPEECH_API_LIMIT, occupy=occupy, timeout_seconds=timeout_seconds, strict=False)
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


__all__ = [
    "SPEECH_API_DECAY_PER_SECOND",
    "SPEECH_API_LIMIT",
    "SPEECH_API_LIMIT_SLOTS",
    "acquire_speech_api_slot",
    "speech_api_slot",
]
