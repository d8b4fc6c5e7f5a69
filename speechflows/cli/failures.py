"""Expected failures end in one line that names the setting and the fix, never a traceback.

:class:`CleanGroup` is the root command's class: a settings error, a refused input, a service
that cannot be reached or refuses the key, or a Prefect API that does not answer, is printed as
one line on stderr and the command exits 2. ``speechflows --debug`` (or ``SPEECHFLOWS_DEBUG=1``)
keeps the traceback. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

import typer
from typer._click.core import Context
from typer._click.exceptions import ClickException
from typer.core import TyperGroup

from speechflows.redaction import redact_text

DEBUG_ENV = "SPEECHFLOWS_DEBUG"


def debug_enabled() -> bool:
    """``speechflows --debug`` (or SPEECHFLOWS_DEBUG=1): tracebacks of expected failures too."""
    return os.environ.get(DEBUG_ENV, "") not in ("", "0")


def _speech_where() -> str:
    endpoint = os.environ.get("SPEECHFLOWS_SPEECH_ENDPOINT")
    region = os.environ.get("SPEECHFLOWS_SPEECH_REGION")
    if endpoint:
        return f"SPEECHFLOWS_SPEECH_ENDPOINT={endpoint}"
    return f"SPEECHFLOWS_SPEECH_REGION={region}" if region else "no endpoint or region set"


def explain(exc: BaseException) -> str | None:
    """One line (what → fix) for an expected failure, or None for a bug."""
    import httpx

    from speechflows.datasets.errors import StagingError
    from speechflows.settings import SettingsError

    if isinstance(exc, SettingsError):
        return f"{exc} → set it in the environment (after make up: source .speechflows/dev/env)"
    if isinstance(exc, StagingError):
        return f"{exc.problem} → {exc.fix}"
    speech = _speech_problem(exc)
    if speech is not None:
        return speech
    if isinstance(exc, RuntimeError) and str(exc).startswith("Failed to reach API at"):
        # Prefect's client, starting a flow run: its version check found no server there
        cause = exc.__cause__
        return _prefect_unreachable(type(cause).__name__ if cause else "no answer")
    if isinstance(exc, httpx.TransportError):
        from prefect.settings import PREFECT_API_URL

        api = PREFECT_API_URL.value()
        host = urlsplit(str(exc.request.url)).netloc if _has_request(exc) else ""
        if api and host and host in api:
            return _prefect_unreachable(type(exc).__name__)
        return f"cannot reach {host or 'a service'} ({type(exc).__name__}: {exc}) → check the network and the settings naming it"
    return None


def _prefect_unreachable(why: str) -> str:
    from prefect.settings import PREFECT_API_URL

    return (
        f"cannot reach the Prefect API at PREFECT_API_URL={PREFECT_API_URL.value()} ({why}) → "
        "start it (speechflows dev up) or set PREFECT_API_URL to a running server (unset: a "
        "temporary local one)"
    )


def _has_request(exc: Any) -> bool:
    try:
        return exc.request is not None
    except RuntimeError:
        return False


def _speech_problem(exc: BaseException) -> str | None:
    from speechflows.speech.errors import (
        AuthenticationError,
        PermissionDeniedError,
        SpeechConnectionError,
        SpeechError,
    )

    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return (
            f"the Speech service refused the key (HTTP {exc.status}) at {_speech_where()} → "
            "set SPEECHFLOWS_SPEECH_KEY to a key of that resource (Azure portal: the resource's "
            "Keys and Endpoint), or point SPEECHFLOWS_SPEECH_ENDPOINT/REGION at the resource the key "
            "belongs to"
        )
    if isinstance(exc, SpeechConnectionError):
        return (
            f"cannot reach the Speech service at {_speech_where()} ({exc.message}) → check "
            "SPEECHFLOWS_SPEECH_ENDPOINT (or SPEECHFLOWS_SPEECH_REGION) and the network; locally, "
            "start the emulator: speechflows dev up"
        )
    if isinstance(exc, SpeechError):
        return exc.message
    return None


class CleanGroup(TyperGroup):
    """The root group: expected failures become one line and exit status 2."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, ClickException):
            raise
        except Exception as exc:
            if debug_enabled():
                raise
            line = explain(exc)
            if line is None:
                raise
            typer.echo(redact_text(line), err=True)
            raise typer.Exit(2) from None
