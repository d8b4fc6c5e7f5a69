"""A run not started from a deployment cannot be suspended: past park_after it waits in process.

``speechflows onboard`` in a terminal calls the flow directly, as this test does: the wait goes on
in this process until the operation ends, the run completes, and its log says why it did not park.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.logging.handlers import APILogWorker

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import CustomSpeechParams, DatasetSpec
from tests.flows.conftest import EmulatorState, read_log_messages
from tests.flows.deadlines import FAST
from tests.samples import first_file

pytestmark = pytest.mark.e2e


def test_a_run_outside_a_deployment_waits_in_process_and_says_so(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    language = first_file(write_sample(tmp_path / "language", DataKind.LANGUAGE), (".txt",))
    params = CustomSpeechParams(
        project_name="park in process",
        # parks after 0.06 s, far shorter than any import: a deployment run would park here
        deadlines=FAST.model_copy(update={"park_after_minutes": 0.001}),
        datasets=[DatasetSpec(name="pip-phrases", kind="Language", path=language)],
    )
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert result.datasets[0].report.dataset.status == "Succeeded"
    APILogWorker.drain_all(timeout=10)
    messages = read_log_messages(state.state_details.flow_run_id)
    assert any("cannot be suspended; waiting in process" in m for m in messages), messages[-10:]
