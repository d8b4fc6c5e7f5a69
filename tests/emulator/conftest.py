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

KEY = "test-key-0123456789abcdef"


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
