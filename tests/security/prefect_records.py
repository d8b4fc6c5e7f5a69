"""Everything the Prefect server holds about a set of flow runs, read back as text.

Flow runs (parameters, every state and its message), task runs (inputs, every state), logs,
artifacts (every type, every version, and the latest-artifact collections), Variables (the
continuation-state store) and events — through the Prefect client and the REST API, as any UI,
CLI or automation would read them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx

PAGE = 200


@dataclass
class Records:
    """What was read, as (where, text) pairs, with counts for the sanity checks."""

    items: list[tuple[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    artifact_types: set[str] = field(default_factory=set)
    artifact_keys: set[str] = field(default_factory=set)
    event_names: set[str] = field(default_factory=set)

    def add(self, channel: str, where: str, text: str) -> None:
        self.items.append((f"{channel} {where}", text))
        self.counts[channel] = self.counts.get(channel, 0) + 1


def _dump(obj: Any) -> str:
    dump = getattr(obj, "model_dump_json", None)
    return str(dump()) if callable(dump) else repr(obj)


async def _flow_runs(client: Any, ids: list[UUID], out: Records) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    run_filter = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    for run in await client.read_flow_runs(flow_run_filter=run_filter):
        out.add("flow run", f"{run.name} ({run.id})", _dump(run))
        for state in await client.read_flow_run_states(run.id):
            out.add("flow run state", f"{run.name} {state.name}", _dump(state))
    offset = 0
    while True:
        page = await client.read_task_runs(flow_run_filter=run_filter, limit=PAGE, offset=offset)
        for task_run in page:
            out.add("task run", f"{task_run.name} ({task_run.id})", _dump(task_run))
            for state in await client.read_task_run_states(task_run.id):
                out.add("task run state", f"{task_run.name} {state.name}", _dump(state))
        if len(page) < PAGE:
            break
        offset += PAGE


async def _logs(client: Any, ids: list[UUID], out: Records) -> None:
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    log_filter = LogFilter(flow_run_id=LogFilterFlowRunId(any_=ids))
    offset = 0
    while True:
        page = await client.read_logs(log_filter=log_filter, limit=PAGE, offset=offset)
        for log in page:
            out.add("log", f"{log.name} {log.level} {log.timestamp}", f"{log.message} {_dump(log)}")
        if len(page) < PAGE:
            break
        offset += PAGE


async def _artifacts(client: Any, ids: list[UUID], out: Records) -> None:
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    run_filter = FlowRunFilter(id=FlowRunFilterId(any_=ids))
    for artifact in await client.read_artifacts(flow_run_filter=run_filter, limit=200):
        out.artifact_types.add(str(artifact.type))
        out.artifact_keys.add(str(artifact.key))
        out.add("artifact", f"{artifact.type} {artifact.key}", _dump(artifact))
    for latest in await client.read_latest_artifacts(flow_run_filter=run_filter, limit=200):
        out.add("artifact collection", str(latest.key), _dump(latest))


async def _variables(client: Any, out: Records) -> None:
    for variable in await client.read_variables(limit=200):
        out.add("variable", variable.name, _dump(variable))


async def read_server(flow_run_ids: list[UUID]) -> Records:
    """Flow runs, task runs, states, logs, artifacts and Variables of these flow runs."""
    from prefect import get_client

    out = Records()
    async with get_client() as client:
        await _flow_runs(client, flow_run_ids, out)
        await _logs(client, flow_run_ids, out)
        await _artifacts(client, flow_run_ids, out)
        await _variables(client, out)
    return out


def read_records(flow_run_ids: list[UUID]) -> Records:
    """:func:`read_server`, from synchronous code."""
    return asyncio.run(read_server(flow_run_ids))


def read_events(api_url: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Every event that occurred in ``[since, until]`` (``POST /events/filter`` and its pages)."""
    body = {
        "filter": {
            "occurred": {"since": since.isoformat(), "until": until.isoformat()},
            "order": "ASC",
        },
        "limit": 50,
    }
    events: list[dict[str, Any]] = []
    with httpx.Client(timeout=30) as http:
        response = http.post(f"{api_url.rstrip('/')}/events/filter", json=body)
        while True:
            response.raise_for_status()
            page = response.json()
            events.extend(page.get("events") or [])
            next_page = page.get("next_page")
            if not next_page:
                return events
            response = http.get(next_page)


def wait_for_events(
    api_url: str,
    since: datetime,
    until: Callable[[], datetime],
    done: Callable[[list[dict[str, Any]]], bool],
    timeout: float = 90.0,
) -> list[dict[str, Any]]:
    """Poll :func:`read_events` until ``done(events)`` (events are persisted in batches)."""
    deadline = time.monotonic() + timeout
    events = read_events(api_url, since, until())
    while not done(events) and time.monotonic() < deadline:
        time.sleep(0.5)
        events = read_events(api_url, since, until())
    return events


__all__ = ["Records", "read_events", "read_records", "wait_for_events"]
