"""Errors raised by the Speech management client.

Every failure leaves the client as one of these types, translated once at the HTTP boundary::

    SpeechError
     ├── SpeechHTTPError              status, code, inner_code, message, target, request_id
     │    ├── BadRequestError          400
     │    ├── AuthenticationError      401
     │    ├── PermissionDeniedError    403
     │    ├── NotFoundError            404
     │    ├── ConflictError            409
     │    ├── RequestTimeoutError      408                      (TransientError)
     │    ├── ThrottledError           429, retry_after        (TransientError)
     │    └── ServiceError             5xx                      (TransientError)
     ├── SpeechConnectionError        connect/read failures    (TransientError)
     ├── WaitError                    resource_kind, resource_id of what a wait waited for
     │    ├── ResourceFailedError     a resource or operation ended in Failed
     │    ├── PollingTimeoutError     a wait hit its deadline
     │    └── StateDisagreementError  operation and resource disagree (speech.polling)
     └── SpeechUsageError             the caller asked for something the API cannot do

``TransientError`` is a mixin: ``isinstance(exc, TransientError)`` (or :func:`is_transient`) says
whether trying again later can succeed. Messages and reprs never carry keys, tokens or SAS
signatures: they pass through :func:`speechflows.redaction.redact_text`.
"""

from __future__ import annotations

from typing import Any

import httpx

from speechflows.redaction import redact_text

RETRYABLE_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class SpeechError(Exception):
    """Root of every error raised by :mod:`speechflows.speech`."""

    def __init__(self, message: str) -> None:
        super().__init__(redact_text(message))

    @property
    def message(self) -> str:
        """The (redacted) message."""
        return str(self.args[0]) if self.args else ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class TransientError(SpeechError):
    """Mixin for failures that may succeed when tried again later."""


class SpeechUsageError(SpeechError, ValueError):
    """The call cannot be made as asked (e.g. a v3.2-only operation on 2025-10-15)."""


class SpeechHTTPError(SpeechError):
    """The service answered with an error status.

    Attributes:
        status: HTTP status code.
        code: top-level error code (``BadRequest``, ``InvalidArgument``, ...).
        inner_code: innermost detailed code (``NoUtf8WithBom``, ``InvalidLocale``, ...), if any.
        target: the field or resource the error is about, if given.
        request_id: the service's request id (``apim-request-id``/``X-RequestId``), for support.
        method: HTTP method of the failed request.
        url: URL of the failed request, redacted.
        setting: for a refused key or token (401/403), the setting to change.
    """

    setting: str = ""

    def __init__(
        self,
        status: int,
        code: str | None,
        inner_code: str | None,
        message: str,
        target: str | None = None,
        request_id: str | None = None,
        *,
        method: str = "",
        url: str = "",
    ) -> None:
        self.status = status
        self.code = code
        self.inner_code = inner_code
        self.target = redact_text(target) if target else None
        self.request_id = request_id
        self.method = method
        self.url = redact_text(url)
        self.detail = redact_text(message)
        codes = "/".join(dict.fromkeys(c for c in (code, inner_code) if c))
        where = f" on {method} {self.url}" if method else ""
        text = f"HTTP {status}{f' {codes}' if codes else ''}{where}: {message or 'no message'}"
        if self.target:
            text += f" (target: {self.target})"
        if request_id:
            text += f" [request id {request_id}]"
        super().__init__(text)


class BadRequestError(SpeechHTTPError):
    """400: the request was rejected (invalid body, id reuse with a different body, ...)."""


class AuthenticationError(SpeechHTTPError):
    """401: the key or token is missing, wrong, or for another host."""


class PermissionDeniedError(SpeechHTTPError):
    """403: authenticated but not allowed (Limited Access, RBAC role, F0 tier)."""


class NotFoundError(SpeechHTTPError):
    """404: no such resource."""


class ConflictError(SpeechHTTPError):
    """409: the resource exists in a conflicting state."""


class RequestTimeoutError(SpeechHTTPError, TransientError):
    """408: the service timed out reading the request."""


class ThrottledError(SpeechHTTPError, TransientError):
    """429: too many requests. ``retry_after`` is the service's wait hint in seconds, if any."""

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(*args, **kwargs)


class ServiceError(SpeechHTTPError, TransientError):
    """5xx: the service failed; 500/502/503/504 are worth retrying."""


class SpeechConnectionError(TransientError):
    """The request did not complete: connection refused or reset, or a network timeout."""

    def __init__(self, message: str, *, method: str = "", url: str = "") -> None:
        self.method = method
        self.url = redact_text(url)
        super().__init__(f"{message} on {method} {self.url}" if method else message)


class SpeechTimeoutError(SpeechConnectionError):
    """The service did not answer within the client timeout (``SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS``).

    The message says how long the client waited, after how many attempts, and which setting
    raises the limit: a slow service and a dead one look alike from here.
    """

    SETTING = "SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS"

    def __init__(
        self,
        timeout_seconds: float,
        *,
        kind: str,
        method: str = "",
        url: str = "",
        attempts: int = 1,
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.attempts = attempts
        tries = f" (attempt {attempts})" if attempts > 1 else ""
        super().__init__(
            f"the request timed out after {timeout_seconds:g} s{tries} ({kind}): the service is "
            f"slower than the client timeout, or not answering; if it is just slow, raise "
            f"{self.SETTING} (now {timeout_seconds:g})",
            method=method,
            url=url,
        )


class WaitError(SpeechError):
    """A wait for a resource or operation (``resource_kind`` ``resource_id``) ended badly."""

    def __init__(self, resource_kind: str, resource_id: str, message: str) -> None:
        self.resource_kind = resource_kind
        self.resource_id = resource_id
        super().__init__(message)


class ResourceFailedError(WaitError):
    """A resource or operation reached the ``Failed`` state; carries the service's reason."""

    def __init__(
        self, resource_kind: str, resource_id: str, code: str | None, reason: str | None
    ) -> None:
        self.code = code
        self.reason = reason
        why = ": ".join(x for x in (code, reason) if x) or "no reason given by the service"
        super().__init__(
            resource_kind, resource_id, f"{resource_kind} {resource_id!r} failed: {why}"
        )


class PollingTimeoutError(WaitError):
    """Waiting for a resource or operation hit its deadline before a terminal state."""

    def __init__(
        self, resource_kind: str, resource_id: str, deadline_seconds: float, last_status: str | None
    ) -> None:
        self.deadline_seconds = deadline_seconds
        self.last_status = last_status
        super().__init__(
            resource_kind,
            resource_id,
            f"{resource_kind} {resource_id!r} did not finish within {deadline_seconds:g} s "
            f"(last status: {last_status or 'unknown'}); wait again with a longer deadline, or "
            "re-attach later from the continuation state",
        )


_BY_STATUS: dict[int, type[SpeechHTTPError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ConflictError,
}


def error_class_for(status: int) -> type[SpeechHTTPError]:
    """The exception type for an HTTP error status."""
    if status == 429:
        return ThrottledError
    if status >= 500:
        return ServiceError
    return _BY_STATUS.get(status, SpeechHTTPError)


def is_transient(exc: BaseException) -> bool:
    """True when trying the same call again later can succeed (for Prefect ``retry_condition_fn``).

    >>> is_transient(ServiceError(503, "ServiceUnavailable", None, "busy"))
    True
    >>> is_transient(BadRequestError(400, "BadRequest", None, "bad locale"))
    False
    """
    if isinstance(exc, SpeechHTTPError):
        return exc.status in RETRYABLE_STATUSES
    if isinstance(exc, TransientError):
        return True
    return isinstance(exc, httpx.TransportError)
