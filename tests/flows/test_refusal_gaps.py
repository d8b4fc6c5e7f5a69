"""Refusals ``validate``, ``onboard`` and the runs give alike, before anything is created.

* A user's SAS that expires before the stage's deadline: ``validate`` refuses it with the
  message and fix ``onboard`` gives (the same deadline rule), not only an expired one.
* A consent recording named by blob (``consent.audio_blob``, what the deployments default to)
  that is not in the container: refused before the project is created, naming the blob and an
  upload command.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas
from prefect.settings import PREFECT_UI_URL
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.datasets import DataKind, write_sample
from speechflows.flows.params import ConsentParams, Deadlines
from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.preflight import (
    DEFAULT_READ_DEADLINE_MINUTES,
    PERSONAL_VOICE_READ_DEADLINE_MINUTES,
    stage_read_deadline_minutes,
)
from speechflows.settings import load_storage_settings
from speechflows.storage.account import check_blob_exists
from speechflows.tasks.artifacts import artifact_key
from tests.flows.conftest import EmulatorState, blobs_in, read_artifacts
from tests.samples import consent_of, voice_params

pytestmark = pytest.mark.e2e
runner = CliRunner()
SOURCE = "refusal-gaps-src"


def test_validate_holds_a_sas_to_the_default_deadlines_of_the_stages() -> None:
    d = Deadlines()
    assert DEFAULT_READ_DEADLINE_MINUTES == d.training_set_minutes == d.dataset_minutes
    assert d.personal_voice_minutes == PERSONAL_VOICE_READ_DEADLINE_MINUTES
    assert stage_read_deadline_minutes("AudioAndScript") == d.training_set_minutes
    assert stage_read_deadline_minutes("Language") == d.dataset_minutes
    assert stage_read_deadline_minutes("Prompt") == d.personal_voice_minutes


def _put(conn: str, root: Path, prefix: str) -> None:
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(SOURCE)
        if not cc.exists():
            cc.create_container()
        for f in sorted(p for p in root.rglob("*") if p.is_file()):
            cc.upload_blob(f"{prefix}/{f.relative_to(root).as_posix()}", f.read_bytes())


def _sas_url(conn: str, prefix: str, minutes: float) -> str:
    with BlobServiceClient.from_connection_string(conn) as svc:
        token = generate_container_sas(
            svc.account_name,
            SOURCE,
            account_key=svc.credential.account_key,
            permission=ContainerSasPermissions.from_string("rl"),
            expiry=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes),
        )
        return f"{svc.url.rstrip('/')}/{SOURCE}/{prefix}?{token}"


TIMES = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
EXPIRY = re.compile(r"the SAS expires at .*?\)")
FIX = re.compile(
    r"give a SAS valid for at least \d+ minutes from now, or shorten the stage's deadline"
)


def _said(output: str) -> tuple[str, str]:
    """The expiry refusal (times masked) and its fix, as printed."""
    flat = " ".join(output.split())
    problem, fix = EXPIRY.search(flat), FIX.search(flat)
    assert problem and fix, output
    return TIMES.sub("<time>", problem.group(0)), fix.group(0)


def test_validate_and_onboard_refuse_a_sas_expiring_before_the_deadline_alike(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    """An hour left on the SAS: the service may read the data for 180 minutes. Before, validate
    said "No errors: ready to upload" (it only refused an expired SAS) and onboard refused."""
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=3)
    _put(conn, data, "short/jess")
    url = _sas_url(conn, "short/jess", minutes=60)
    before = emulator_state.creates(), blobs_in(conn, flow_env["SPEECHFLOWS_STORAGE_CONTAINER"])

    checked = runner.invoke(app, ["validate", url, "--kind", "AudioAndScript"])
    assert checked.exit_code == 2, checked.output
    assert "ready to upload" not in checked.output and "Traceback" not in checked.output
    consent = consent_of(tmp_path, "sas-deadline-consent")
    onboard = runner.invoke(
        app,
        [
            *("onboard", "voice", url, "--project", "sas-deadline"),
            *("--talent", "Jess Doe", "--company", "Contoso", "--consent", str(consent)),
        ],
    )
    assert onboard.exit_code == 1, onboard.output
    assert "Traceback" not in onboard.output
    said = _said(checked.output)
    assert said == _said(onboard.output)
    assert "180-minute deadline" in said[0] and "at least 210 minutes" in said[1]
    assert "sig=" not in checked.output + onboard.output
    after = emulator_state.creates(), blobs_in(conn, flow_env["SPEECHFLOWS_STORAGE_CONTAINER"])
    assert after == before  # nothing created, nothing uploaded

    # a SAS that outlives the deadline passes both checks
    long = _sas_url(conn, "short/jess", minutes=240)
    assert runner.invoke(app, ["validate", long, "--kind", "AudioAndScript"]).exit_code == 0


def test_a_missing_consent_blob_is_refused_before_the_project_is_created(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``consent.audio_blob`` (the deployments' default) names a blob nobody uploaded: the run
    ends Failed naming the blob and the upload command, with nothing created; the command,
    pasted where the recording is, makes the same run pass the check."""
    conn = flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"]
    container = flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=3)
    name = "consents/never uploaded.wav"
    params = voice_params(
        tmp_path,
        "consent-blob-missing",
        data,
    ).model_copy(
        update={
            "consent": ConsentParams(
                voice_talent_name="Jess Doe", company_name="Contoso", audio_blob=name
            )
        }
    )
    before = emulator_state.creates()
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_failed(), state
    message = str(state.message)
    assert f"consent.audio_blob {name!r}: no such blob in container {container!r}" in message
    fix = "speechflows stage 'never uploaded.wav' --prefix consents"
    assert fix in message, message
    assert emulator_state.creates() == before  # no project, no consent, no training set
    assert not [b for b in blobs_in(conn, container) if not b.startswith(".speechflows")]

    # the fix, pasted in the folder holding the recording
    folder = tmp_path / "recordings"
    folder.mkdir()
    consent_of(tmp_path, "c").replace(folder / "never uploaded.wav")
    monkeypatch.chdir(folder)
    staged = runner.invoke(app, ["stage", "never uploaded.wav", "--prefix", "consents"])
    assert staged.exit_code == 0, staged.output
    assert name in blobs_in(conn, container)
    check_blob_exists(load_storage_settings(), name, what="consent.audio_blob", fix="-")


