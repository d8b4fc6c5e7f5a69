"""The audio analysis step in the onboardings: artifacts, report figures, never a stop."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from speechflows.flows.audio import audio_checks_on
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.datasets.speechlike import speechlike, write
from tests.flows.conftest import read_artifacts
from tests.samples import voice_params


def test_audio_checks_default_on_for_voice_and_off_for_custom_speech() -> None:
    assert audio_checks_on("AudioAndScript", None) and audio_checks_on("Prompt", None)
    assert not audio_checks_on("Acoustic", None) and audio_checks_on("Acoustic", True)
    assert not audio_checks_on("Language", True)  # no audio to analyse
    assert not audio_checks_on("AudioAndScript", False)


@pytest.mark.e2e
def test_professional_voice_publishes_the_audio_table_worst_first(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
    noisy = sorted(data.glob("*.wav"))[2]
    write(noisy, speechlike(3.0, seed=7, snr_db=8).samples, 24000)  # the one bad take
    params = voice_params(tmp_path, "pv-audio", data)
    state = professional_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message  # audio warnings never stop an upload
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    table = arts["audio-validation-pv-audio-trainingset"]
    assert table.type == "table"
    assert noisy.name in str(table.data).split("}")[0]  # the first row is the noisy take
    assert "audio.snr_low" in str(table.data) and "sig=" not in str(table.data)
    summary = str(arts["audio-validation-pv-audio-trainingset-summary"].data)
    assert "| SNR (dB) |" in summary and noisy.name in summary
    report = str(arts["report-pv-audio-trainingset"].data)
    assert "audio warnings (utterances / warnings) | 1 of 4 / 1" in report
    written = tmp_path / ".speechflows/reports/audio-validation-pv-audio-trainingset"
    rows = list(csv.DictReader((written / "audio-report.csv").open(encoding="utf-8")))
    assert rows[0]["file"] == noisy.name and rows[0]["findings"] == "audio.snr_low"
    assert all(r["text"] for r in rows)  # the script line beside each utterance


@pytest.mark.e2e
def test_an_acoustic_zip_is_analysed_when_asked_with_clipping_only(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    import zipfile

    from prefect import flow

    from speechflows.datasets import validate
    from speechflows.datasets.audio_report import analyse
    from speechflows.flows.audio import audio_step
    from speechflows.location import DataLocation
    from speechflows.tasks.outcomes import ValidationOutcome

    folder = tmp_path / "acoustic"
    write(folder / "a.wav", speechlike(3.0, rate=16000, seed=1, snr_db=6).samples, 16000)
    write(folder / "b.wav", speechlike(3.0, rate=16000, seed=2, level_dbfs=-2).samples, 16000)
    (folder / "trans.txt").write_text("a.wav\tnoisy but fine\nb.wav\ttoo loud\n", encoding="utf-8")
    archive = tmp_path / "acoustic.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f.name)
    report = validate(archive, "Acoustic")
    assert not report.has_errors
    validation = ValidationOutcome(
        kind="Acoustic",
        locale="en-US",
        files_checked=report.files_checked,
        accepted_files=report.accepted_files,
    )

    @flow
    def run(asked: bool) -> object:
        return audio_step(
            DataLocation(path=archive),
            "Acoustic",
            validation,
            validation_key="validation-acoustic",
            asked=asked,
        )

    assert run(False) is None  # off unless asked
    outcome = run(True)
    assert outcome is not None
    assert outcome.counts_by_code == {"audio.clipped": 1}  # noise is no fault for custom speech
    texts = {r.metrics.file: r.text for r in analyse(archive, "Acoustic").rows}
    assert texts == {"a.wav": "noisy but fine", "b.wav": "too loud"}
