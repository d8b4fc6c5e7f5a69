"""In-process emulator fixtures: a fresh app per test, a client whose every response is checked
against the official spec (see spec_check.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from speechflows.emulator import EmulatorConfig, create_app, stop_app
from speechflows.emulator.inprocess import InProcessTransport
from tests.emulator.spec_check import ConformanceRecorder
from tests.fixtures.emulator import EmulatorService

KEY = "test-key-0123456789abcdef"


def voice_project(
    client: httpx.Client, pid: str = "Jessica", kind: str = "ProfessionalVoice"
) -> None:
    """Create Custom Voice project ``pid`` (en-US) and check that it was created."""
    r = client.put(
        f"/customvoice/projects/{pid}?api-version=2026-01-01",
        json={"kind": kind, "locale": "en-US"},
    )
    assert r.status_code == 201, r.text


@pytest.fixture
def emu_config(tmp_path: Path) -> EmulatorConfig:
    return EmulatorConfig(
        data_dir=tmp_path / "emu",
        key=KEY,
        step_seconds=0.01,
        model_training_seconds=0.05,
        min_utterance_count=3,
    )


@pytest.fixture
def emu_app(emu_config: EmulatorConfig) -> Iterator[FastAPI]:
    app = create_app(emu_config)
    try:
        yield app
    finally:
        stop_app(app)


@pytest.fixture
def conformance() -> ConformanceRecorder:
    return ConformanceRecorder()


@pytest.fixture
def client(emu_app: FastAPI, conformance: ConformanceRecorder) -> Iterator[httpx.Client]:
    """Sends the key; at the end, every response it saw must have matched the spec."""
    transport = InProcessTransport(emu_app)
    with httpx.Client(
        transport=transport,
        base_url="http://emulator.test",
        headers={"Ocp-Apim-Subscription-Key": KEY},
        event_hooks={"response": [conformance]},
    ) as c:
        yield c
    conformance.assert_clean()


@pytest.fixture
def sample_client(emulator: EmulatorService) -> Iterator[httpx.Client]:
    """A client like Microsoft's Custom Voice samples: the session's emulator (a real server),
    paths relative to ``/customvoice/``, the key, no spec check."""
    with httpx.Client(
        base_url=f"{emulator.base_url}/customvoice/",
        headers={"Ocp-Apim-Subscription-Key": emulator.key},
        timeout=30,
    ) as client:
        yield client
