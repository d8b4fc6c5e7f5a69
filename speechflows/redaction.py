"""Redaction of secrets in URLs and free text.

Keys and SAS tokens must never reach a log line, an artifact, an event, a persisted result or an
exception message. Everything that prints a URL goes through :func:`redact_url`; everything that
prints free text that may embed one goes through :func:`redact_text`.

>>> redact_url("https://a.blob.core.windows.net/c?sv=2026&sig=abc%3D&sp=rl")
'https://a.blob.core.windows.net/c?sv=2026&sig=REDACTED&sp=rl'
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

REDACTED = "REDACTED"

# Query parameters that carry credentials (SAS signature, delegation key material, keys).
_SECRET_PARAMS = frozenset(
    {
        "sig",
        "skoid",
        "sktid",
        "skt",
        "ske",
        "sks",
        "skv",
        "saoid",
        "suoid",
        "scid",
        "code",
        "subscription-key",
        "key",
        "token",
        "access_token",
    }
)
_URL_RE = re.compile(r"https?://[^\s'\"<>]+")
_HEADER_RE = re.compile(
    r"(?i)(ocp-apim-subscription-key|authorization|accountkey|sharedaccesssignature)(\s*[:=]\s*)"
    r"(bearer\s+)?([^\s;,'\"]+)"
)
# A credential parameter in a query that is not part of a full URL: urllib3 logs
# ``http://host:port "PUT /container/blob?sv=…&sig=… HTTP/1.1" 403 0``, the path apart.
_QUERY_PARAM_RE = re.compile(
    r"(?i)([?&](?:" + "|".join(re.escape(p) for p in sorted(_SECRET_PARAMS)) + r")=)[^&\s'\"<>#]+"
)
_known_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that :func:`redact_text` removes it wherever it appears."""
    if value and len(value) >= 6:
        _known_secrets.add(value)


def redact_url(url: str) -> str:
    """Return ``url`` with every credential-bearing query parameter replaced by ``REDACTED``."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if not any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
        return url  # nothing to hide: re-encoding would only alter it (``)`` → ``%29``)
    query = [(k, REDACTED if k.lower() in _SECRET_PARAMS else v) for k, v in pairs]
    return urlunsplit(parts._replace(query=urlencode(query, safe="/:")))


def strip_query(url: str) -> str:
    """Return ``url`` without its query string (for display of SAS URLs)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))


def redact_text(text: str) -> str:
    """Redact URLs, credential headers and registered secrets inside free text."""
    out = _URL_RE.sub(lambda m: redact_url(m.group(0)), text)
    out = _QUERY_PARAM_RE.sub(lambda m: f"{m.group(1)}{REDACTED}", out)
    out = _HEADER_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}{REDACTED}", out)
    for secret in _known_secrets:
        if secret in out:
            out = out.replace(secret, REDACTED)
    return out


class RedactingFilter(logging.Filter):
    """Redact a log record's message in place (URLs, credential headers, registered secrets).

    Attached to third-party loggers that print request URLs (``httpx`` logs every request at
    INFO, a SAS URL included), so every handler downstream sees the redacted text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_redacted_loggers: set[str] = set()


def _redacting_factory(
    inner: Callable[..., logging.LogRecord],
) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = inner(*args, **kwargs)
        name = record.name
        if name in _redacted_loggers or name.split(".", 1)[0] in _redacted_loggers:
            _REDACTOR.filter(record)
        return record

    make.speechflows_redacting = True  # type: ignore[attr-defined]
    return make


_REDACTOR = RedactingFilter()


def redact_logger(name: str) -> None:
    """Redact every record of the logger ``name`` (and, for a top-level name, its children).

    Twice over: a :class:`RedactingFilter` on the logger, and the log record factory, which
    redacts the record as it is made. A filter alone is not enough: a logging configuration
    applied later (Prefect configures logging when a flow run starts) can replace a logger's
    filters, and a urllib3 DEBUG line then printed a read-only SAS; the factory is process-wide
    and no logging configuration touches it.
    """
    logger = logging.getLogger(name)
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(RedactingFilter())
    _redacted_loggers.add(name)
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "speechflows_redacting", False):
        logging.setLogRecordFactory(_redacting_factory(factory))
