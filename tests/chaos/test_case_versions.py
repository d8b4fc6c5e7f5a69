"""Issue 26, cases 2 and 4: a new attempt for every failed import, and personal voice versions.

Case 2: a custom speech dataset whose import fails on the service's side (``InternalServerError``)
gets a new dataset for the same content on a plain re-run; the failed one is named in the report
and deleted with ``cleanup_previous``. A failure the data caused is refused with the service's
reason, and a re-run refuses again without importing again (no retry loop).

Case 4: changed prompt audio makes a new personal voice (new id, new ``speakerProfileId``); the
old one is listed in the report and deleted with ``cleanup_previous``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import (
    CustomSpeechParams,
    DatasetSpec,
)
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.speech.errors import ResourceFailedError
from speechflows.tasks.artifacts import artifact_key
from tests.flows.conftest import EmulatorState, personal_params, read_artifacts, speech_entities
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e


def _phrases(tmp: Path, name: str, text: str, **kw: object) -> CustomSpeechParams:
    data = tmp / f"{name}.txt"
    data.write_text(text, encoding="utf-8")
    return CustomSpeechParams(
        project_name=name,
        datasets=[DatasetSpec(name=name, kind="Language", path=data)],
        deadlines=FAST,
        **kw,  # type: ignore[arg-type]
    )


def _report(state: object, key: str) -> str:
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}  # type: ignore[attr-defined]
    return str(arts[key].data)


def test_a_dataset_failed_on_the_service_side_gets_a_new_dataset_on_a_plain_rerun(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = _phrases(tmp_path, "cs-fail-once", "turn the lights on\nplay some jazz\n")
    _, error = emulator_state.failed_run(custom_speech_onboarding, params)
    assert error.code == "InternalServerError"
    assert "a plain re-run imports the same content again as a new dataset" in str(error)
    [failed] = speech_entities(flow_env, "datasets", "cs-fail-once")
    assert failed["status"] == "Failed"

    rerun = custom_speech_onboarding(params, return_state=True)  # plain: same parameters
    assert rerun.is_completed(), rerun.message
    result = rerun.result()
    [ds] = result.datasets
    assert ds.report.dataset.status == "Succeeded" and ds.report.dataset.action == "created"
    failed_id = failed["self"].split("?", 1)[0].rsplit("/", 1)[-1]
    assert ds.report.dataset.id != failed_id
    report = _report(rerun, "report-cs-fail-once")
    assert f"failed attempt {failed_id} (InternalServerError" in report, report
    assert "cleanup_previous deletes it" in report
    assert len(speech_entities(flow_env, "datasets", "cs-fail-once")) == 2

    cleaned = custom_speech_onboarding(params.model_copy(update={"cleanup_previous": True}))
    assert cleaned.datasets[0].report.dataset.id == ds.report.dataset.id  # reused, not re-made
    left = speech_entities(flow_env, "datasets", "cs-fail-once")
    assert [d["status"] for d in left] == ["Succeeded"]


def test_a_dataset_the_data_failed_is_refused_with_the_reason_and_never_imported_again(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    # Latin-1 bytes: the service refuses a Language file that is not UTF-8.
    params = _phrases(tmp_path, "cs-bad-data", "caf\xe9 au lait\n", force=True)
    Path(params.datasets[0].path).write_bytes(
        "caf\xe9 au lait\ncr\xe8me br\xfbl\xe9e\n".encode("latin-1")
    )
    for _run in range(2):
        state = custom_speech_onboarding(
            params.model_copy(update={"refresh_cache": _run == 1}), return_state=True
        )
        assert state.is_failed()
        with pytest.raises(ResourceFailedError) as info:
            state.result()
        assert "the service says the data caused it" in str(info.value), str(info.value)
        # The run's message (what the UI and the CLI show) carries the service's own reason:
        # its error code and message, as the failed dataset holds them, for that dataset.
        [failed] = speech_entities(flow_env, "datasets", "cs-bad-data")
        error = failed["properties"]["error"]
        assert error["code"] == "NoUtf8WithBom" and error["message"], failed
        dataset_id = failed["self"].split("?", 1)[0].rsplit("/", 1)[-1]
        assert f"dataset {dataset_id!r} failed: {error['code']}: {error['message']}" in str(
            state.message
        ), state.message
    assert len(speech_entities(flow_env, "datasets", "cs-bad-data")) == 1  # imported once


def test_changed_prompt_audio_makes_a_new_personal_voice_and_the_old_one_is_listed(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    params = personal_params(tmp_path, "pers-ver")
    first = personal_voice_onboarding(params)
    # Changed prompt audio at the same path (other tones, same layout).
    write_sample(tmp_path / "prompt", DataKind.PROMPT, seed=7)
    state = personal_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    second = state.result()
    assert second.personal_voice.id != first.personal_voice.id
    assert second.speaker_profile_id != first.speaker_profile_id
    assert second.personal_voice.action == "created"
    report = _report(state, "report-pers-ver-voice")
    assert f"previous personal voice {first.personal_voice.id}" in report, report

    personal_voice_onboarding(params.model_copy(update={"cleanup_previous": True}))
    voices = emulator_state.get()["resources"]["customvoice"]["personalvoices"]
    assert second.personal_voice.id in voices and first.personal_voice.id not in voices


def test_a_personal_voice_failed_on_the_service_side_gets_a_new_attempt_on_a_plain_rerun(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    params = personal_params(tmp_path, "pers-fail")
    # The consent succeeds with a first voice; then the service fails the next voice's operation
    # (``Internal``, a service error) while the consent is reused.
    personal_voice_onboarding(params)
    params = params.model_copy(update={"personal_voice_id": "pers-fail-b"})
    _, error = emulator_state.failed_run(personal_voice_onboarding, params)
    failed_id = error.resource_id
    assert "a plain re-run tries again as " + failed_id + "-r2" in str(error), error
    rerun = personal_voice_onboarding(params, return_state=True)  # plain: same parameters
    assert rerun.is_completed(), rerun.message
    voice = rerun.result().personal_voice
    assert voice.id == failed_id + "-r2" and voice.action == "created"
    voices = emulator_state.get()["resources"]["customvoice"]["personalvoices"]
    assert failed_id in voices and voice.id in voices  # the failed one is kept, and listed:
    report = _report(rerun, artifact_key("report", "pers-fail", "pers-fail-b"))
    assert f"previous personal voice {failed_id}" in report, report
