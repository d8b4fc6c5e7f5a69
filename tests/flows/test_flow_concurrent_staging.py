"""Concurrent stagings of one prefix upload each file once; identical onboardings create once.

Staging runs under the per-name lock of ``container/prefix`` held on the Prefect server, so one
staging uploads the files and the others wait, then find the prefix complete by their one listing.

* ``test_four_stagings_of_one_prefix_at_once_upload_each_file_once`` makes the four stagings truly
  overlap: one flow submits ``stage_data`` four times at once (same manifest, container, prefix) on
  a sample large enough that one staging lasts far longer than the others need to reach the lock.
  Without the lock all four list the empty prefix and upload everything (the uploaded files add up
  to several times the file count); with it they add up to the file count exactly.
* ``test_four_identical_voice_runs_at_once_stage_each_file_once`` runs four identical professional
  voice onboardings together end to end: each service resource is created once, one training set.

What the service created is read from the emulator's own record of creates; what Azurite holds is
listed with the Blob SDK (independent of the product's staging code).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from prefect import flow

from speechflows.datasets.manifest import build_manifest
from speechflows.flows.params import ConsentParams, ProfessionalVoiceParams
from speechflows.flows.professional_voice import professional_voice_onboarding
from speechflows.tasks.data import stage_data
from speechflows.tasks.outcomes import StageOutcome
from tests.flows.conftest import EmulatorState, blobs_in
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e

RUNS = 4
UTTERANCES = 8
FILES = UTTERANCES + 1  # the wavs and the one script
# Big enough that one staging (listing + uploads) outlasts the others' way to the lock.
RACE_UTTERANCES = 60


@flow(name="stage-race")
def _stage_four_at_once(manifest_dir: str, prefix: str, container: str) -> list[StageOutcome]:
    manifest = build_manifest(Path(manifest_dir))
    futures = [
        stage_data.submit(manifest, manifest_hash=manifest.hash, prefix=prefix, container=container)
        for _ in range(RUNS)
    ]
    return [f.result() for f in futures]


def test_four_stagings_of_one_prefix_at_once_upload_each_file_once(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=RACE_UTTERANCES)
    files = sum(1 for f in data.rglob("*") if f.is_file() and not f.name.startswith("."))
    assert files > RACE_UTTERANCES  # the wavs and the script, counted by the test itself
    container = flow_env["SPEECHFLOWS_STORAGE_CONTAINER"]
    prefix = "stage-race/once/"

    outcomes = _stage_four_at_once(str(data), prefix, container)

    assert len(outcomes) == RUNS
    assert all(o.files == files for o in outcomes), [o.files for o in outcomes]
    uploaded = [o.uploaded_files for o in outcomes]
    assert sum(uploaded) == files, uploaded
    assert sorted(uploaded) == [0] * (RUNS - 1) + [files], uploaded
    staged = [
        b
        for b in blobs_in(flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"], container)
        if b.startswith(prefix)
    ]
    assert len(staged) == files, staged


def test_four_identical_voice_runs_at_once_stage_each_file_once(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    project = "stage-race"
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
