"""The one network seam of the Speech client: auth, retries, error translation and paging.

``SpeechHTTP`` wraps ``httpx.Client(transport=...)``. Tests pass ``httpx.MockTransport`` or
``httpx.ASGITransport``; production uses the default transport.

Retry rules (after azure-core's ``RetryPolicy``): 408/429/500/502/503/504 and network failures are
retried with the service's ``Retry-After`` (seconds or HTTP date, then ``retry-after-ms``), else
exponential backoff with jitter, bounded by attempts and total time. A POST is retried only when it
carries an ``Operation-Id`` header (Custom Voice dedupes on it); a Speech to text create never is.
When retries are not allowed or run out, the typed error (:mod:`speechflows.speech.errors`)
surfaces for the caller, e.g. a Prefect task with ``retry_condition_fn=is_transient``.

Every attempt (first tries, retries, polls, list pages) first calls ``before_request``: the quota
hook. The tasks layer passes one that takes a slot of the shared Speech API rate limit, so no code
path can reach the service around the quota (this module never imports Prefect).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import IO, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from speechflows.redaction import redact_logger, redact_text, redact_url, register_secret
from speechflows.settings import COGNITIVE_SERVICES_SCOPE, SpeechSettings, default_azure_credential
from speechflows.speech.errors import (
    RETRYABLE_STATUSES,
    AuthenticationError,
    PermissionDeniedError,
    SpeechConnectionError,
    SpeechError,
    SpeechHTTPError,
    SpeechTimeoutError,
    ThrottledError,
    error_class_for,
)

log = logging.getLogger("speechflows.speech")
# httpx logs every request URL at INFO; a dataset report's content URL is a SAS.
redact_logger("httpx")

USER_AGENT = "speechflows/0.1"
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
_REQUEST_ID_HEADERS = ("apim-request-id", "x-requestid", "x-ms-request-id", "request-id")
# Refresh a bearer token this long before it expires, so no request goes out with a stale one.
_TOKEN_REFRESH_MARGIN_SECONDS = 300

FileSpec = tuple[str, tuple[str, IO[bytes], str]]


RequestHook = Callable[[], object]
"""Called before every request sent to the service (e.g. take a rate-limit slot); may block."""


class AccessTokenLike(Protocol):
    """What ``TokenCredential.get_token`` returns (``azure.core.credentials.AccessToken``)."""

    @property
    def token(self) -> str: ...  # pragma: no cover

    @property
    def expires_on(self) -> int: ...  # pragma: no cover


class TokenCredential(Protocol):
    """An azure-identity credential (e.g. ``DefaultAzureCredential``)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessTokenLike: ...  # pragma: no cover


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of the HTTP-level retries.

    Attributes:
        max_attempts: tries in total, the first one included.
        total_seconds: no retry starts if it would wait past this many seconds since the first try.
        backoff_factor: first backoff delay; it doubles on every retry.
        backoff_max: ceiling of one backoff delay.
        jitter: +/- fraction applied to a backoff delay (never to a Retry-After).
    """

    max_attempts: int = 5
    total_seconds: float = 120.0
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    jitter: float = 0.25

    def backoff(self, retry_number: int, rng: random.Random) -> float:
        """Delay before retry number ``retry_number`` (1-based) when the service gave no hint."""
        base = min(self.backoff_max, self.backoff_factor * (2 ** (retry_number - 1)))
        return float(max(0.0, base * (1 + rng.uniform(-self.jitter, self.jitter))))


def retry_after_seconds(
    headers: Mapping[str, str], now: Callable[[], datetime] | None = None
) -> float | None:
    """The service's wait hint: ``Retry-After`` (seconds or HTTP date), then ``retry-after-ms``.

    >>> retry_after_seconds({"retry-after": "7"})
    7.0
    >>> retry_after_seconds({"retry-after-ms": "250"})
    0.25
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                if when.tzinfo is None:
                    when = when.replace(tzinfo=UTC)
                current = now() if now else datetime.now(UTC)
                return max(0.0, (when - current).total_seconds())
    for name in ("retry-after-ms", "x-ms-retry-after-ms"):
        value = lowered.get(name)
        if value:
            try:
                return max(0.0, float(value) / 1000.0)
            except ValueError:
                continue
    return None


def _innermost_code(inner: Any, key: str) -> str | None:
    code: str | None = None
    depth = 0
    while isinstance(inner, dict) and depth < 16:
        if inner.get("code"):
            code = str(inner["code"])
        inner = inner.get(key)
        depth += 1
    return code


