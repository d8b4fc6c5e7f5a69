"""Try what was onboarded, end to end (emulator + Azurite + Prefect): hear the personal voice the
onboarding made (WAVs in Blob, a report whose audio links play), and see per file which words the
new speech model fixed and broke (release with ``try_audio``), with the own-training-data warning."""

from __future__ import annotations

import csv
import io
import re
import wave
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import ConsentParams, PersonalVoiceParams, ReleaseParams
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.flows.try_out import TrySpeechParams, try_speech_flow
from speechflows.settings import load_storage_settings
from speechflows.storage.account import Account
from tests.flows.conftest import read_artifacts
from tests.flows.deadlines import FAST
from tests.samples import first_file, speech_params

pytestmark = pytest.mark.e2e
LINK = re.compile(r"\]\(<(http[^>]+)>\)")


def _links(markdown: str) -> list[str]:
    return LINK.findall(markdown)


def test_personal_voice_onboarding_ends_with_audio_to_hear(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    consent = first_file(write_sample(tmp_path / "consent", DataKind.CONSENT), (".wav", ".mp3"))
    params = PersonalVoiceParams(
        project_id="try-pv",
        prompt_path=write_sample(tmp_path / "prompt", DataKind.PROMPT),
        deadlines=FAST,
        consent=ConsentParams(
            voice_talent_name="Sam Roe", company_name="Contoso", audio_file=consent
        ),
        try_sentences=[],
    )
    state = personal_voice_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    profile = state.result().speaker_profile_id
    voice = state.result().personal_voice.id  # the versioned id: try-pv-voice-v<8 hex>
    assert re.fullmatch(r"try-pv-voice-v[0-9a-f]{8}", voice), voice
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    report = arts["try-voice-try-pv-voice"].data
    assert f'speakerProfileId="{profile}"' in report  # the SSML to paste
    assert "Hello, this is my new voice." in report
    links = _links(report)
    assert len(links) == 3 and report.count("**expire at") == 1 and "(link expires" in report
    for url in links:
        query = parse_qs(urlsplit(url).query)
        assert query["sp"] == ["r"] and query["sr"] == ["b"]  # read-only, one blob
        audio = httpx.get(url, timeout=10)
        assert audio.status_code == 200, url.split("?")[0]
        with wave.open(io.BytesIO(audio.content)) as w:
            assert w.getnframes() / w.getframerate() > 1.0
    blobs = Account.from_settings(load_storage_settings()).service_client()
    container = blobs.get_container_client(flow_env["SPEECHFLOWS_STORAGE_CONTAINER"])
    before = {
        b.name: b.etag
        for b in container.list_blobs(name_starts_with=f"personal-voice/try-pv/{voice}/try/")
    }
    assert len(before) == 3
    # A re-run synthesises nothing new: the WAVs are found by the hash of their SSML.
    again = personal_voice_onboarding(params, return_state=True)
    assert again.is_completed(), again.message
    after = {
        b.name: b.etag
        for b in container.list_blobs(name_starts_with=f"personal-voice/try-pv/{voice}/try/")
    }
    assert after == before


def test_release_shows_per_file_what_the_new_model_fixed_and_broke(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    params = speech_params(tmp_path, "try cs", "try-cs", count=8)
    acoustic = tmp_path / "acoustic"
    params = params.model_copy(
        update={"release": ReleaseParams(endpoint_name="try cs endpoint", try_audio=str(acoustic))}
    )
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    (key,) = [k for k in arts if k.startswith("try-speech-") and not k.endswith("-files")]
    report = arts[key].data
    assert "Warning" not in report  # trained on the phrases only, tested on the audio
    table = arts[f"{key}-files"].data
    assert "WER % candidate" in table and "fixed words" in table
    assert re.search(r"\| current \(base\) \| [0-9.]+ \|", report)
    assert "~~" in report and "**" in report  # highlighted substitutions / deletions
    (csv_link,) = [u for u in _links(report) if ".csv" in u.split("?")[0]]
    rows = list(csv.DictReader(io.StringIO(httpx.get(csv_link, timeout=10).text)))
    ops = {r["operation"] for r in rows}
    assert "correct" in ops and ops & {"substitution", "deletion", "insertion"}
    assert {r["model"] for r in rows} == {"current (base)", "candidate"}

    # The same model tried on its own training data: a warning names the dataset.
    model = state.result().model
    assert model is not None
    trained_on_audio = speech_params(tmp_path / "again", "try cs2", "try-cs2", count=4)
    trained_on_audio = trained_on_audio.model_copy(
        update={
            "model": trained_on_audio.model.model_copy(  # type: ignore[union-attr]
                update={"datasets": ["try-cs2-audio"], "test_dataset": None}
            )
        }
    )
    second = custom_speech_onboarding(trained_on_audio)
    assert second.model is not None
    tried = try_speech_flow(
        TrySpeechParams(model=second.model.id, audio=str(tmp_path / "again" / "acoustic"))
    )
    assert tried.warnings and "same content hash" in tried.warnings[0]
    assert tried.wer_current is not None and tried.wer_candidate is not None
