"""Third-party loggers that print request URLs are redacted at the source (fix found by the audit).

httpx logs ``HTTP Request: GET <url> "HTTP/1.1 200 OK"`` at INFO for every request; the Speech
client GETs a dataset report through its content URL, which is a SAS. Importing the client
attaches a redacting filter to the ``httpx`` logger, so no handler ever sees the signature.
"""

from __future__ import annotations

import logging
import secrets

import httpx
import pytest

import speechflows.speech.http  # noqa: F401 - importing the client installs the filter
from speechflows.redaction import RedactingFilter, redact_logger, register_secret


def _sas() -> tuple[str, str]:
    sig = secrets.token_urlsafe(32)
    return sig, f"https://acct.blob.core.windows.net/reports/r.json?sv=2026&sp=r&sig={sig}"


def test_httpx_request_log_carries_no_signature(caplog: pytest.LogCaptureFixture) -> None:
    sig, url = _sas()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={})

    caplog.set_level(logging.INFO, logger="httpx")
    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        client.get(url)
    lines = [r.getMessage() for r in caplog.records if r.name == "httpx"]
    assert lines and "sig=REDACTED" in lines[0]
    assert not any(sig in line for line in lines)


def test_filter_redacts_registered_secrets_and_keeps_clean_records() -> None:
    key = "audit-" + secrets.token_hex(16)
    register_secret(key)
    dirty = logging.LogRecord("x", logging.INFO, __file__, 1, "key %s in %s", (key, "h"), None)
    clean = logging.LogRecord("x", logging.INFO, __file__, 1, "%d files", (3,), None)
    assert RedactingFilter().filter(dirty) and RedactingFilter().filter(clean)
    assert dirty.getMessage() == "key REDACTED in h"
    assert (clean.msg, clean.args) == ("%d files", (3,))  # untouched when nothing to redact


def test_redact_logger_attaches_one_filter() -> None:
    redact_logger("speechflows.audit.probe")
    redact_logger("speechflows.audit.probe")
    filters = logging.getLogger("speechflows.audit.probe").filters
    assert sum(isinstance(f, RedactingFilter) for f in filters) == 1


def test_urllib3_lines_stay_redacted_after_a_logging_reconfiguration(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The storage check's SDK calls log urllib3 request lines at DEBUG, SAS query included.

    A logging configuration applied after import (as a flow run's start applies Prefect's) can
    leave the logger without our filter; the redacting record factory still cleans the line.
    """
    import speechflows.storage.account  # noqa: F401 - importing it registers urllib3

    sig = secrets.token_urlsafe(32)
    logger = logging.getLogger("urllib3.connectionpool")
    saved = list(logger.filters)
    for f in saved:
        logger.removeFilter(f)  # what a reconfiguration that replaces the filters leaves
    try:
        caplog.set_level(logging.DEBUG, logger="urllib3.connectionpool")
        logger.debug(
            '%s://%s:%s "%s %s %s" %s %s',
            "http",
            "127.0.0.1",
            10000,
            "PUT",
            f"/devstoreaccount1/c/probe?sv=2026&sp=rl&sig={sig}",
            "HTTP/1.1",
            403,
            0,
        )
    finally:
        for f in saved:
            logger.addFilter(f)
    lines = [r.getMessage() for r in caplog.records if r.name == "urllib3.connectionpool"]
    assert lines and "sig=REDACTED" in lines[-1]
    assert not any(sig in line for line in lines)