def error_from_response(response: httpx.Response) -> SpeechHTTPError:
    """Translate an error response of either API into its typed exception.

    Custom Voice wraps the error (``{"error": {code, message, target, innererror}}`` plus the
    ``x-ms-error-code`` header); Speech to text does not (``{code, message, innerError}``).
    """
    code: str | None = None
    inner_code: str | None = None
    message = ""
    target: str | None = None
    try:
        body: Any = response.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        error = body["error"] if isinstance(body.get("error"), dict) else body
        code = str(error["code"]) if error.get("code") else None
        message = str(error.get("message") or "")
        target = str(error["target"]) if error.get("target") else None
        key = "innererror" if "innererror" in error else "innerError"
        inner_code = _innermost_code(error.get(key), key)
    elif response.content:
        message = response.text[:500]
    header_code = response.headers.get("x-ms-error-code")
    if header_code and not code:
        code = header_code
    request_id = next(
        (response.headers[h] for h in _REQUEST_ID_HEADERS if h in response.headers), None
    )
    status = response.status_code
    cls = error_class_for(status)
    request = response.request
    common: dict[str, Any] = {"method": request.method, "url": str(request.url)}
    if cls is ThrottledError:
        common["retry_after"] = retry_after_seconds(response.headers)
    return cls(
        status, code, inner_code, message or response.reason_phrase, target, request_id, **common
    )