def test_the_report_links_the_validation_table_which_leads_with_where_and_the_fix(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    """Read back from the Prefect server: the run report links the validation table (its UI
    page), and the table's columns start with file, line, severity and fix, errors first."""
    data = write_sample(tmp_path / "broken", DataKind.AUDIO_AND_SCRIPT, broken=True)
    params = voice_params(tmp_path, "pins-table", data, refresh_cache=True)
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_failed(), state
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    key = artifact_key("validation", "pins-table", params.resolved_training_set_id())
    ui = str(PREFECT_UI_URL.value()).rstrip("/")
    assert ui.startswith("http://127.0.0.1:"), ui
    report = str(arts[artifact_key("report", "pins-table", params.resolved_training_set_id())].data)
    # a markdown link (not escaped text) to the table's page, in the notes and the status
    assert report.count(f"[{key}](<{ui}/artifacts/key/{key}>)") == 2, report
    assert f"\\[{key}" not in report, report

    table = arts[key]
    assert table.type == "table"
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert len(rows) > 2
    assert all(list(r)[:4] == ["file", "line", "severity", "fix"] for r in rows), rows[0]
    severities = [str(r["severity"]).lower() for r in rows]
    assert "error" in severities and "warning" in severities, severities
    first_warning = severities.index("warning")
    assert set(severities[:first_warning]) == {"error"}
    assert "error" not in severities[first_warning:], severities
