"""A waiting task says what it waits for at least every minute, without flooding the log.

Issue 26: a wait sat silent for hours. ``tasks/waiting.progress_callback`` turns the poller's
observations into run-log lines (status, time waited, deadline): one at the first poll, one on
every change of status, and — the throttle pinned here — one at least every minute while the
status stays the same, but not one per poll. Time is a fake clock that only the poller's sleeps
move, so minutes of waiting take milliseconds.
"""

from __future__ import annotations

import itertools
import random

import httpx
import pytest

from speechflows.speech import CustomSpeechClient, polling
from speechflows.tasks.waiting import progress_callback, progress_line
from tests.speech.spec_support import ENDPOINT, FakeTime, settings

WHAT = "dataset faq"
DEADLINE = 180 * 60.0
# The figure (not the module's constant, so that changing it fails here): a line at
# least every minute, and lines at least 40 s apart (the poller may call every 20 s).
MINUTE = 60.0
LEAST_APART = 40.0
DS_URL = f"{ENDPOINT}/speechtotext/datasets/d1?api-version=2025-10-15"


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("pace", [0.5, 5.0, 7.0, 13.0, 19.0, 20.0])
def test_an_unchanged_status_is_logged_at_least_every_minute_and_not_at_every_poll(
    pace: float,
) -> None:
    """The poller calls at least every 20 s (``PROGRESS_EVERY_SECONDS``); at any pace up to
    that, the lines come 40 to 60 s apart, each with the status, time waited and deadline."""
    assert polling.PROGRESS_EVERY_SECONDS <= 20.0  # the slowest pace below
    time = FakeTime()
    lines: list[tuple[float, str]] = []
    on_progress = progress_callback(
        None, WHAT, DEADLINE, log=lambda line: lines.append((time.t, line)), clock=time.clock
    )
    while time.t <= 10 * 60:
        on_progress(polling.PollProgress("dataset", "d1", "Running", 1, time.t, DEADLINE))
        time.sleep(pace)
    times = [t for t, _ in lines]
    assert times[0] == 0.0  # the first observation
    assert max(_gaps(times)) <= MINUTE, times  # never a silent minute
    assert min(_gaps(times)) >= LEAST_APART, times
    assert times[-1] > 10 * 60 - MINUTE  # ... to the end of the wait
    for t, line in lines:
        assert line == progress_line(WHAT, "Running", t, DEADLINE), line
        minutes, seconds = divmod(int(t), 60)
        assert f"Running, waited {minutes}m {seconds:02d}s of the 180 min deadline" in line


def test_a_change_of_status_is_logged_at_once() -> None:
    time = FakeTime()
    lines: list[tuple[float, str]] = []
    on_progress = progress_callback(
        None, WHAT, DEADLINE, log=lambda line: lines.append((time.t, line)), clock=time.clock
    )
    for status in ["NotStarted", "NotStarted", "Running", "Running", "Succeeded"]:
        on_progress(polling.PollProgress("dataset", "d1", status, 1, time.t, DEADLINE))
        time.sleep(3)
    assert [(t, line.split(": ", 1)[1].split(",")[0]) for t, line in lines] == [
        (0.0, "NotStarted"),
        (6.0, "Running"),
        (12.0, "Succeeded"),
    ]


class _Service:
    """A dataset that is NotStarted, then Running for a while (the flows' backoff: 5 s doubling
    to 60 s, jittered), then answers with ``Retry-After: 300`` twice, then Succeeds."""

    def __init__(self, time: FakeTime) -> None:
        self.time = time

    def __call__(self, request: httpx.Request) -> httpx.Response:
        t = self.time.t
        status = "NotStarted" if t < 30 else "Running" if t < 1500 else "Succeeded"
        headers = {"Retry-After": "300"} if 900 <= t < 1500 else {}
        body = {
            "self": DS_URL,
            "displayName": "faq",
            "locale": "en-US",
            "kind": "Language",
            "status": status,
            "properties": {},
        }
        return httpx.Response(200, json=body, headers=headers)


@pytest.mark.parametrize("seed", range(5))
def test_a_wait_through_the_poller_never_goes_a_minute_without_a_line(seed: int) -> None:
    """The real poller, its backoff (jittered) and a long ``Retry-After``, feeding the callback:
    25 minutes of waiting, a line at least every minute, 40 s apart at the least."""
    time = FakeTime()
    lines: list[tuple[float, str]] = []
    on_progress = progress_callback(
        None, WHAT, DEADLINE, log=lambda line: lines.append((time.t, line)), clock=time.clock
    )
    client = CustomSpeechClient(
        settings(),
        transport=httpx.MockTransport(_Service(time)),
        sleep=time.sleep,
        clock=time.clock,
    )
    client.http.rng = random.Random(seed)
    with client:
        done = polling.wait_for_dataset(
            client,
            DS_URL,
            min_interval=5,
            max_interval=60,
            progress=on_progress,
            sleep=time.sleep,
            clock=time.clock,
        )
    assert str(done.status) == "Succeeded" and time.t >= 1500
    statuses = [line.split(": ", 1)[1].split(",")[0] for _, line in lines]
    assert statuses[0] == "NotStarted" and statuses[-1] == "Succeeded", statuses
    times = [t for t, _ in lines]
    assert max(_gaps(times)) <= MINUTE, times
    # Not a line per poll: apart from the changes of status, 40 s apart at the least.
    pairs = list(zip(times, statuses, [None, *statuses[:-1]], strict=True))
    unchanged = [t for t, status, before in pairs if status == before]
    starts = [t for t, status, before in pairs if status != before]
    for t in unchanged:
        before = max(x for x in times if x < t)
        assert t - before >= LEAST_APART, (t, times)
    assert len(starts) == 3 and len(unchanged) >= 1500 // MINUTE - 3
