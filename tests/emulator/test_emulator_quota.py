"""The emulator's quota, alone: raw httpx requests, counted by the test (ledger: "Quotas and
throttling"). Past N requests in the window a key gets 429 with an integer ``Retry-After``; the
refused request has no effect; another key has its own window; the window slides."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from speechflows.emulator import EmulatorConfig, create_app, stop_app
from speechflows.emulator.core.config import parse_quota
from speechflows.emulator.core.faults import Quota
from speechflows.emulator.inprocess import InProcessTransport
from tests.fixtures.emulator import EmulatorService

PROJECTS = "/speechtotext/projects"
VERSION = {"api-version": "2025-10-15"}


def _project(i: int) -> dict[str, str]:
    return {"displayName": f"quota-{i}", "locale": "en-US"}


@pytest.fixture
def bearer_emulator(tmp_path: Path) -> Iterator[httpx.Client]:
    app = create_app(
        EmulatorConfig(
            data_dir=tmp_path / "emu",
            key="quota-key-0123456789abcdef",
            accept_bearer=True,
            quota=parse_quota("3/30s"),
        )
    )
    try:
        with httpx.Client(transport=InProcessTransport(app), base_url="http://emu.test") as c:
            yield c
    finally:
        stop_app(app)


def test_n_plus_one_requests_in_the_window_get_429_with_retry_after(
    tmp_path: Path,
) -> None:
    """Through ``python -m speechflows.emulator --quota 4/3s``: the CLI option reaches the gate."""
    service = EmulatorService(tmp_path / "emu", quota="4/3s").start()
    try:
        headers = {"Ocp-Apim-Subscription-Key": service.key}
        with httpx.Client(base_url=service.base_url, headers=headers, timeout=10) as c:
            statuses = [c.get(PROJECTS, params=VERSION).status_code for _ in range(4)]
            started = time.monotonic()
            refused = c.get(PROJECTS, params=VERSION)
            assert statuses == [200] * 4
            assert refused.status_code == 429
            wait = int(refused.headers["Retry-After"])
            assert 1 <= wait <= 3
            assert refused.json()["code"] == "TooManyRequests"
            # Retry-After is honest: once it has passed, the same key is served again.
            time.sleep(max(0.0, wait - (time.monotonic() - started)))
            assert c.get(PROJECTS, params=VERSION).status_code == 200
    finally:
        service.stop()


def test_the_quota_is_per_key_and_a_refused_create_has_no_effect(
    bearer_emulator: httpx.Client,
) -> None:
    a = {"Authorization": "Bearer token-a"}
    b = {"Authorization": "Bearer token-b"}
    for i in range(3):
        r = bearer_emulator.post(PROJECTS, params=VERSION, json=_project(i), headers=a)
        assert r.status_code == 201, r.text
    refused = bearer_emulator.post(PROJECTS, params=VERSION, json=_project(99), headers=a)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    # key b has its own window: served, and it sees that the refused create made nothing
    listed = bearer_emulator.get(PROJECTS, params=VERSION, headers=b)
    assert listed.status_code == 200
    names = sorted(p["displayName"] for p in listed.json()["values"])
    assert names == ["quota-0", "quota-1", "quota-2"]
    state = bearer_emulator.get("/_emulator/state").json()
    assert state["faults"]["quota"]["throttled"] == 1


@pytest.mark.parametrize(
    ("text", "requests", "window"),
    [("50/10s", 50, 10.0), ("100/10", 100, 10.0), ("600/1m", 600, 60.0), ("5/500ms", 5, 0.5)],
)
def test_quota_syntax(text: str, requests: int, window: float) -> None:
    limit = parse_quota(text)
    assert (limit.requests, limit.window_seconds) == (requests, window)


def test_a_bad_quota_names_the_fix() -> None:
    with pytest.raises(ValueError, match=r"e\.g\. 50/10s"):
        parse_quota("fifty per ten")


def test_the_peaks_count_the_busiest_window_of_sent_and_served_requests() -> None:
    """``peak_sent`` counts refused requests too, ``peak_accepted`` never exceeds the quota."""
    quota = Quota(parse_quota("3/10s"))
    # 5 requests at t=0..4 (2 refused), then quiet until the window has slid past them all.
    waits = [quota.check("k", now=float(t)) for t in range(5)]
    assert waits == [None, None, None, 7, 6]
    assert quota.check("k", now=20.0) is None  # the window slid: a lone request
    assert quota.check("other", now=20.5) is None  # another key, its own window
    snap = quota.snapshot()
    assert (snap["accepted"], snap["throttled"]) == (5, 2)
    assert (snap["peak_sent"], snap["peak_accepted"]) == (5, 3)
