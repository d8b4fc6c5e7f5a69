"""Custom speech release end to end (emulator + Azurite + Prefect): the WER gate, promotion on the
same endpoint, rejection, decisions that are not taken twice, the history artifact, events, and
the inventory's expiring models.

What the service holds is read back with raw httpx (``speech_entities``), the simulated WERs are
forced through the emulator's admin API, and the creates are counted from the emulator's audit.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.artifacts import Artifact
from prefect.settings import PREFECT_API_URL

from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.inventory import inventory
from speechflows.flows.params import ReleaseParams, SpeechReleaseParams
from speechflows.flows.release import custom_speech_release
from tests.emulator.polling import wait_for
from tests.flows.conftest import EmulatorState, read_artifacts, speech_entities
from tests.flows.deadlines import FAST
from tests.samples import speech_params
from tests.security.prefect_records import wait_for_events

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
API = {"api-version": "2025-10-15"}


def _http(env: dict[str, str]) -> httpx.Client:
    return httpx.Client(
        base_url=env["SPEECHFLOWS_SPEECH_ENDPOINT"],
        headers={"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]},
        timeout=30,
    )


def _id(ref: dict[str, Any] | str) -> str:
    url = ref["self"] if isinstance(ref, dict) else ref
    return str(url).split("?")[0].rsplit("/", 1)[1]


def _train(env: dict[str, str], name: str, like: dict[str, Any]) -> str:
    """A new custom model on the same base model and datasets as ``like`` (raw httpx)."""
    with _http(env) as http:
        made = http.post(
            "/speechtotext/models",
            params=API,
            json={
                "displayName": name,
                "locale": "en-US",
                "baseModel": like["baseModel"],
                "datasets": like["datasets"],
            },
        )
        assert made.status_code == 201, made.text
        url = made.json()["self"]

        def done() -> str | None:
            status = http.get(url).json()["status"]
            return status if status in ("Succeeded", "Failed") else None

        assert wait_for(done, what=url) == "Succeeded"
    return _id(url)


def _force_wer(env: dict[str, str], model: str, dataset: str, rate: float) -> None:
    httpx.put(
        f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/_emulator/speechtotext/simulated-wer",
        json={"model": model, "dataset": dataset, "wordErrorRate": rate},
        timeout=10,
    ).raise_for_status()


def _evaluations(state: EmulatorState) -> int:
    return sum(1 for c in state.creates() if c["collection"] == "evaluations")


def _history(endpoint_name: str) -> list[dict[str, Any]]:
    found = Artifact.get(f"release-{endpoint_name}", _sync=True)  # type: ignore[call-arg]
    assert found is not None
    data = found.data
    return list(json.loads(data) if isinstance(data, str) else data)


def test_release_creates_promotes_rejects_and_stands_by_its_decisions(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    since = datetime.now(UTC)
    tag = uuid.uuid4().hex[:6]
    endpoint_name = f"rel-{tag}-prod"
    gate = ReleaseParams(endpoint_name=endpoint_name, max_wer=35.0, min_improvement=1.0)
    params = speech_params(tmp_path, f"rel {tag}", f"rel-{tag}").model_copy(
        update={"release": gate}
    )

    # 1. The onboarding trains model A and releases it: no endpoint yet, so A is evaluated
    #    against its base model, passes (the emulator's custom models beat the base), and the
    #    endpoint is created serving A. (58 words in the 6-utterance sample: the simulated
    #    0.7 x base rate is always at least 1.7 points better, ledger § Speech to text.)
    first = custom_speech_onboarding(params)
    assert first.release is not None and first.model is not None
    assert (first.release.decision, first.release.endpoint_action) == ("promoted", "created")
    assert first.release.current_kind == "base"
    model_a = first.model.id
    [endpoint] = speech_entities(flow_env, "endpoints", endpoint_name)
    assert _id(endpoint["model"]) == model_a
    endpoint_id = _id(endpoint)
    assert first.release.endpoint is not None and first.release.endpoint.id == endpoint_id
    cand = first.release.candidate_metrics
    assert cand is not None and cand.word_count and cand.substitutions is not None
    assert cand.token_error_rate is not None and cand.sentence_error_rate is not None

    audio = next(d for d in first.datasets if d.kind == "Acoustic").report.dataset.id
    [trained_a] = [m for m in speech_entities(flow_env, "models", f"rel-{tag}-model")]

    # 2. Model B, forced better than A on the test data: promoted on the same endpoint.
    model_b = _train(flow_env, f"rel-{tag}-b", trained_a)
    _force_wer(flow_env, model_a, audio, 0.30)
    _force_wer(flow_env, model_b, audio, 0.10)
    release_b = SpeechReleaseParams(
        model=model_b, test_dataset=audio, project_name=f"rel {tag}", release=gate, deadlines=FAST
    )
    state = custom_speech_release(release_b, return_state=True)
    promoted = state.result().release
    report = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}[
        f"report-release-{endpoint_name}"
    ].data
    for figure in ("substitutions / deletions / insertions", "WER / TER / SER", "simulated"):
        assert figure in report
    assert (promoted.decision, promoted.endpoint_action) == ("promoted", "updated")
    assert promoted.current == model_a and promoted.current_kind == "custom"
    assert promoted.candidate_metrics is not None and promoted.current_metrics is not None
    assert promoted.candidate_metrics.word_error_rate < promoted.current_metrics.word_error_rate
    [endpoint] = speech_entities(flow_env, "endpoints", endpoint_name)
    assert _id(endpoint) == endpoint_id and _id(endpoint["model"]) == model_b

    # 3. Model C, forced worse than B: rejected, the endpoint keeps serving B.
    model_c = _train(flow_env, f"rel-{tag}-c", trained_a)
    _force_wer(flow_env, model_c, audio, 0.40)
    release_c = release_b.model_copy(update={"model": model_c})
    rejected = custom_speech_release(release_c).release
    assert rejected.decision == "rejected" and rejected.endpoint_action == "none"
    assert rejected.current == model_b and "above the maximum" in rejected.reason
    [endpoint] = speech_entities(flow_env, "endpoints", endpoint_name)
    assert _id(endpoint) == endpoint_id and _id(endpoint["model"]) == model_b

    # 4. Unchanged re-runs decide nothing new and evaluate nothing.
    evaluations = _evaluations(emulator_state)
    again_c = custom_speech_release(release_c).release
    again_b = custom_speech_release(release_b).release
    assert again_c.decision == again_b.decision == "unchanged"
    assert again_c.previous is not None and again_c.previous["decision"] == "rejected"
    assert _evaluations(emulator_state) == evaluations
    [endpoint] = speech_entities(flow_env, "endpoints", endpoint_name)
    assert _id(endpoint["model"]) == model_b

    # 5. The history artifact holds one row per decision, read back from Prefect alone.
    rows = _history(endpoint_name)
    assert [(r["candidate"], r["current"], r["decision"]) for r in rows] == [
        (model_a, first.release.current, "promoted"),
        (model_b, model_a, "promoted"),
        (model_c, model_b, "rejected"),
    ]
    assert rows[1]["candidate WER %"] < rows[1]["current WER %"]
    assert {r["data hash"] for r in rows} == {first.release.data_hash}

    # 6. Events with both WERs.
    events = wait_for_events(
        str(PREFECT_API_URL.value()),
        since,
        lambda: datetime.now(UTC) + timedelta(seconds=5),
        lambda evs: sum(e["payload"].get("endpoint_name") == endpoint_name for e in evs) >= 3,
    )
    mine = [e for e in events if e["payload"].get("endpoint_name") == endpoint_name]
    assert [e["event"] for e in mine] == [
        "speechflows.model.promoted",
        "speechflows.model.promoted",
        "speechflows.model.rejected",
    ]
    assert all(
        e["payload"]["candidate_wer_percent"] is not None
        and e["payload"]["current_wer_percent"] is not None
        for e in mine
    )


def test_inventory_reports_an_expiring_model_with_its_endpoint(
    flow_env: dict[str, str], emulator_state: EmulatorState, tmp_path: Path
) -> None:
    since = datetime.now(UTC)
    tag = uuid.uuid4().hex[:6]
    params = speech_params(tmp_path, f"exp {tag}", f"exp-{tag}")
    onboarded = custom_speech_onboarding(params)
    assert onboarded.model is not None
    soon = onboarded.model.id
    [trained] = speech_entities(flow_env, "models", f"exp-{tag}-model")
    later = _train(flow_env, f"exp-{tag}-later", trained)
    with _http(flow_env) as http:
        made = http.post(
            "/speechtotext/endpoints",
            params=API,
            json={"displayName": f"exp-{tag}-ep", "locale": "en-US", "model": trained},
        )
        assert made.status_code == 201, made.text
        endpoint = _id(made.json()["self"])
    admin = f"{flow_env['SPEECHFLOWS_SPEECH_ENDPOINT']}/_emulator/speechtotext/models"
    for model, days in ((soon, 20), (later, 400)):
        when = (datetime.now(UTC) + timedelta(days=days)).isoformat()
        httpx.put(
            f"{admin}/{model}/deprecation", json={"transcriptionDateTime": when}, timeout=10
        ).raise_for_status()

    result = inventory(stuck_after_minutes=10_000)

    expiring = {x.id: x for x in result.expiring}
    assert soon in expiring and later not in expiring
    assert expiring[soon].endpoints == [endpoint]
    assert 19 <= expiring[soon].days_left <= 20
    events = wait_for_events(
        str(PREFECT_API_URL.value()),
        since,
        lambda: datetime.now(UTC) + timedelta(seconds=5),
        lambda evs: any(
            e["event"] == "speechflows.model.expiring"
            and e["resource"]["prefect.resource.id"].endswith(soon)
            for e in evs
        ),
    )
    [event] = [
        e
        for e in events
        if e["event"] == "speechflows.model.expiring"
        and e["resource"]["prefect.resource.id"].endswith(soon)
    ]
    assert event["payload"]["endpoints"] == [endpoint]
