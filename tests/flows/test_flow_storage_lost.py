"""Issue 13, *Why* 1 on the real parts: Azurite is killed after staging and restarted with its
data folder wiped (the blobs are lost) before the service reads them. The service's import fails
and says why (``InaccessibleCustomerStorage``); a plain re-run stages the lost blobs again (the
container listing decides, not a record of what was staged) and starts a new upload attempt."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from speechflows.dev.azurite import Azurite
from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.speech.errors import ResourceFailedError
from speechflows.storage import blob_source
from tests.flows.conftest import EmulatorState, blobs_in
from tests.flows.test_flow_professional_voice import _params, state_jobs

pytestmark = pytest.mark.e2e


@pytest.fixture
def own_azurite(
    tmp_path: Path, flow_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Azurite, Path]]:
    """An Azurite of this test only (it gets killed), with the flows' settings pointing at it."""
    store = tmp_path / "azurite-store"
    az = Azurite.start(data_dir=store)
    monkeypatch.setenv("SPEECHFLOWS_STORAGE_CONNECTION_STRING", az.connection_string)
    try:
        yield az, store
    finally:
        az.stop()


def test_azurite_restarted_with_its_blobs_lost_then_a_plain_rerun_completes(
    own_azurite: tuple[Azurite, Path],
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az, store = own_azurite
    conn, container = az.connection_string, flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
    params = _params(tmp_path, "pv-wiped", count=6)
    original = blob_source.container_sas_url  # what service_url mints the upload's SAS with
    restarted: list[Azurite] = []
    staged_before: list[str] = []

    def lose_the_blobs_then_mint(*args: Any, **kwargs: Any) -> str:
        """Between staging and the upload's submit: kill -9 Azurite, wipe its folder, restart it
        on the same port (the service then reads from an empty account)."""
        if not restarted:
            staged_before.extend(blobs_in(conn, container))
            pid = az.process.pid
            assert pid is not None and az.process.proc is not None
            os.killpg(pid, signal.SIGKILL)
            az.process.proc.wait()
            az.stop()
            shutil.rmtree(store)
            restarted.append(Azurite.start(port=az.port, data_dir=store))
        return original(*args, **kwargs)

    monkeypatch.setattr(blob_source, "container_sas_url", lose_the_blobs_then_mint)
    try:
        state = professional_voice_onboarding(params, return_state=True)
        assert restarted, "the flow never reached the upload's submit"
        assert len(staged_before) == 7  # 6 recordings + the script were staged
        assert blobs_in(conn, container) == []  # and are gone
        assert state.is_failed()
        with pytest.raises(ResourceFailedError) as info:
            state.result()
        message = str(info.value)
        # Azure's REST API gives no reason for a failed upload (ledger: TrainingSetProperties has
        # none): the message says so, and a listing of the staged prefix says why.
        assert "gives no reason" in message and "no reason given" not in message
        assert f"holds 0 of the 7 files staged under {container}/" in message, message
        assert "storage lost them after staging" in message
        assert "plain re-run" in message and "-r2" in message
        failed = state_jobs(emulator_state, "pv-wiped")
        assert [j["status"] for j in failed] == ["Failed"]

        again = professional_voice_onboarding(params)  # plain: same parameters, no refresh_cache
        assert (again.staging.uploaded_files, again.staging.skipped_files) == (7, 0)
        assert sorted(blobs_in(conn, container)) == sorted(staged_before)
        assert again.upload_operation_id == failed[0]["id"] + "-r2"
        assert again.upload_action == "created"
        assert again.utterance_count == 6
    finally:
        for extra in restarted:
            extra.stop()
