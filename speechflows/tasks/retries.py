"""Task-level retry policy: transient errors only, exponential backoff with jitter.

The HTTP layer (:mod:`speechflows.speech.http`) already retries 429/5xx inside one call; a task
retry covers what is left (a service down for longer, a dropped connection on a POST that could
not be replayed). A validation error, a 4xx, or a resource that ended ``Failed`` is not transient:
the task fails at once with its reason.

>>> retry_delays(3, base=2.0)
[2.0, 4.0, 8.0]
"""

from __future__ import annotations

from typing import Any

import httpx
from azure.core import exceptions as azure_errors

from speechflows.speech import errors as speech_errors

# Azure storage SDK exceptions that mean "try again later" (network, throttling, 5xx).
_TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})

TASK_RETRIES = 3
RETRY_JITTER_FACTOR = 0.5


def retry_delays(retries: int = TASK_RETRIES, *, base: float = 2.0) -> list[float]:
    """Exponential backoff delays in seconds (Prefect adds the jitter)."""
    return [base * 2**i for i in range(retries)]


def is_retryable(exc: BaseException | None) -> bool:
    """True when ``exc`` (or what caused it) is a transient service, storage or network error."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if _is_transient_one(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _is_transient_one(exc: BaseException) -> bool:
    if isinstance(exc, speech_errors.SpeechError):
        return speech_errors.is_transient(exc)

    if isinstance(exc, httpx.TransportError):
        return True
    if isinstance(exc, azure_errors.ServiceRequestError | azure_errors.ServiceResponseError):
        return True
    if isinstance(exc, azure_errors.HttpResponseError):
        return getattr(exc, "status_code", None) in _TRANSIENT_STATUS
    return bool(getattr(exc, "transient", False))


def retry_on_transient(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect ``retry_condition_fn``: retry only when the failure is transient."""
    try:
        exc = state.result(raise_on_failure=False)
    except BaseException as error:  # a result that cannot be read is not worth retrying
        exc = error
    return isinstance(exc, BaseException) and is_retryable(exc)


def retry_options(retries: int = TASK_RETRIES, *, base: float = 2.0) -> dict[str, Any]:
    """Keyword arguments for ``@task``: transient-only retries with exponential backoff + jitter."""
    return {
        "retries": retries,
        "retry_delay_seconds": retry_delays(retries, base=base),
        "retry_jitter_factor": RETRY_JITTER_FACTOR,
        "retry_condition_fn": retry_on_transient,
    }


__all__ = [
    "RETRY_JITTER_FACTOR",
    "TASK_RETRIES",
    "is_retryable",
    "retry_delays",
    "retry_on_transient",
    "retry_options",
]
