"""Concurrent identical voice onboardings stage one prefix once and create each resource once.

Four identical professional voice onboardings start together (threads, one Prefect test server,
the emulator, Azurite). Staging runs under the per-name lock of ``container/prefix`` held on the
Prefect server, so one run uploads the files and the others find the prefix complete by their one
listing: the uploaded files over the four results add up to the number of files. The race is
intermittent, so the test repeats it three times. What the service created is read from the
emulator's own record of creates; what Azurite holds is listed with the Blob SDK.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from speechflows.flows.params import ConsentParams, ProfessionalVoiceParams
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState, blobs_in
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e

RUNS = 4
UTTERANCES = 8
FILES = UTTERANCES + 1  # the wavs and the one script


@pytest.mark.parametrize("trial", range(3))
def test_four_identical_voice_runs_at_once_stage_each_file_once(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path, trial: int
) -> None:
    from speechflows.datasets import DataKind, write_sample

    project = f"stage-race-{trial}"
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=UTTERANCES)
    consent = write_sample(tmp_path / "consent", DataKind.CONSENT)
    consent_file = consent if consent.is_file() else sorted(consent.glob("*.wav"))[0]
    params = ProfessionalVoiceParams(
        project_id=project,
        data_dir=data,
        deadlines=FAST,
        consent=ConsentParams(
            voice_talent_name="Jess Doe", company_name="Contoso", audio_file=consent_file
        ),
    )
    with ThreadPoolExecutor(RUNS) as pool:
        states = list(
            pool.map(
                lambda _: professional_voice_onboarding(params, return_state=True), range(RUNS)
            )
        )
    assert all(s.is_completed() for s in states), [s.message for s in states]
    results = [s.result() for s in states]

    assert all(r.staging.files == FILES for r in results)
    uploaded = [r.staging.uploaded_files for r in results]
    assert sum(uploaded) == FILES, uploaded
    assert sorted(uploaded) == [0] * (RUNS - 1) + [FILES], uploaded
    assert sum(r.staging.skipped_files for r in results) == FILES * (RUNS - 1)

    staged = [
        b
        for b in blobs_in(
            flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
            flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
        )
        if b.startswith(f"professional-voice/{project}/{project}-trainingset/")
    ]
    assert len(staged) == FILES, staged

    creates = Counter(
        (c["collection"], c["id"])
        for c in emulator_state.creates()
        if str(c["id"]).startswith(project)
    )
    assert creates and all(n == 1 for n in creates.values()), creates
    assert {k[0] for k in creates} >= {"projects", "consents", "trainingsets"}, creates
    assert len({r.training_set.id for r in results}) == 1
