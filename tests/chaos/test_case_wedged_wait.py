"""Issue 26, case 1: the answer to ``:upload`` is lost, the operation reads Succeeded, the set
keeps saying NotStarted. The wait must not wedge: past the grace period it reads the set again and
fails saying the two disagree — the run ends, and so does every re-run, never waiting out the
training-set deadline in silence. (The lost answer alone must be harmless: the emulator's side,
a repeated identical ``:upload`` leaving the set's status alone, is pinned by its own tests.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.speech import polling
from tests.flows.conftest import EmulatorState
from tests.flows.test_flow_professional_voice import _params

pytestmark = pytest.mark.e2e


def test_a_lost_upload_answer_with_a_set_that_never_follows_fails_saying_so(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(polling, "DISAGREEMENT_GRACE_SECONDS", 1.0)
    params = _params(tmp_path, "pv-wedge", count=4)
    # The client's POST :upload runs on the service but its answer is lost (the client retries
    # it); the operation then Succeeds while the set keeps its status.
    emulator_state.set_faults(
        drop_match=":upload", drop_after=True, stale_resources=["trainingsets"]
    )
    for _run in range(2):  # the first run and a plain re-run: both end, both say why
        state = professional_voice_onboarding(params, return_state=True)
        assert state.is_failed()
        with pytest.raises(polling.StateDisagreementError) as info:
            state.result()
        message = str(info.value)
        assert "Succeeded, but training set 'pv-wedge-trainingset-v" in message, message
        assert "instead of waiting out its deadline" in message
    # The wait said what it was waiting for (status, time waited, deadline) while it waited.
    lines = [r.getMessage() for r in caplog.records]
    assert any(
        line.startswith("training set pv-wedge-trainingset-v") and "of the 2 min deadline" in line
        for line in lines
    ), lines
