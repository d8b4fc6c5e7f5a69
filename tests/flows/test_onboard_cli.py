"""``speechflows onboard voice|personal|speech`` against the emulator, Azurite and the Prefect server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import prefect.main  # noqa: F401  (Prefect logs to the real stderr, set before CliRunner swaps it)
import pytest
from azure.storage.blob import BlobServiceClient
from typer.testing import CliRunner

from speechflows.cli import app
from tests.flows.conftest import EmulatorState
from tests.samples import first_file, params_file, voice_args

pytestmark = pytest.mark.e2e


def _voice_args(tmp: Path, data: Path, consent: Path, project: str) -> list[str]:
    """``onboard voice`` of ``data`` for Jess Doe at Contoso, with the FAST deadlines."""
    return voice_args(data, consent, project, "--params", params_file(tmp, "voice"))


def _invoke(*args: str) -> Any:
    # A wide terminal: the messages name tmp paths, whose length differs per xdist worker, and a
    # phrase the tests look for must not be wrapped across two lines.
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def test_onboard_voice_personal_and_speech_print_json_results(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav",))
    data = write_sample(tmp_path / "voice", DataKind.AUDIO_AND_SCRIPT, count=3)
    voice = _invoke(*_voice_args(tmp_path, data, consent, "cli-voice"), "--json")
    assert voice.exit_code == 0, voice.output
    doc = json.loads(voice.stdout)
    assert (
        doc["training_set"]["id"].startswith("cli-voice-trainingset-v")
        and doc["utterance_count"] == 3
    )
    assert doc["staging"]["uploaded_files"] == 4 and doc["validation"]["error_count"] == 0
    assert {doc[k]["action"] for k in ("project", "consent", "training_set")} == {"created"}

    # Personal voice, the consent given as a blob already in the container.
    conn, container = (
        flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
        flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
    )
    with BlobServiceClient.from_connection_string(conn) as svc:
        svc.create_container(container) if not svc.get_container_client(
            container
        ).exists() else None
        svc.get_container_client(container).upload_blob("consents/cli.wav", consent.read_bytes())
    prompt = write_sample(tmp_path / "prompt", DataKind.PROMPT)
    personal = _invoke(
        "onboard",
        "personal",
        str(prompt),
        "--project",
        "cli-pers",
        "--talent",
        "Sam Roe",
        "--company",
        "Contoso",
        "--consent-blob",
        "consents/cli.wav",
        "--json",
        "--params",
        params_file(tmp_path, "personal"),
    )
    assert personal.exit_code == 0, personal.output
    pdoc = json.loads(personal.stdout)
    assert (
        pdoc["personal_voice"]["id"].startswith("cli-pers-voice-v") and pdoc["speaker_profile_id"]
    )
    assert pdoc["consent"]["status"] == "Succeeded"

    language = first_file(write_sample(tmp_path / "language", DataKind.LANGUAGE), (".txt",))
    speech = _invoke(
        "onboard",
        "speech",
        "--project",
        "cli speech",
        "--dataset",
        f"cli-phrases:Language:{language}",
        "--json",
        "--params",
        params_file(tmp_path, "speech"),
    )
    assert speech.exit_code == 0, speech.output
    sdoc = json.loads(speech.stdout)
    [dataset] = sdoc["datasets"]
    assert (
        dataset["name"] == "cli-phrases" and dataset["report"]["dataset"]["status"] == "Succeeded"
    )
    assert dataset["report"]["accepted_lines"] and dataset["staging"]["uploaded_files"] == 1
    created = {(c["collection"], str(c["id"])) for c in emulator_state.creates()}
    assert {
        ("projects", "cli-voice"),
        ("consents", "cli-pers-consent"),
        ("personalvoices", pdoc["personal_voice"]["id"]),
        ("datasets", dataset["report"]["dataset"]["id"]),
    } <= created


def test_broken_dataset_exits_1_and_shows_the_findings(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav",))
    data = write_sample(tmp_path / "broken", DataKind.AUDIO_AND_SCRIPT, count=4, broken=True)
    text = _invoke(*_voice_args(tmp_path, data, consent, "cli-broken"))
    assert text.exit_code == 1
    assert "onboarding failed" in text.output and "nothing was uploaded" in text.output
    assert "validation findings" in text.output and "audio.sample_rate_too_low" in text.output

    as_json = _invoke(*_voice_args(tmp_path, data, consent, "cli-broken-json"), "--json")
    assert as_json.exit_code == 1
    doc = json.loads(as_json.stdout)
    assert doc["status"] == "Failed" and "validation found" in doc["error"]
    codes = {f["code"] for f in doc["findings"] if f["severity"] == "error"}
    assert {"audio.sample_rate_too_low", "script.missing_tab"} <= codes
    assert all(f["code"] and f["rule"] and f["fix"] for f in doc["findings"])
    [tab] = [f for f in doc["findings"] if f["code"] == "script.missing_tab"]
    assert tab["file"] == "script.txt" and isinstance(tab["line"], int)
    assert doc["findings"][0]["severity"] == "error"  # errors first
    assert not [c for c in emulator_state.creates() if str(c["id"]).startswith("cli-broken")]


def test_onboard_voice_takes_a_consent_id(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "cid-data", DataKind.AUDIO_AND_SCRIPT, count=3)
    consent = first_file(write_sample(tmp_path / "cid-consent", DataKind.CONSENT), (".wav",))
    result = _invoke(
        *_voice_args(tmp_path, data, consent, "cli-cid"),
        "--consent-id",
        "cli-cid-take2",
        "--json",
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["consent"]["id"] == "cli-cid-take2"
    assert ("consents", "cli-cid-take2") in {
        (c["collection"], c["id"]) for c in emulator_state.creates()
    }
