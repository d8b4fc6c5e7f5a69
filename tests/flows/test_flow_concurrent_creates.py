"""Concurrent identical runs create each resource once; a lookup only matches its own project.

Four identical custom speech onboardings start together (threads, one Prefect test server, the
emulator, Azurite). Get-or-create runs under a per-name lock held on the Prefect server, so the
service ends with one project and one dataset per name. The race is intermittent, so the test
repeats it three times. What exists is read back with raw httpx from the emulator's API, not
through the product's client. Ledger: "Quotas and throttling" is not involved; see
docs/azure-behaviour.md "Speech to text" rows owned elsewhere for the entity shapes.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import CustomSpeechParams, DatasetSpec
from tests.flows.conftest import EmulatorState, speech_entities
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e

RUNS = 4


def _params(project: str, dataset: str, language: Path) -> CustomSpeechParams:
    return CustomSpeechParams(
        project_name=project,
        deadlines=FAST,
        datasets=[DatasetSpec(name=dataset, kind="Language", path=language)],
    )


@pytest.mark.parametrize("trial", range(3))
def test_four_identical_runs_at_once_create_one_project_and_one_dataset(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path, trial: int
) -> None:
    from speechflows.datasets import DataKind, write_sample

    # A slow service (like a loaded Azure) widens the window between look and create, so
    # without the lock every run looks before any creates.
    emulator_state.set_faults(latency_ms=400)
    language = write_sample(tmp_path / "language", DataKind.LANGUAGE)
    project, dataset = f"race project {trial}", f"race-phrases-{trial}"
    params = _params(project, dataset, language)
    with ThreadPoolExecutor(RUNS) as pool:
        states = list(
            pool.map(lambda _: custom_speech_onboarding(params, return_state=True), range(RUNS))
        )
    assert all(s.is_completed() for s in states), [s.message for s in states]
    results = [s.result() for s in states]
    projects = speech_entities(flow_env, "projects", project)
    datasets = speech_entities(flow_env, "datasets", dataset)
    assert len(projects) == 1, [p["self"] for p in projects]
    assert len(datasets) == 1, [d["self"] for d in datasets]
    # every run reports that same dataset, and exactly one run created it
    ids = {r.datasets[0].report.dataset.id for r in results}
    assert ids == {datasets[0]["self"].split("?")[0].rsplit("/", 1)[-1]}
    creators = [r for r in results if any("dataset" in c for c in r.created)]
    assert len(creators) == 1, [r.created for r in results]


def test_the_same_data_under_two_projects_gives_each_project_its_own_dataset(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    language = write_sample(tmp_path / "language", DataKind.LANGUAGE)
    first = custom_speech_onboarding(_params("two projects A", "shared-phrases", language))
    second = custom_speech_onboarding(_params("two projects B", "shared-phrases", language))
    a, b = first.datasets[0].report.dataset, second.datasets[0].report.dataset
    assert a.id != b.id
    assert any("dataset" in c for c in second.created), second.created
    datasets = {
        d["self"].split("?")[0].rsplit("/", 1)[-1]: d
        for d in speech_entities(flow_env, "datasets", "shared-phrases")
    }
    assert set(datasets) == {a.id, b.id}
    # each dataset is the one of its project, as the service itself reports it
    project_ids = {
        name: speech_entities(flow_env, "projects", name)[0]["self"]
        .split("?")[0]
        .rsplit("/", 1)[-1]
        for name in ("two projects A", "two projects B")
    }

    def owner(item: dict[str, Any]) -> str | None:
        ref = (item.get("project") or {}).get("self")
        if ref:
            return str(ref).split("?")[0].rsplit("/", 1)[-1]
        return (item.get("customProperties") or {}).get("speechflowsProject")

    assert owner(datasets[a.id]) == project_ids["two projects A"]
    assert owner(datasets[b.id]) == project_ids["two projects B"]
    # a re-run of A still finds A's own dataset and creates nothing
    again = custom_speech_onboarding(_params("two projects A", "shared-phrases", language))
    assert again.created == [] and again.datasets[0].report.dataset.id == a.id
