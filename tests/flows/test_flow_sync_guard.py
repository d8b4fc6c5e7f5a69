"""`sync` and `on-dataset-dropped` run the same flow on the same drop location: one guard per
location (a lock held on the Prefect server) makes two syncs started together launch each
dataset once. The onboarding deployment is registered without a worker, so launched runs stay
Scheduled and are counted, not executed."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.drops import DESCRIPTOR
from speechflows.flows.sync import SYNC_TAG, drop_location, sync

pytestmark = pytest.mark.e2e


def _drop(root: Path, name: str, project: str) -> None:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "phrases.txt").write_text(f"{project}\nturn on the lights\n", encoding="utf-8-sig")
    descriptor = {
        "onboarding": "custom-speech",
        "params": {
            "project_name": project,
            "datasets": [{"name": f"{name}-phrases", "kind": "Language", "path": "phrases.txt"}],
        },
    }
    (folder / DESCRIPTOR).write_text(json.dumps(descriptor))


@pytest.mark.parametrize("trial", range(2))
def test_two_syncs_of_one_location_started_together_launch_each_dataset_once(
    flow_env: dict[str, str], tmp_path: Path, trial: int
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    custom_speech_onboarding.to_deployment(name="custom-speech").apply()
    drop = tmp_path / "drop"
    for i in range(3):
        _drop(drop, f"guard-{trial}-{i}", f"guard project {trial}-{i}")
    # the two deployments name the location differently: relative and absolute
    as_given = [str(drop), str(Path(drop).relative_to(Path.cwd()))]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda d: sync(drop=d), as_given))
    assert sorted(len(r.launched) for r in results) == [0, 3], [r.items for r in results]
    assert sorted(len(r.skipped) for r in results) == [0, 3]
    projects = {f"guard project {trial}-{i}" for i in range(3)}
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[SYNC_TAG]))
        )
    onboardings = [r for r in runs if r.parameters["params"]["project_name"] in projects]
    assert len(onboardings) == 3, [r.name for r in onboardings]


def test_a_drop_location_is_the_same_however_it_is_written(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    assert drop_location(str(tmp_path / "d")) == drop_location(str(tmp_path / "x" / ".." / "d"))
    assert drop_location("blob://drops/incoming/") == drop_location("blob://drops/incoming")
    assert drop_location("blob://drops/a") != drop_location("blob://drops/b")