class SpeechHTTP:
    """Authenticated, retrying HTTP access to one Speech resource.

    Args:
        settings: where the resource is and how to authenticate.
        transport: the httpx transport (the test seam); ``None`` for real network I/O.
        credential: an azure-identity credential; default: the key, else
            ``DefaultAzureCredential`` when ``settings.use_entra``.
        retry: retry bounds.
        sleep, clock, now, rng: injectable for tests, so nothing really waits.
        before_request: called before every attempt of every request (the quota hook).
    """

    def __init__(
        self,
        settings: SpeechSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        credential: TokenCredential | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
        rng: random.Random | None = None,
        before_request: RequestHook | None = None,
    ) -> None:
        self.settings = settings
        self.before_request = before_request
        self.base_url = settings.base_url
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self.clock = clock
        self.now = now or (lambda: datetime.now(UTC))
        self.rng = rng or random.Random()
        self._key = settings.key.get_secret_value() if settings.key is not None else None
        if credential is None and self._key is None:
            credential = default_azure_credential()
        self._credential = credential
        self._token: AccessTokenLike | None = None
        self._token_lock = threading.Lock()
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(settings.timeout_seconds),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def close(self) -> None:
        """Close the underlying connection pool."""
        self._client.close()

    def __repr__(self) -> str:
        auth = "entra" if self._credential is not None else "key"
        return f"SpeechHTTP(base_url={self.base_url!r}, auth={auth})"

    # -- auth ---------------------------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        if self._credential is None:
            assert self._key is not None
            return {"Ocp-Apim-Subscription-Key": self._key}
        with self._token_lock:
            token = self._token
            if token is None or token.expires_on - _TOKEN_REFRESH_MARGIN_SECONDS <= time.time():
                token = self._credential.get_token(COGNITIVE_SERVICES_SCOPE)
                register_secret(token.token)
                self._token = token
        return {"Authorization": f"Bearer {token.token}"}

    def _naming_the_setting(self, failure: SpeechHTTPError) -> SpeechHTTPError:
        """A refused key (401/403) fails at once (never retried), naming the setting to change
        and the endpoint it was used with; ``failure.setting`` carries the setting's name."""
        s = self.settings
        where = (
            f"SPEECHFLOWS_SPEECH_ENDPOINT={s.endpoint}"
            if s.endpoint
            else f"SPEECHFLOWS_SPEECH_REGION={s.region}"
        )
        if self._credential is None and failure.status == 401:
            setting = "SPEECHFLOWS_SPEECH_KEY"
            fix = (
                f"the key in {setting} was refused by the resource at {where}: set it to a key "
                "of that resource (Azure portal: Keys and Endpoint), or point the endpoint at "
                "the resource the key belongs to"
            )
        elif self._credential is None:
            setting = "SPEECHFLOWS_SPEECH_KEY"
            fix = (
                f"the resource at {where} does not allow this with the key in {setting} "
                "(Limited Access features need Microsoft's approval; the free F0 tier has no "
                "custom voice): use a key of a resource that may"
            )
        else:
            setting = "SPEECHFLOWS_SPEECH_USE_ENTRA"
            fix = (
                f"the Entra ID token ({setting}=true) was refused by the resource at {where}: "
                "give the identity a Speech role on it (Cognitive Services Speech Contributor)"
            )
        failure.args = (f"{failure.message} → {fix}",)
        failure.setting = setting
        return failure

    def _drop_token(self) -> None:
        with self._token_lock:
            self._token = None

    # -- urls ---------------------------------------------------------------------------------

    def rebase(self, url: str) -> str:
        """Point an absolute URL from the service (self, nextLink, Operation-Location) at our endpoint.

        The service may answer with its regional host while we talk to a custom domain; bearer
        tokens are host-scoped and keys must never go to another host, so only the origin changes.
        """
        parts = urlsplit(url)
        base = urlsplit(self.base_url)
        if not parts.scheme:
            return self.base_url + "/" + url.lstrip("/")
        if (parts.scheme, parts.netloc) == (base.scheme, base.netloc):
            return url
        return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))

    def is_own_origin(self, url: str) -> bool:
        """True when ``url`` is on the Speech endpoint (so credentials may be sent to it)."""
        parts, base = urlsplit(url), urlsplit(self.base_url)
        return (parts.scheme, parts.netloc) == (base.scheme, base.netloc)

    # -- requests -----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str | int | bool] | None = None,
        json: Any = None,
        content: bytes | None = None,
        data: Mapping[str, str] | None = None,
        files: Sequence[FileSpec] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
        idempotent: bool = False,
    ) -> httpx.Response:
        """Send a request with retries; return a 2xx/3xx response or raise a typed error.

        ``idempotent``: a POST that creates nothing (text to speech synthesis) is retried like
        a GET.

        Every attempt builds a fresh request (fresh token, rewound files, same multipart
        boundary), so a retry sends exactly the same bytes.
        """
        method = method.upper()
        hdrs = dict(headers or {})
        may_retry = (
            idempotent
            or method in _IDEMPOTENT_METHODS
            or (method == "POST" and any(k.lower() == "operation-id" for k in hdrs))
        )
        if files:
            hdrs.setdefault(
                "Content-Type", f"multipart/form-data; boundary={self.rng.getrandbits(128):032x}"
            )
        query = {k: _query_value(v) for k, v in (params or {}).items()}
        start = self.clock()
        attempt = 0
        refreshed = False
        while True:
            attempt += 1
            for _, (_, handle, _) in files or ():
                handle.seek(0)
            all_headers = {**hdrs, **(self._auth_headers() if authenticate else {})}
            req = self._client.build_request(
                method,
                url,
                params=query or None,
                json=json,
                content=content,
                data=dict(data) if data else None,
                files=list(files) if files else None,
                headers=all_headers,
            )
            shown = redact_url(str(req.url))
            if self.before_request is not None:
                self.before_request()
            try:
                response = self._client.send(req)
            except httpx.TimeoutException as exc:
                failure: SpeechError = SpeechTimeoutError(
                    self.settings.timeout_seconds,
                    kind=type(exc).__name__,
                    method=method,
                    url=shown,
                    attempts=attempt,
                )
                delay = self.retry.backoff(attempt, self.rng)
            except httpx.TransportError as exc:
                failure = SpeechConnectionError(
                    f"{type(exc).__name__}: {exc}", method=method, url=shown
                )
                delay = self.retry.backoff(attempt, self.rng)
            else:
                status = response.status_code
                if status < 400:
                    return response
                if status == 401 and self._credential is not None and not refreshed:
                    # A token can be revoked or rotated early: fetch a new one once.
                    refreshed = True
                    self._drop_token()
                    attempt -= 1
                    continue
                failure = error_from_response(response)
                if isinstance(failure, AuthenticationError | PermissionDeniedError):
                    raise self._naming_the_setting(failure)
                if status not in RETRYABLE_STATUSES:
                    raise failure
                hint = retry_after_seconds(response.headers, self.now)
                delay = hint if hint is not None else self.retry.backoff(attempt, self.rng)
            elapsed = self.clock() - start
            if (
                not may_retry
                or attempt >= self.retry.max_attempts
                or elapsed + delay > self.retry.total_seconds
            ):
                raise failure
            log.warning(
                "retrying %s %s in %.2f s (attempt %d/%d): %s",
                method,
                shown,
                delay,
                attempt + 1,
                self.retry.max_attempts,
                redact_text(failure.message),
            )
            self.sleep(delay)

    def get_json(self, url: str, params: Mapping[str, str | int | bool] | None = None) -> Any:
        """GET ``url`` and decode the JSON body."""
        response = self.request("GET", url, params=params)
        return decode_json(response)

    def iter_pages(
        self,
        url: str,
        *,
        params: Mapping[str, str | int | bool] | None = None,
        item_key: str,
        next_key: str,
    ) -> Iterator[dict[str, Any]]:
        """Yield every item of a paged list, following the next links to the end.

        Custom Voice pages are ``{"value", "nextLink"}``, Speech to text ``{"values", "@nextLink"}``;
        a bare JSON array (Custom Voice 2024-02-01-preview recipes, base models) is one page.
        """
        body = self.get_json(url, params)
        seen = {url}
        while True:
            if isinstance(body, list):
                yield from body
                return
            if not isinstance(body, dict):
                raise SpeechError(f"unexpected list response from {redact_url(url)}: not an object")
            yield from body.get(item_key) or []
            next_link = body.get(next_key)
            if not next_link:
                return
            next_url = self.rebase(str(next_link))
            if next_url in seen:
                raise SpeechError(f"the service returned a paging loop at {redact_url(next_url)}")
            seen.add(next_url)
            body = self.get_json(next_url)


def decode_json(response: httpx.Response) -> Any:
    """The response's JSON body; a clear error when it is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        raise SpeechError(
            f"{response.request.method} {redact_url(str(response.request.url))} answered "
            f"{response.status_code} without a JSON body"
        ) from None


def without_none(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the keys whose value is ``None`` (fields left out of a request body)."""
    return {k: v for k, v in values.items() if v is not None}


def _query_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
