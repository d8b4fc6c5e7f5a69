"""Where the poller's JSON continuation state is kept between runs (a Prefect Variable).

A task that starts a long-running operation saves the poller's continuation state under a name
derived from the resource and the content it was started for; a re-run (in another process, on
another worker, after a crash) loads it and re-attaches to the same operation instead of starting a
new one. Variables live on the Prefect server, so every worker sharing it sees them. The state holds
service URLs only, never a key or a SAS.
"""

from __future__ import annotations

import hashlib
import logging
import re

from prefect.variables import Variable

from speechflows.redaction import redact_text

_log = logging.getLogger(__name__)


def variable_name(*parts: str, namespace: str = "op") -> str:
    """A valid Variable name (lowercase, digits, '-' and '_') for the given parts.

    >>> variable_name("training set", "Jessica-TS", "abc123")[:33]
    'speechflows-op-training-set-jessi'
    >>> variable_name("x", namespace="staged")[:21]
    'speechflows-staged-x-'
    """
    readable = re.sub(r"[^a-z0-9_-]+", "-", "-".join(parts).lower()).strip("-")[:80]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return f"speechflows-{namespace}-{readable}-{digest}"


def save(name: str, state_json: str, *, tag: str = "continuation") -> None:
    """Persist ``state_json`` under ``name`` (overwrites)."""
    try:
        Variable.set(name, state_json, overwrite=True, tags=["speechflows", tag])
    except Exception as exc:  # the deterministic ids still allow re-attaching
        _log.warning("could not save continuation %s: %s", name, redact_text(str(exc)))


def load(name: str) -> str | None:
    """The saved continuation state, or None."""
    try:
        value = Variable.get(name, default=None)
    except Exception as exc:
        _log.warning("could not read continuation %s: %s", name, redact_text(str(exc)))
        return None
    return value if isinstance(value, str) else None


def forget(name: str) -> None:
    """Remove a saved state (after the operation reached a terminal state)."""
    try:
        Variable.unset(name)
    except Exception as exc:
        _log.debug("could not remove continuation %s: %s", name, redact_text(str(exc)))


__all__ = ["forget", "load", "save", "variable_name"]
