"""Flush this process's Prefect log and event workers while their server still listens.

Prefect sends a run's last logs and events from background workers that it drains at interpreter
exit. When the server is a temporary one this process stops first (``speechflows onboard``,
``speechflows demo``), that is too late: the exit prints "Error logging to API" and waits out
connection timeouts. Call :func:`drain_prefect_workers` before stopping such a server.
"""

from __future__ import annotations

from prefect.events.worker import EventsWorker
from prefect.logging.handlers import APILogWorker


def drain_prefect_workers(timeout: float = 10.0) -> None:
    """Send what the log and event workers still hold; wait at most ``timeout`` s for each."""
    APILogWorker.drain_all(timeout=timeout)
    EventsWorker.drain_all(timeout=timeout)


__all__ = ["drain_prefect_workers"]
