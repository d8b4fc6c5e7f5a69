"""Speech to text responses carry what the spec's response schema defines for their state
(docs/azure-behaviour.md § Speech to text): a Succeeded evaluation's token metrics and
``transcription1/2``, a v3.2 endpoint's ``links.logs`` and the endpoint log operations.

The expected property names are read from the official spec, not from the emulator.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from tests.emulator.polling import wait_for
from tests.emulator.spec_check import load_spec
from tests.emulator.test_emulator_speech_to_text import (
    BASE_EN,
    Q,
    _block_dataset,
    _done,
    _post_evaluation,
)

V32 = "/speechtotext/v3.2"


@pytest.fixture
def deployed(client: httpx.Client, tmp_path: Path) -> dict[str, Any]:
    """A v3.2 Acoustic dataset, a custom model, a Succeeded evaluation and endpoint."""
    archive = build_zip(write_sample(tmp_path / "acoustic", "Acoustic"), tmp_path / "a.zip")
    ds = _block_dataset(client, "Acoustic", archive.read_bytes(), prefix="/v3.2")
    assert ds["status"] == "Succeeded", ds
    base = {"self": f"http://emulator.test{V32}/models/base/{BASE_EN}"}
    model = client.post(
        f"{V32}/models",
        json={"displayName": "m", "locale": "en-us", "baseModel": base, "datasets": [ds]},
    )
    assert model.status_code == 201, model.text
    trained = _done(client, model.json()["self"])
    evaluation = _post_evaluation(
        client, f"{V32}/evaluations", ds, base, {"self": trained["self"]}, description=None
    )
    assert evaluation.status_code == 201, evaluation.text
    endpoint = client.post(
        f"{V32}/endpoints",
        json={"displayName": "ep", "locale": "EN-US", "model": {"self": trained["self"]}},
    )
    assert endpoint.status_code == 201, endpoint.text
    return {
        "model": trained,
        "evaluation": _done(client, evaluation.json()["self"]),
        "endpoint": _done(client, endpoint.json()["self"]),
    }


def test_succeeded_evaluation_has_every_metric_the_schema_defines(
    client: httpx.Client, deployed: dict[str, Any]
) -> None:
    evaluation = deployed["evaluation"]
    assert evaluation["status"] == "Succeeded"
    defined = load_spec("speechtotext", "v3.2")["definitions"]["EvaluationProperties"]
    # `email` is an input, `error` only for Failed.
    expected = set(defined["properties"]) - {"email", "error"}
    error_kinds = load_spec("speechtotext", "v3.2")["definitions"]["TokenErrorDetails"][
        "properties"
    ]
    props = evaluation["properties"]
    assert expected <= set(props), sorted(expected - set(props))
    for n in ("1", "2"):
        words_wrong = (
            props[f"wordSubstitutionCount{n}"]
            + props[f"wordDeletionCount{n}"]
            + props[f"wordInsertionCount{n}"]
        )
        token_edits = (
            props[f"tokenSubstitutionCount{n}"]
            + props[f"tokenDeletionCount{n}"]
            + props[f"tokenInsertionCount{n}"]
        )
        kinds = props[f"tokenErrors{n}"]
        assert set(kinds) == set(error_kinds)
        # One alignment: every word error is a lexical token error, and the edit kinds add up
        # to the token substitutions + deletions + insertions.
        assert kinds["lexical"]["numberOfEdits"] == words_wrong > 0
        assert sum(k["numberOfEdits"] for k in kinds.values()) == token_edits
        assert abs(sum(k["percentageOfAllEdits"] for k in kinds.values()) - 100) < 0.1
        assert props[f"tokenCount{n}"] >= props[f"wordCount{n}"]
        assert props[f"tokenErrorRate{n}"] == round(token_edits / props[f"tokenCount{n}"], 4)
        assert props[f"correctTokenCount{n}"] == (
            props[f"tokenCount{n}"]
            - props[f"tokenSubstitutionCount{n}"]
            - props[f"tokenDeletionCount{n}"]
        )
    assert props["tokenErrorRate2"] < props["tokenErrorRate1"]


def test_succeeded_evaluation_links_its_transcriptions_and_lists_their_files(
    client: httpx.Client, deployed: dict[str, Any]
) -> None:
    evaluation = deployed["evaluation"]
    for n in ("1", "2"):
        assert f"{V32}/transcriptions/" in evaluation[f"transcription{n}"]["self"]
    assert evaluation["transcription1"] != evaluation["transcription2"]
    files = client.get(evaluation["links"]["files"]).json()["values"]
    kinds = sorted(f["kind"] for f in files)
    assert kinds == ["EvaluationDetails", "Transcription", "Transcription"]
    contents = [
        client.get(f["links"]["contentUrl"]).json() for f in files if f["kind"] == "Transcription"
    ]
    wanted = {evaluation[f"transcription{n}"]["self"].rsplit("/", 1)[1] for n in ("1", "2")}
    assert {c["transcription"] for c in contents} == wanted


def _follow_transcriptions(
    client: httpx.Client, evaluation: dict[str, Any], spec_version: str
) -> None:
    """Transcriptions_Get and Transcriptions_ListFiles on the evaluation's transcription1/2:
    a Succeeded transcription with every property the spec requires, whose files list one
    ``Transcription`` result holding model n's alignment (the ``client`` fixture validates
    every response against the spec)."""
    defined = load_spec("speechtotext", spec_version)["definitions"]
    required = set(defined["Transcription"].get("required", []))
    props = evaluation["properties"]
    for n in ("1", "2"):
        got = client.get(evaluation[f"transcription{n}"]["self"])
        assert got.status_code == 200, got.text
        transcription = got.json()
        assert required <= set(transcription), sorted(required - set(transcription))
        assert transcription["status"] == "Succeeded"
        assert transcription["locale"] == evaluation["locale"]
        assert transcription["self"] == evaluation[f"transcription{n}"]["self"]
        assert transcription["model"] == evaluation[f"model{n}"]
        assert transcription["dataset"] == evaluation["dataset"]
        listed = client.get(transcription["links"]["files"])
        assert listed.status_code == 200, listed.text
        files = listed.json()["values"]
        assert [f["kind"] for f in files] == ["Transcription"]
        one = client.get(files[0]["self"])
        assert one.status_code == 200 and one.json()["name"] == files[0]["name"]
        content = client.get(files[0]["links"]["contentUrl"])
        assert content.status_code == 200, content.text
        assert len(content.content) == files[0]["properties"]["size"]
        result = content.json()
        assert {"source", "timestamp", "duration", "combinedRecognizedPhrases"} <= set(result)
        alignment = result["speechflowsEmulator"]["alignment"]
        assert alignment["wordCount"] == props[f"wordCount{n}"] > 0
        for key in ("wordErrorRate", "correctWordCount", "tokenCount", "tokenErrorRate"):
            assert alignment[key] == props[f"{key}{n}"], key


def test_evaluation_transcriptions_are_served_with_their_files_v32(
    client: httpx.Client, deployed: dict[str, Any]
) -> None:
    evaluation = deployed["evaluation"]
    _follow_transcriptions(client, evaluation, "v3.2")
    transcription = client.get(evaluation["transcription1"]["self"]).json()
    assert re.fullmatch(r"PT[\d.HMS]+", transcription["properties"]["duration"])
    # Deleting the evaluation deletes its transcriptions.
    assert client.delete(evaluation["self"]).status_code == 204
    assert client.get(evaluation["transcription1"]["self"]).status_code == 404
    missing = "00000000-0000-0000-0000-000000000002"
    assert client.get(f"{V32}/transcriptions/{missing}/files").status_code == 404


def test_evaluation_transcriptions_are_served_with_their_files_2025(
    client: httpx.Client, tmp_path: Path
) -> None:
    archive = build_zip(write_sample(tmp_path / "ac", "Acoustic"), tmp_path / "c.zip")
    ds = _block_dataset(client, "Acoustic", archive.read_bytes())
    base = {"self": f"http://emulator.test/speechtotext/models/base/{BASE_EN}{Q}"}
    created = _post_evaluation(client, f"/speechtotext/evaluations{Q}", ds, base, base)
    assert created.status_code == 201, created.text
    evaluation = _done(client, created.json()["self"])
    assert evaluation["status"] == "Succeeded", evaluation
    assert Q in evaluation["transcription1"]["self"]
    _follow_transcriptions(client, evaluation, "2025-10-15")
    transcription = client.get(evaluation["transcription2"]["self"]).json()
    assert transcription["properties"]["timeToLiveHours"] > 0
    assert transcription["properties"]["durationMilliseconds"] >= 0


def test_v32_endpoint_has_logs_link_and_the_log_operations(
    client: httpx.Client, deployed: dict[str, Any]
) -> None:
    endpoint = deployed["endpoint"]
    defined = load_spec("speechtotext", "v3.2")["definitions"]["EndpointLinks"]["properties"]
    assert set(defined) <= set(endpoint["links"])
    logs = endpoint["links"]["logs"]
    listed = client.get(logs)
    assert listed.status_code == 200 and listed.json()["values"] == []
    # Endpoints_DeleteLogs: 202, "the deletion process is done asynchronously".
    assert client.delete(logs).status_code == 202
    assert client.delete(f"{logs}?endDate=2026-11-29").status_code == 202
    assert client.delete(f"{logs}/2026-11-29_080000_x.wav").status_code == 204
    assert client.get(f"{V32}/endpoints/base/en-us/files/logs").json()["values"] == []
    assert client.delete(f"{V32}/endpoints/base/en-US/files/logs").status_code == 202
    missing = "00000000-0000-0000-0000-000000000001"
    assert client.delete(f"{V32}/endpoints/{missing}/files/logs").status_code == 404


def test_supported_locales_operations(client: httpx.Client) -> None:
    for coll in ("projects", "models", "evaluations", "endpoints"):
        for prefix, q in (("/speechtotext", "?api-version=2025-10-15"), (V32, "")):
            got = client.get(f"{prefix}/{coll}/locales{q}")
            assert got.status_code == 200, got.text
            assert {"en-US", "de-DE", "ko-KR", "zh-CN"} <= set(got.json())


def test_evaluation_metrics_wait_for_success(client: httpx.Client, tmp_path: Path) -> None:
    """A NotStarted evaluation has no metrics yet: the properties appear with Succeeded."""
    archive = build_zip(write_sample(tmp_path / "ac", "Acoustic"), tmp_path / "b.zip")
    ds = _block_dataset(client, "Acoustic", archive.read_bytes(), prefix="/v3.2")
    base = {"self": f"http://emulator.test{V32}/models/base/{BASE_EN}"}
    created = _post_evaluation(client, f"{V32}/evaluations", ds, base, base).json()
    assert "tokenErrorRate1" not in (created.get("properties") or {})
    assert "transcription1" not in created
    done = wait_for(
        lambda: (b := client.get(created["self"]).json())["status"] == "Succeeded" and b,
        what="evaluation",
    )
    assert "tokenErrorRate1" in done["properties"]


def test_model_files_link_answers(client: httpx.Client, deployed: dict[str, Any]) -> None:
    """Models_ListFiles: the ``links.files`` of a custom model is served (a page, not a 404)."""
    listed = client.get(deployed["model"]["links"]["files"])
    assert listed.status_code == 200, listed.text
    assert listed.json()["values"] == []


def test_custom_model_has_a_transcription_deprecation_date(deployed: dict[str, Any]) -> None:
    """CustomModelDeprecationDates: a trained model says when it stops transcribing."""
    dates = deployed["model"]["properties"]["deprecationDates"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", dates["transcriptionDateTime"])
