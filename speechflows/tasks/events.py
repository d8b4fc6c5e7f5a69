"""Prefect events named ``speechflows.*``, for automations (e.g. "voice ready → notify").

Every event names its resource as ``speechflows.<kind>.<id>`` and carries only ids, counts and
redacted URLs in its payload.

>>> resource_id("training set", "jessica-ts")
'speechflows.training-set.jessica-ts'
"""

from __future__ import annotations

import logging
from typing import Any

from prefect.events import emit_event

from speechflows.redaction import redact_text

_log = logging.getLogger(__name__)


def resource_id(kind: str, rid: str) -> str:
    """The Prefect resource id of a Speech resource."""
    return f"speechflows.{kind.lower().replace(' ', '-')}.{rid}"


def emit(
    event: str,
    *,
    kind: str,
    rid: str,
    payload: dict[str, Any] | None = None,
    related: list[tuple[str, str]] | None = None,
) -> None:
    """Emit ``speechflows.<event>`` about resource ``kind``/``rid``; never fails the caller.

    Args:
        event: the suffix, e.g. "training-set.succeeded" → ``speechflows.training-set.succeeded``.
        kind: resource kind, e.g. "training set".
        rid: resource id.
        payload: ids and figures (no secrets; strings are redacted anyway).
        related: (kind, id) pairs of related resources (e.g. the project).
    """
    name = event if event.startswith("speechflows.") else f"speechflows.{event}"
    resource = {
        "prefect.resource.id": resource_id(kind, rid),
        "prefect.resource.name": rid,
        "speechflows.kind": kind,
    }
    rel = [
        {"prefect.resource.id": resource_id(k, i), "prefect.resource.role": k.replace(" ", "-")}
        for k, i in (related or [])
    ]
    clean = {k: redact_text(v) if isinstance(v, str) else v for k, v in (payload or {}).items()}
    try:
        emit_event(event=name, resource=resource, related=rel or None, payload=clean)
    except Exception as exc:  # an event is a notification, not a step
        _log.warning("could not emit %s: %s", name, redact_text(str(exc)))


__all__ = ["emit", "resource_id"]
