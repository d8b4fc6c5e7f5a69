"""A re-run on another worker (its own local result storage, empty) creates and uploads nothing.

Task results live on each worker's disk; whether work is done must be decided by asking the
service and the container, never by a cached result alone (DESIGN.md "Caching on content,
verified"). The second run here gets an empty result storage folder, as a worker on another
machine would, and must find everything the first run made.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

from speechflows.datasets import DataKind, write_sample
from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState
from tests.samples import speech_params, voice_params

pytestmark = pytest.mark.e2e

COLLECTIONS = ("projects", "consents", "trainingsets", "datasets", "models", "evaluations")


def _creates(state: EmulatorState) -> list[dict[str, str]]:
    return [c for c in state.creates() if c["collection"] in COLLECTIONS]


def test_custom_speech_rerun_on_another_worker_creates_nothing(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    params = speech_params(tmp_path, "second worker speech", "sw")
    first = custom_speech_onboarding(params)
    assert first.model is not None and first.evaluation is not None
    before = _creates(emulator_state)

    # The other worker names the same service another way (as a regional endpoint and a custom
    # domain name one resource): entity URLs differ, the entities do not.
    endpoint = flow_env["SPEECHFLOWS_SPEECH_ENDPOINT"]
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", endpoint.replace("127.0.0.1", "localhost"))
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: tmp_path / "worker-2"}):
        again = custom_speech_onboarding(params)

    assert _creates(emulator_state) == before
    assert again.created == []
    assert all(d.staging.uploaded_bytes == 0 for d in again.datasets)
    assert again.model is not None and again.model.id == first.model.id
    assert again.evaluation is not None
    assert again.evaluation.evaluation.id == first.evaluation.evaluation.id


def test_professional_voice_rerun_on_another_worker_creates_nothing(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
    params = voice_params(tmp_path, "second-worker-voice", data)
    first = professional_voice_onboarding(params)
    before = _creates(emulator_state)

    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: tmp_path / "worker-2"}):
        again = professional_voice_onboarding(params)

    assert _creates(emulator_state) == before
    assert again.created == []
    assert again.staging.uploaded_bytes == 0
    assert again.training_set.id == first.training_set.id
