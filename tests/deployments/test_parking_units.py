"""Parking without a server: when a wait parks, what it hands over, and the README's automation."""

from __future__ import annotations

import json
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.events.schemas.automations import AutomationCore

from speechflows.deployments.setup import zombie_automation
from speechflows.speech.errors import PollingTimeoutError
from speechflows.speech.polling import ContinuationState
from speechflows.tasks.parking import ParkedWait
from speechflows.tasks.waiting import StillRunning, WaitOptions, parks_at

ROOT = Path(__file__).resolve().parents[2]
STATE = ContinuationState(
    api="speechtotext",
    resource_kind="models",
    resource_id="m1",
    resource_url="http://127.0.0.1:1/speechtotext/models/m1",
    started_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def _timeout() -> None:
    raise PollingTimeoutError("model", "m1", 600, "Running")


def test_a_wait_past_park_after_raises_still_running_with_its_continuation() -> None:
    wait = WaitOptions.of(60, 1, 30, park_after_minutes=10)
    assert wait.in_process_seconds == 600
    with pytest.raises(StillRunning) as caught, parks_at(wait, STATE, "model m1"):
        _timeout()
    still = caught.value
    handed = ContinuationState.from_json(still.continuation)
    assert (handed.resource_url, handed.started_at) == (STATE.resource_url, STATE.started_at)
    assert handed.deadline_seconds == 3600  # the stage's deadline, for the watcher's "stuck"
    assert "model m1 is still running" in str(still)
    assert not still.transient  # never retried by the task's retry policy


@pytest.mark.parametrize("park_after", [None, 60.0, 90.0])
def test_a_wait_that_does_not_park_keeps_its_deadline_timeout(park_after: float | None) -> None:
    # no park_after, or one at/after the deadline: the stage deadline ends the wait as before
    wait = WaitOptions.of(60, 1, 30, park_after_minutes=park_after)
    assert wait.in_process_seconds == 3600
    with pytest.raises(PollingTimeoutError), parks_at(wait, STATE, "model m1"):
        _timeout()
    in_process = WaitOptions.of(60, 1, 30, park_after_minutes=10).in_process()
    with pytest.raises(PollingTimeoutError), parks_at(in_process, STATE, "model m1"):
        _timeout()


def test_a_parked_wait_is_overdue_past_its_stage_deadline() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    parked = ParkedWait(
        flow_run_id=str(uuid.uuid4()),
        key="speech model m",
        what="model m",
        continuation=STATE.to_json(),
        started_at=start,
        deadline_seconds=3600,
        parked_at=start + timedelta(minutes=10),
    )
    assert not parked.overdue(start + timedelta(minutes=59))
    assert parked.overdue(start + timedelta(minutes=61))
    assert parked.variable.startswith("speechflows-parked-")
    assert ParkedWait.model_validate_json(parked.model_dump_json()) == parked
    assert len(parked.model_dump_json()) < 5000  # a Prefect Variable value holds 5000 chars


def test_the_zombie_automation_leaves_suspended_runs_alone() -> None:
    assert "prefect.flow-run.Suspended" in zombie_automation().trigger.expect  # type: ignore[union-attr]


def test_the_readme_stuck_automation_is_a_valid_prefect_automation() -> None:
    readme = (ROOT / "README.md").read_text()
    (block,) = [b for b in re.findall(r"```json\n(.*?)```", readme, re.S) if "operation.stuck" in b]
    data = json.loads(block.replace(re.findall(r'"<id of[^"]*>"', block)[0], f'"{uuid.uuid4()}"'))
    automation = AutomationCore.model_validate(data)
    assert automation.trigger.expect == {"speechflows.operation.stuck"}  # type: ignore[union-attr]
    assert automation.actions[0].type == "send-notification"
