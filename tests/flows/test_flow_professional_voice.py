"""Professional voice onboarding end to end: emulator + Azurite over loopback + Prefect harness."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from speechflows.flows.common import ValidationFailedError
from speechflows.flows.params import ProfessionalVoiceParams
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState, blobs_in, read_artifacts
from tests.samples import voice_params

pytestmark = pytest.mark.e2e


def _params(
    tmp: Path, project: str, *, count: int = 8, broken: bool = False, **kw: Any
) -> ProfessionalVoiceParams:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(
        tmp / f"{project}-data", DataKind.AUDIO_AND_SCRIPT, count=count, broken=broken
    )
    return voice_params(tmp, project, data, **kw)


def _creates(state: EmulatorState, project: str) -> list[tuple[str, str]]:
    return sorted(
        (c["collection"], c["id"]) for c in state.creates() if str(c["id"]).startswith(project)
    )


def _upload_jobs(state: EmulatorState, training_set_id: str) -> list[dict[str, Any]]:
    return [
        j
        for j in state.jobs()
        if j["resource"].endswith(training_set_id) and "upload" in j["kind"].lower()
    ]


def _service_set(state: EmulatorState, training_set_id: str) -> bool:
    return training_set_id in state.get()["resources"].get("customvoice", {}).get(
        "trainingsets", []
    )


def _report(state: Any, key: str) -> str:
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    return str(arts[key].data)


def _fails_once(params: ProfessionalVoiceParams, emulator_state: EmulatorState) -> tuple[Any, str]:
    """Run the flow while the service fails its operations (Internal): the failed state and its
    error message."""
    state, error = emulator_state.failed_run(professional_voice_onboarding, params)
    return state, str(error)


def test_onboards_reruns_without_creating_and_restages_one_changed_file(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _params(tmp_path, "pv-e2e", count=8)
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    first = state.result()

    set_a = first.training_set.id
    assert set_a.startswith("pv-e2e-trainingset-v") and len(set_a) == len("pv-e2e-trainingset") + 10
    assert first.utterance_count == 8 and first.validation.error_count == 0
    assert (first.staging.uploaded_files, first.staging.skipped_files) == (9, 0)  # 8 wav + script
    assert {r.action for r in first.resources} == {"created"}
    created = _creates(emulator_state, "pv-e2e")
    assert ("projects", "pv-e2e") in created and ("consents", "pv-e2e-consent") in created
    assert ("trainingsets", set_a) in created
    jobs = _upload_jobs(emulator_state, set_a)
    assert len(jobs) == 1 and jobs[0]["status"] == "Succeeded"
    assert jobs[0]["id"] == first.upload_operation_id
    staged = blobs_in(
        flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"], flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
    )
    assert len(staged) == 9 and all(
        b.startswith("professional-voice/pv-e2e/pv-e2e-trainingset/") for b in staged
    )

    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    report = arts["report-pv-e2e-trainingset"]
    assert set_a in report.data and "Timings" in report.data and "sig=" not in report.data
    assert arts["validation-pv-e2e-trainingset"].type == "table"
    for step in ("stage", "wait"):  # one progress artifact per stage, none overwriting another
        assert arts[f"progress-pv-e2e-trainingset-{step}"].type == "progress"
        assert float(arts[f"progress-pv-e2e-trainingset-{step}"].data) == 100.0
    assert "pv-e2e-trainingset-link" in arts  # the training set's link, its kind said once

    # Unchanged re-run: nothing uploaded, nothing created, same set and operation.
    again = professional_voice_onboarding(params)
    assert again.staging.uploaded_bytes == 0 and again.staging.uploaded_files == 0
    assert again.training_set.id == set_a
    assert again.upload_operation_id == first.upload_operation_id
    assert again.created == [] and len(again.reused) == 3
    assert _creates(emulator_state, "pv-e2e") == created
    assert len(_upload_jobs(emulator_state, set_a)) == 1

    # B: one changed file. Only it is staged again (same prefix), into a NEW set holding the
    # new content: 8 utterances (a second import into set A would have kept the old audio).
    wav = sorted(Path(params.data_dir).glob("*.wav"))[0]
    original = wav.read_bytes()
    wav.write_bytes(sorted(Path(params.data_dir).glob("*.wav"))[-1].read_bytes())
    b_state = professional_voice_onboarding(params, return_state=True)
    changed = b_state.result()
    set_b = changed.training_set.id
    assert set_b != set_a and set_b.startswith("pv-e2e-trainingset-v")
    assert (changed.staging.uploaded_files, changed.staging.skipped_files) == (1, 8)
    assert changed.upload_operation_id != first.upload_operation_id
    assert changed.utterance_count == 8
    assert changed.duration_seconds != first.duration_seconds  # the new audio, not set A's
    assert _creates(emulator_state, "pv-e2e") == sorted([*created, ("trainingsets", set_b)])
    assert len(_upload_jobs(emulator_state, set_a)) == 1  # A got exactly one import
    lineage = _report(b_state, "report-pv-e2e-trainingset")
    assert f"previous version {set_a}" in lineage and "used by no model" in lineage

    # A again: set A already holds this content; no new set, no new import.
    wav.write_bytes(original)
    back = professional_voice_onboarding(params)
    assert back.training_set.id == set_a and back.utterance_count == 8
    assert back.created == [] and back.staging.uploaded_files == 1
    assert len(_upload_jobs(emulator_state, set_a)) == 1
    assert len(_upload_jobs(emulator_state, set_b)) == 1

    # C: one file deleted locally: a new set without it (7 utterances); with cleanup_previous
    # the versions no model uses (A and B) are deleted from the service.
    gone = sorted(Path(params.data_dir).glob("*.wav"))[-1]
    gone.unlink()
    script = Path(params.data_dir) / "script.txt"
    lines = script.read_text(encoding="utf-8").splitlines()
    script.write_text(
        "\n".join(ln for ln in lines if not ln.startswith(gone.stem + "\t")) + "\n",
        encoding="utf-8",
    )
    c_state = professional_voice_onboarding(
        params.model_copy(update={"cleanup_previous": True}), return_state=True
    )
    deleted = c_state.result()
    set_c = deleted.training_set.id
    assert set_c not in (set_a, set_b) and deleted.utterance_count == 7
    assert deleted.staging.deleted_files == 1
    assert _service_set(emulator_state, set_c)
    assert not _service_set(emulator_state, set_a) and not _service_set(emulator_state, set_b)
    lineage = _report(c_state, "report-pv-e2e-trainingset")
    assert f"previous version {set_b}" in lineage and "deleted (cleanup_previous)" in lineage


def test_broken_dataset_stops_before_upload(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _params(tmp_path, "pv-broken", broken=True)
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_failed()
    with pytest.raises(ValidationFailedError, match="nothing was uploaded"):
        state.result()
    assert _creates(emulator_state, "pv-broken") == []
    assert (
        blobs_in(
            flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
        )
        == []
    )
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    table = arts["validation-pv-broken-trainingset"]
    assert table.type == "table" and '"error"' in table.data.lower()
    assert "Failed:" in arts["report-pv-broken-trainingset"].data


def test_force_uploads_only_valid_files(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _params(tmp_path, "pv-force", broken=True, force=True)
    result = professional_voice_onboarding(params)
    assert result.validation.forced and result.validation.rejected_files
    prefix = params.resolved_prefix()
    staged = {
        b.removeprefix(prefix)
        for b in blobs_in(
            flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
        )
    }
    assert staged and not staged & set(result.validation.rejected_files)
    assert result.staging.files == len(staged)
    assert result.utterance_count is not None and result.utterance_count > 0


def test_consent_internal_failure_is_retried_by_a_plain_rerun(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _params(tmp_path, "pv-fail")
    # The service fails the consent: Internal.
    state, message = _fails_once(params, emulator_state)
    assert "Internal" in message and "pv-fail-consent-r2" in message
    assert "recording" not in message.lower() and "--consent-id" not in message
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    assert "Failed:" in arts["report-pv-fail-trainingset"].data

    again = professional_voice_onboarding(params)
    assert again.consent.id == "pv-fail-consent-r2" and again.consent.status == "Succeeded"
    assert again.consent.action == "created" and again.utterance_count == 8
    consents = [c for c in _creates(emulator_state, "pv-fail") if c[0] == "consents"]
    assert consents == [("consents", "pv-fail-consent"), ("consents", "pv-fail-consent-r2")]
    # A later run reuses the attempt that succeeded; nothing else is created.
    third = professional_voice_onboarding(params)
    assert third.consent.id == "pv-fail-consent-r2" and third.created == []


def test_consent_messages_name_the_remedy_that_fits_the_reason() -> None:
    from speechflows.tasks.custom_voice import consent_failed

    mismatch = str(consent_failed("jess-consent", 1, "AudioAndScriptNotMatch"))
    assert "--consent-id" in mismatch and "consent.consent_id" in mismatch
    assert "recording" in mismatch and "-r2" not in mismatch
    internal = str(consent_failed("jess-consent", 2, "Internal"))
    assert "jess-consent-r3" in internal and "recording" not in internal


def test_crash_after_upload_reattaches_to_the_same_operation(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from prefect.settings import PREFECT_API_URL

    params = _params(tmp_path, "pv-crash")
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_child.py")), params.model_dump_json()],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        # Hold operations once the training set exists: the consent is through by then, and the
        # flow still has the whole staging ahead before it starts the upload (a wider window than
        # "consent succeeded", which lost the race once on a loaded machine).
        while time.monotonic() < deadline and not any(
            str(c["id"]).startswith("pv-crash-trainingset-v") for c in emulator_state.creates()
        ):
            assert child.poll() is None, "the flow process ended before the training set"
            time.sleep(0.05)
        emulator_state.set_faults(stuck_operations=True)
        set_id = next(
            str(c["id"])
            for c in emulator_state.creates()
            if str(c["id"]).startswith("pv-crash-trainingset-v")
        )
        while time.monotonic() < deadline and not _upload_jobs(emulator_state, set_id):
            assert child.poll() is None, "the flow process ended before the upload"
            time.sleep(0.05)
        jobs = _upload_jobs(emulator_state, set_id)
        assert len(jobs) == 1 and jobs[0]["status"] != "Succeeded"
    finally:
        child.kill()
        child.wait(timeout=30)
    emulator_state.clear_faults()

    result = professional_voice_onboarding(params)
    assert result.upload_operation_id == jobs[0]["id"]
    assert result.upload_action == "reused"
    assert result.utterance_count == 8
    assert result.training_set.id == set_id
    assert len(_upload_jobs(emulator_state, set_id)) == 1


def test_blobs_lost_behind_our_back_are_staged_again_by_a_plain_rerun(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from azure.storage.blob import BlobServiceClient

    params = _params(tmp_path, "pv-lost", count=6)
    first = professional_voice_onboarding(params)
    conn, container = (
        flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
        flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
    )
    staged = sorted(blobs_in(conn, container))
    assert len(staged) == 7
    lost = staged[:3]
    with BlobServiceClient.from_connection_string(conn) as svc:
        for name in lost:
            svc.get_blob_client(container, name).delete_blob()
        # And one blob changed behind our back (same name, other bytes).
        svc.get_blob_client(container, staged[3]).upload_blob(b"not a wav", overwrite=True)
    assert len(blobs_in(conn, container)) == 4

    again = professional_voice_onboarding(params)
    assert (again.staging.uploaded_files, again.staging.skipped_files) == (4, 3)
    assert sorted(blobs_in(conn, container)) == staged
    with BlobServiceClient.from_connection_string(conn) as svc:
        restored = svc.get_blob_client(container, staged[3]).download_blob().readall()
    assert restored == (Path(params.data_dir) / staged[3].rsplit("/", 1)[-1]).read_bytes()
    assert again.training_set.id == first.training_set.id and again.utterance_count == 6


def test_failed_upload_is_retried_by_a_plain_rerun(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _params(tmp_path, "pv-retry", count=6)
    first = professional_voice_onboarding(params)  # project and consent exist from here on
    wav = sorted(Path(params.data_dir).glob("*.wav"))[0]
    wav.write_bytes(sorted(Path(params.data_dir).glob("*.wav"))[-1].read_bytes())

    # The service fails the next upload (Internal).
    _, message = _fails_once(params, emulator_state)
    assert "no reason given" not in message and "gives no reason" in message
    assert "-r2" in message and "plain re-run" in message
    failed_jobs = [
        j for j in state_jobs(emulator_state, "pv-retry") if j["id"] != first.upload_operation_id
    ]
    assert [j["status"] for j in failed_jobs] == ["Failed"]

    again = professional_voice_onboarding(params)
    assert again.upload_operation_id == failed_jobs[0]["id"] + "-r2"
    assert again.upload_action == "created" and again.utterance_count == 6
    assert again.training_set.id != first.training_set.id
    assert again.staging.uploaded_files == 0  # staged before the failure, verified by listing


def state_jobs(state: EmulatorState, project: str) -> list[dict[str, Any]]:
    return [
        j
        for j in state.jobs()
        if j["resource"].startswith(f"trainingsets/{project}-") and "upload" in j["kind"].lower()
    ]


def test_training_set_deleted_by_hand_is_created_and_imported_again(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    import httpx

    params = _params(tmp_path, "pv-gone", count=5)
    first = professional_voice_onboarding(params)
    deleted = httpx.delete(
        f"{flow_env['SPEECHFLOWS_SPEECH_ENDPOINT']}/customvoice/trainingsets/"
        f"{first.training_set.id}?api-version=2026-01-01",
        headers={"Ocp-Apim-Subscription-Key": flow_env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=10,
    )
    assert deleted.status_code == 204
    again = professional_voice_onboarding(params)
    assert again.training_set.id == first.training_set.id and again.training_set.action == "created"
    assert again.upload_operation_id == first.upload_operation_id + "-r2"
    assert again.utterance_count == 5
