"""What a release needs from the emulator (docs/azure-behaviour.md § Speech to text):
``Endpoints_Update`` with ``model`` (the EndpointUpdate schema read from the spec), a simulated
WER forced per model and dataset through the admin API, a custom model's transcription
deprecation date set through the admin API. Raw httpx, 2025-10-15 paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from tests.emulator.spec_check import load_spec
from tests.emulator.test_emulator_speech_to_text import (
    BASE_EN,
    Q,
    _block_dataset,
    _done,
    _post_evaluation,
)


@pytest.fixture
def two_models(client: httpx.Client, tmp_path: Path) -> dict[str, Any]:
    """An Acoustic dataset, two trained en-US custom models and an endpoint serving the first."""
    archive = build_zip(
        write_sample(tmp_path / "acoustic", "Acoustic", count=6), tmp_path / "a.zip"
    )
    ds = _block_dataset(client, "Acoustic", archive.read_bytes())
    assert ds["status"] == "Succeeded", ds
    base = {"self": f"http://emulator.test/speechtotext/models/base/{BASE_EN}{Q}"}
    models = []
    for name in ("first", "second"):
        made = client.post(
            f"/speechtotext/models{Q}",
            json={"displayName": name, "locale": "en-US", "baseModel": base, "datasets": [ds]},
        )
        assert made.status_code == 201, made.text
        models.append(_done(client, made.json()["self"]))
    endpoint = client.post(
        f"/speechtotext/endpoints{Q}",
        json={"displayName": "prod", "locale": "en-US", "model": {"self": models[0]["self"]}},
    )
    assert endpoint.status_code == 201, endpoint.text
    return {
        "dataset": ds,
        "base": base,
        "models": models,
        "endpoint": _done(client, endpoint.json()["self"]),
    }


def _id(entity: dict[str, Any]) -> str:
    return str(entity["self"]).split("?")[0].rsplit("/", 1)[1]


def test_endpoint_update_swaps_the_model_and_keeps_the_endpoint(
    client: httpx.Client, two_models: dict[str, Any]
) -> None:
    update = load_spec("speechtotext", "2025-10-15")["definitions"]["EndpointUpdate"]
    assert "model" in update["properties"]  # the spec lets Endpoints_Update change the model
    endpoint, second = two_models["endpoint"], two_models["models"][1]
    patched = client.patch(endpoint["self"], json={"model": {"self": second["self"]}})
    assert patched.status_code == 200, patched.text
    again = client.get(endpoint["self"]).json()
    assert _id(again) == _id(endpoint) and again["links"] == endpoint["links"]
    assert _id(again["model"]) == _id(second) and again["status"] == "Succeeded"


def test_endpoint_update_refuses_a_model_that_is_not_deployable(
    client: httpx.Client, two_models: dict[str, Any]
) -> None:
    endpoint = two_models["endpoint"]
    pending = client.post(
        f"/speechtotext/models{Q}",
        json={
            "displayName": "untrained",
            "locale": "en-US",
            "baseModel": two_models["base"],
            "datasets": [two_models["dataset"]],
        },
    ).json()
    refused = client.patch(endpoint["self"], json={"model": {"self": pending["self"]}})
    assert refused.status_code == 400 and refused.json()["innerError"]["code"] == (
        "ModelNotDeployable"
    )
    assert _id(client.get(endpoint["self"]).json()["model"]) == _id(two_models["models"][0])


def test_forced_simulated_wer_decides_the_evaluation_figures(
    client: httpx.Client, two_models: dict[str, Any]
) -> None:
    ds, (first, second) = two_models["dataset"], two_models["models"]
    for model, rate in ((first, 0.5), (second, 0.1)):
        forced = client.put(
            "/_emulator/speechtotext/simulated-wer",
            json={"model": _id(model), "dataset": _id(ds), "wordErrorRate": rate},
        )
        assert forced.status_code == 200 and forced.json()["simulated"] is True
    made = _post_evaluation(
        client,
        f"/speechtotext/evaluations{Q}",
        ds,
        {"self": first["self"]},
        {"self": second["self"]},
    )
    assert made.status_code == 201, made.text
    props = _done(client, made.json()["self"])["properties"]
    words = props["wordCount1"]
    assert words > 0
    assert props["wordErrorRate1"] == round(round(0.5 * words) / words, 4)
    assert props["wordErrorRate2"] == round(round(0.1 * words) / words, 4)
    assert props["wordErrorRate1"] > props["wordErrorRate2"]
    bad = client.put(
        "/_emulator/speechtotext/simulated-wer",
        json={"model": _id(first), "dataset": _id(ds), "wordErrorRate": 7},
    )
    assert bad.status_code == 400 and "from 0 to 1" in bad.text


def test_admin_sets_a_custom_model_transcription_deprecation_date(
    client: httpx.Client, two_models: dict[str, Any]
) -> None:
    model = two_models["models"][0]
    assert model["properties"]["deprecationDates"]["transcriptionDateTime"]
    done = client.put(
        f"/_emulator/speechtotext/models/{_id(model)}/deprecation",
        json={"transcriptionDateTime": "2026-12-01T00:00:00+00:00"},
    )
    assert done.status_code == 200, done.text
    again = client.get(model["self"]).json()
    assert again["properties"]["deprecationDates"] == {
        "transcriptionDateTime": "2026-12-01T00:00:00Z"
    }
    assert (
        again["properties"]["customModelWeightPercent"]
        == (model["properties"]["customModelWeightPercent"])
    )
