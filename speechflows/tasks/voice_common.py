"""What the Custom Voice tasks share: the client from settings, get-or-none, waits, failures."""

from __future__ import annotations

import functools
import os
import re
import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Literal, Self, TypeVar

import httpx
from prefect.logging import get_run_logger
from pydantic import BaseModel

from speechflows.settings import load_speech_settings
from speechflows.speech.connection import ConnectionOptions
from speechflows.speech.custom_voice.client import CustomVoiceClient
from speechflows.speech.errors import NotFoundError, ResourceFailedError
from speechflows.speech.polling import ContinuationState, resume
from speechflows.speech.schemas.common import Status
from speechflows.tasks.artifacts import LiveProgress
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import Action, ResourceOutcome
from speechflows.tasks.throttle import speech_api_gate
from speechflows.tasks.waiting import WaitOptions, parks_at, progress_callback

T = TypeVar("T")


class OnboardingError(ValueError):
    """The service state or the parameters do not allow this step (message says how to fix it)."""


@functools.cache
def _tls_context(ca_file: str | None, ca_dir: str | None) -> ssl.SSLContext:
    return httpx.create_ssl_context()  # reads SSL_CERT_FILE / SSL_CERT_DIR like httpx does


def http_transport() -> httpx.HTTPTransport:
    """A fresh connection pool sharing this process's TLS context.

    Every task opens its own client, and building a TLS context parses the whole CA bundle
    (~40 ms, measured on the unchanged re-run of benchmarks/onboarding.py): build it once.
    """
    ctx = _tls_context(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    return httpx.HTTPTransport(verify=ctx)


def connection_options() -> ConnectionOptions:
    """How every Speech client of the tasks connects: shared TLS, one rate-limit slot a request."""
    return {"transport": http_transport(), "before_request": speech_api_gate}


@contextmanager
def voice_client() -> Iterator[CustomVoiceClient]:
    """A Custom Voice client built from the environment's settings."""
    with CustomVoiceClient(load_speech_settings(), **connection_options()) as client:
        yield client


def get_or_none(fn: Callable[[], T]) -> T | None:
    try:
        return fn()
    except NotFoundError:
        return None


def status_of(item: Any) -> str | None:
    status = getattr(item, "status", None)
    return str(status) if status is not None else None


class ResourceVersion(BaseModel):
    """One version of a base id in a project (``<base>-v<8 hex>``: one per content), as the
    versions tasks list it; ``deleted`` when ``cleanup_previous`` removed it."""

    id: str
    status: str | None = None
    created: str | None = None
    current: bool = False
    deleted: bool = False

    @classmethod
    def of(cls, item: Any, current_id: str, **extra: Any) -> Self:
        """The version the service's entity ``item`` is (``current`` when it is ``current_id``)."""
        created = getattr(item, "created_date_time", None)
        return cls(
            id=str(item.id),
            status=status_of(item),
            created=created.isoformat() if created else None,
            current=item.id == current_id,
            **extra,
        )


def versions_in(items: Iterable[T], project_id: str, version_pattern: str) -> list[T]:
    """The items of ``project_id`` (or of no project) whose ids match ``version_pattern``."""
    pattern = re.compile(version_pattern)
    return [
        item
        for item in items
        if getattr(item, "id", None)
        and getattr(item, "project_id", None) in (None, project_id)
        and pattern.fullmatch(str(getattr(item, "id", "")))
    ]


def voice_outcome(
    kind: str, rid: str, url: str, item: Any, action: Action, **extra: Any
) -> ResourceOutcome:
    """What a Custom Voice task returns about ``item`` (``kind`` ``rid`` at ``url``)."""
    return ResourceOutcome(
        kind=kind, id=rid, url=url, status=status_of(item), action=action, **extra
    )


def failed_error(kind: str, rid: str, item: Any, fix: str) -> ResourceFailedError:
    code, reason = item.failure()
    err = ResourceFailedError(kind, rid, code, f"{reason or code or 'no reason given'}. {fix}")
    return err


def find_or_start(
    client: CustomVoiceClient,
    collection: str,
    rid: str,
    *,
    lock: str,
    kind: str,
    get: Callable[[], Any],
    start: Callable[[], Any],
    failed_fix: str,
) -> tuple[ContinuationState, Literal["created", "reused"]]:
    """What to wait on for ``collection/rid``: the one that exists (one that Failed is refused
    with ``failed_fix``), else the operation ``start`` begins.

    Lookup and create run under the lock ``lock`` (the wait is outside it): an identical run
    started at the same moment finds this one and waits on it.
    """
    log = get_run_logger()
    with resource_lock(lock, rid):
        existing = get_or_none(get)
        if existing is None:
            accepted = start()
            log.info("%s %s started (operation %s)", kind, rid, accepted.operation.id)
            return ContinuationState.for_operation(client, accepted, collection, rid), "created"
        if existing.status is Status.FAILED:
            raise failed_error(kind, rid, existing, failed_fix)
        log.info("%s %s exists (%s): reused", kind, rid, existing.status)
        return ContinuationState.for_resource(client, collection, rid), "reused"


def wait_resumed(
    client: CustomVoiceClient,
    state: ContinuationState,
    options: WaitOptions,
    progress_key: str | None,
    what: str,
) -> Any:
    """Poll ``state`` to its end, showing ``what`` in the progress artifact ``progress_key``."""
    bar = LiveProgress(progress_key, what) if progress_key else None
    # A re-run gets the full stage deadline again, counted from now.
    fresh = state.model_copy(
        update={"started_at": datetime.now(UTC), "deadline_seconds": options.in_process_seconds}
    )
    with parks_at(options, fresh, what):  # past park_after: StillRunning, the flow parks
        result = resume(
            fresh,
            client,
            min_interval=options.min_interval,
            max_interval=options.max_interval,
            progress=progress_callback(bar, what, options.deadline_seconds),
        )
    if bar is not None:
        bar.done(f"{what}: {status_of(result)}")
    return result


__all__ = [
    "OnboardingError",
    "ResourceVersion",
    "failed_error",
    "find_or_start",
    "get_or_none",
    "http_transport",
    "status_of",
    "versions_in",
    "voice_client",
    "voice_outcome",
    "wait_resumed",
]
