"""Identical onboardings started at the same moment create and import each resource once.

For each kind (professional voice with model and endpoint, personal voice, custom speech with
model and evaluation) four identical runs start together (threads, one real Prefect server, the
emulator, Azurite). Every create and every import runs under the resource's lock held on the
Prefect server, with the lookup inside the lock: the first run creates, the others wait, find it
(or its operation, running or done) and re-attach. All four complete.

The emulator answers a repeated identical create with the original answer, so its own state
cannot tell one create from four: the count comes from a request log kept by a recording proxy
in front of the emulator (``tests/flows/recording_proxy.py``), one entry per request the product
sent. A slow service (400 ms a request, like a loaded Azure) widens the window between a lookup
and its create, so without the locks every run looks before any creates. The emulator's state
is checked too: one job (operation) per resource.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import (
    VoiceModelParams,
)
from speechflows.flows.personal_voice import personal_voice_onboarding
from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import EmulatorState, personal_params
from tests.flows.recording_proxy import RequestLog, recording_proxy
from tests.samples import speech_params, voice_params

pytestmark = pytest.mark.e2e

RUNS = 4
LATENCY_MS = 400


@pytest.fixture
def sent(
    flow_env: dict[str, str],
    emulator_state: EmulatorState,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[RequestLog]:
    """The product talks to the emulator through the recording proxy; a slow service."""
    with recording_proxy(emulator_state.base_url) as (url, log):
        monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", url)
        emulator_state.set_faults(latency_ms=LATENCY_MS)
        yield log


def _all_at_once(run: Any, params: Any) -> list[Any]:
    with ThreadPoolExecutor(RUNS) as pool:
        states = list(pool.map(lambda _: run(params, return_state=True), range(RUNS)))
    assert all(s.is_completed() for s in states), [s.message for s in states]
    return [s.result() for s in states]


def _accepted_writes(log: RequestLog, prefix: str) -> Counter[str]:
    """Writes the emulator accepted (2xx), per method and path."""
    return Counter(f"{s.method} {s.path}" for s in log.writes(prefix) if 200 <= s.status < 300)


def test_four_identical_professional_voice_runs_create_and_import_once(
    sent: RequestLog, emulator_state: EmulatorState, tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    project = "twins-pv"
    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=6)
    model = VoiceModelParams(voice_name="TwinsNeural", deploy_endpoint=True)
    params = voice_params(tmp_path, project, data, model=model)
    results = _all_at_once(professional_voice_onboarding, params)

    writes = _accepted_writes(sent, "/customvoice/")
    ts = results[0].training_set.id  # versioned by content: {project}-trainingset-v<hash>
    endpoint = str(params.model.resolved_endpoint_id(project))  # type: ignore[union-attr]
    assert writes == Counter(
        {
            f"PUT /customvoice/projects/{project}": 1,
            f"POST /customvoice/consents/{project}-consent": 1,
            f"PUT /customvoice/trainingsets/{ts}": 1,
            f"POST /customvoice/trainingsets/{ts}:upload": 1,
            f"PUT /customvoice/models/{project}-model": 1,
            f"PUT /customvoice/endpoints/{endpoint}": 1,
        }
    ), writes
    uploads = {s.operation_id for s in sent.writes(f"/customvoice/trainingsets/{ts}:upload")}
    assert len(uploads) == 1 and None not in uploads, uploads
    jobs = Counter(
        (j["kind"], j["resource"]) for j in emulator_state.jobs() if project in j["resource"]
    )
    assert jobs and all(n == 1 for n in jobs.values()), jobs
    assert ("cv.trainingset_upload", f"trainingsets/{ts}") in jobs, jobs
    # every run reports the one training set, model and endpoint, and one run created each
    assert {r.training_set.id for r in results} == {ts}
    # one run started the import; the others re-attached to that same operation
    assert {r.upload_operation_id for r in results} == uploads, uploads
    assert sorted(r.upload_action for r in results) == ["created"] + ["reused"] * (RUNS - 1)
    assert {r.model.id for r in results} == {f"{project}-model"}
    creators = Counter(c for r in results for c in r.created)
    assert creators and all(n == 1 for n in creators.values()), creators


def test_four_identical_personal_voice_runs_create_once(
    sent: RequestLog, emulator_state: EmulatorState, tmp_path: Path
) -> None:
    project = "twins-pers"
    params = personal_params(tmp_path, project)
    results = _all_at_once(personal_voice_onboarding, params)

    writes = _accepted_writes(sent, "/customvoice/")
    # The personal voice's id is versioned by its prompt audio: <project>-voice-v<8 hex>.
    (voice,) = {r.personal_voice.id for r in results}
    assert re.fullmatch(rf"{project}-voice-v[0-9a-f]{{8}}", voice), voice
    assert writes == Counter(
        {
            f"PUT /customvoice/projects/{project}": 1,
            f"POST /customvoice/consents/{project}-consent": 1,
            f"POST /customvoice/personalvoices/{voice}": 1,
        }
    ), writes
    jobs = Counter(
        (j["kind"], j["resource"]) for j in emulator_state.jobs() if project in j["resource"]
    )
    assert jobs and all(n == 1 for n in jobs.values()), jobs
    assert len({r.speaker_profile_id for r in results}) == 1
    creators = Counter(c for r in results for c in r.created)
    assert creators and all(n == 1 for n in creators.values()), creators


def test_four_identical_custom_speech_runs_create_and_import_once(
    sent: RequestLog, emulator_state: EmulatorState, tmp_path: Path, flow_env: dict[str, str]
) -> None:
    prefix = "twins-cs"
    params = speech_params(tmp_path, "twins cs", prefix, count=4)
    results = _all_at_once(custom_speech_onboarding, params)

    writes = _accepted_writes(sent, "/speechtotext/")
    # one project, two datasets (each create is its import), one model, one evaluation
    assert writes == Counter(
        {
            "POST /speechtotext/projects": 1,
            "POST /speechtotext/datasets": 2,
            "POST /speechtotext/models": 1,
            "POST /speechtotext/evaluations": 1,
        }
    ), writes
    assert len({r.model.id for r in results}) == 1
    creators = Counter(c for r in results for c in r.created)
    assert creators and all(n == 1 for n in creators.values()), creators
