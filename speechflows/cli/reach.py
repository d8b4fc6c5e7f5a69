"""The Speech service from a terminal: a bounded wait, then one line naming the setting.

A flow may wait minutes for a service that hiccups (its retries are the service's, its runs are
watched); a person at a terminal waits at most :data:`CLI_WAIT_SECONDS` (issue 27). ``list``,
``delete`` and ``cancel`` build their clients with :func:`speech_clients`; ``try`` asks
:func:`check_reachable` before it starts a flow run. An endpoint that refuses the connection or
never answers then ends the command in one line: ``cannot reach the Speech service at
SPEECHFLOWS_SPEECH_ENDPOINT=… → check …`` (:func:`speechflows.cli.failures.explain`). The
retry warnings of the wait are not printed (the last line says what happened).

Imported by the commands when they run (the Speech clients are not light).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from typer._click.globals import get_current_context

from speechflows.cli.failures import debug_enabled
from speechflows.settings import SpeechSettings, load_speech_settings
from speechflows.speech import CustomSpeechClient, CustomVoiceClient
from speechflows.speech.errors import SpeechConnectionError, SpeechError
from speechflows.speech.http import RetryPolicy, SpeechHTTP

CLI_WAIT_SECONDS = 15.0
"""The longest a command waits on a Speech endpoint that does not answer."""
ATTEMPT_SECONDS = 10.0
"""One request's timeout at the CLI (connect, then read); retries start only within the rest."""


def bounded(settings: SpeechSettings) -> tuple[SpeechSettings, RetryPolicy]:
    """``settings`` with a request timeout of at most :data:`ATTEMPT_SECONDS`, and a retry
    policy that starts no retry past ``CLI_WAIT_SECONDS - ATTEMPT_SECONDS``: every request
    (its retries included) ends within :data:`CLI_WAIT_SECONDS`.

    A timeout the user set (SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS, for a slow service) is kept:
    the bound is the default, the setting the way past it."""
    chosen = "timeout_seconds" in settings.model_fields_set
    timeout = settings.timeout_seconds if chosen else min(settings.timeout_seconds, ATTEMPT_SECONDS)
    quick = settings.model_copy(update={"timeout_seconds": timeout})
    return quick, RetryPolicy(total_seconds=max(CLI_WAIT_SECONDS - timeout, 0.0))


def speech_clients() -> tuple[CustomVoiceClient, CustomSpeechClient]:
    """Both Speech clients of the configured resource, each request bounded (:func:`bounded`);
    inside a command, its retry warnings stay quiet until the command ends (:func:`quiet_retries`).
    """
    settings, retry = bounded(load_speech_settings())
    ctx = get_current_context(silent=True)
    if ctx is not None:
        ctx.with_resource(quiet_retries())
    return CustomVoiceClient(settings, retry=retry), CustomSpeechClient(settings, retry=retry)


def check_reachable(settings: SpeechSettings | None = None) -> None:
    """Refuse, within :data:`CLI_WAIT_SECONDS`, a Speech endpoint nobody answers at.

    Any HTTP answer counts (the key is checked by the first real request).

    Raises:
        SpeechConnectionError: refused, reset or timed out (:func:`~speechflows.cli.failures.
            explain` names the setting and the fix).
    """
    quick, retry = bounded(settings or load_speech_settings())
    http = SpeechHTTP(quick, retry=retry)
    try:
        http.request("GET", quick.base_url, authenticate=False)
    except SpeechConnectionError:
        raise
    except SpeechError:
        return  # it answered (a 404 at the root is an answer)
    finally:
        http.close()


@contextmanager
def quiet_retries() -> Iterator[None]:
    """Leave out the Speech client's ``retrying …`` warnings while the command waits: the
    command's last line says what happened (``--debug`` keeps them)."""
    if debug_enabled():
        yield
        return
    logger = logging.getLogger("speechflows.speech")  # the Speech client's HTTP layer
    drop = _DropRetries()
    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


class _DropRetries(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("retrying ")


__all__ = ["CLI_WAIT_SECONDS", "bounded", "check_reachable", "quiet_retries", "speech_clients"]
