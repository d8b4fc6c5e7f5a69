"""Speech to text behaviour in-process: block upload → import → model → evaluation → endpoint,
self links, paging, filters, errors in the unwrapped shape, v3.2 differences."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from speechflows.datasets import build_zip, write_sample
from tests.emulator.polling import wait_for

Q = "?api-version=2025-10-15"
BASE_EN = "8a043172-65b7-4cf3-a8b5-4449efa5a0f1"
BASE_MODEL = {"self": f"http://emulator.test/speechtotext/models/base/{BASE_EN}{Q}"}


def model_body(ds: dict[str, Any], **more: Any) -> dict[str, Any]:
    """A Models_Create body: model "custom" (en-US) of the en-US base model trained on ``ds``."""
    return {
        "displayName": "custom",
        "locale": "en-US",
        "baseModel": BASE_MODEL,
        "datasets": [{"self": ds["self"]}],
        **more,
    }


def _done(client: httpx.Client, url: str) -> dict[str, Any]:
    def finished() -> dict[str, Any] | None:
        body: dict[str, Any] = client.get(url).json()
        return body if body["status"] in ("Succeeded", "Failed") else None

    return wait_for(finished, what=url)


def _post_evaluation(
    client: httpx.Client,
    url: str,
    dataset: dict[str, Any],
    model1: dict[str, str],
    model2: dict[str, str],
    **more: Any,
) -> httpx.Response:
    """POST an en-US evaluation of ``dataset`` comparing ``model1`` with ``model2``."""
    body = {
        "displayName": "eval",
        "locale": "en-US",
        "dataset": {"self": dataset["self"]},
        "model1": model1,
        "model2": model2,
        **more,
    }
    return client.post(url, json=body)


def _block_dataset(
    client: httpx.Client, kind: str, data: bytes, *, prefix: str = "", locale: str = "en-US"
) -> dict[str, Any]:
    q = "" if prefix else Q
    created = client.post(
        f"/speechtotext{prefix}/datasets{q}",
        json={"kind": kind, "locale": locale, "displayName": f"{kind} via blocks"},
    )
    assert created.status_code == 201, created.text
    ds = created.json()
    assert ds["status"] == "NotStarted" and "uploadBlocks" in ds["links"]
    ids = []
    for i in range(0, len(data), 4096):
        block_id = base64.b64encode(f"{i:08d}".encode()).decode()
        upload = ds["links"]["uploadBlocks"]
        sep = "&" if "?" in upload else "?"
        r = client.put(f"{upload}{sep}blockid={quote(block_id)}", content=data[i : i + 4096])
        assert r.status_code == 201, r.text
        ids.append(block_id)
    listed = client.get(ds["links"]["listBlocks"]).json()
    assert [b["name"] for b in listed["uncommittedBlocks"]] == ids
    r = client.post(
        ds["links"]["commitBlocks"], json=[{"kind": "Uncommitted", "id": b} for b in ids]
    )
    assert r.status_code == 200
    return _done(client, ds["self"])


def test_custom_speech_journey_over_block_upload(client: httpx.Client, tmp_path: Path) -> None:
    project = client.post(
        f"/speechtotext/projects{Q}", json={"displayName": "journey", "locale": "en-US"}
    )
    assert project.status_code == 201
    assert project.headers["Location"] == project.json()["self"]
    folder = write_sample(tmp_path / "acoustic", "Acoustic")
    archive = build_zip(folder, tmp_path / "acoustic.zip")
    ds = _block_dataset(client, "Acoustic", archive.read_bytes())
    assert ds["status"] == "Succeeded"
    # From the sample's construction (samples_clean.py): 10 files of 1.0 + (i % 3) × 0.5 s.
    assert ds["properties"]["acceptedLineCount"] == 10
    assert ds["properties"]["durationMilliseconds"] == 15_000
    files = client.get(ds["links"]["files"]).json()["values"]
    assert sorted(f["kind"] for f in files) == ["AcousticDataArchive", "DatasetReport"]
    report_file = client.get(
        f"{ds['links']['files'].split('?')[0]}/"
        f"{files[0]['self'].split('?')[0].rsplit('/', 1)[1]}{Q}"
    )
    assert report_file.status_code == 200
    model = client.post(
        f"/speechtotext/models{Q}",
        json=model_body(ds, project={"self": project.json()["self"]}),
    )
    assert model.status_code == 201, model.text
    assert model.json()["properties"]["customModelWeightPercent"] == 30
    trained = _done(client, model.json()["self"])
    assert trained["status"] == "Succeeded"
    evaluation = _post_evaluation(
        client,
        f"/speechtotext/evaluations{Q}",
        ds,
        BASE_MODEL,
        {"self": trained["self"]},
    )
    assert evaluation.status_code == 201, evaluation.text
    props = _done(client, evaluation.json()["self"])["properties"]
    # Simulated, deterministic, and the custom model always scores 30 % fewer errors.
    assert props["wordCount1"] == props["wordCount2"] > 0
    assert props["wordErrorRate2"] < props["wordErrorRate1"] < 0.13
    assert props["correctWordCount1"] == (
        props["wordCount1"] - props["wordSubstitutionCount1"] - props["wordDeletionCount1"]
    )
    eval_files = client.get(evaluation.json()["links"]["files"]).json()["values"]
    note = client.get(eval_files[0]["links"]["contentUrl"]).json()
    assert note["simulated"] is True
    endpoint = client.post(
        f"/speechtotext/endpoints{Q}",
        json={"displayName": "ep", "locale": "en-US", "model": {"self": trained["self"]}},
    )
    assert endpoint.status_code == 201
    assert _done(client, endpoint.json()["self"])["links"]["webSocket"].startswith("ws://")
    project_id = project.json()["self"].split("?")[0].rsplit("/", 1)[1]
    listed = client.get(f"/speechtotext/projects/{project_id}/models{Q}").json()
    assert [m["self"] for m in listed["values"]] == [trained["self"]]
    deleting = client.delete(trained["self"])
    assert deleting.status_code == 400 and deleting.json()["innerError"]["code"] == "InUseViolation"


def test_language_without_bom_fails_with_the_documented_code(client: httpx.Client) -> None:
    ds = _block_dataset(client, "Language", "grüße aus köln\n".encode("latin-1"), locale="de-DE")
    assert ds["status"] == "Failed"
    assert ds["properties"]["error"]["code"] == "NoUtf8WithBom"
    report = [
        f for f in client.get(ds["links"]["files"]).json()["values"] if f["kind"] == "DatasetReport"
    ]
    assert len(report) == 1


def test_v32_paths_durations_and_multipart_upload(client: httpx.Client, tmp_path: Path) -> None:
    folder = write_sample(tmp_path / "acoustic", "Acoustic", count=3)
    archive = build_zip(folder, tmp_path / "a.zip")
    r = client.post(
        "/speechtotext/v3.2/datasets/upload",
        data={
            "displayName": "upload",
            "locale": "en-us",
            "kind": "Acoustic",
            "customProperties": json.dumps({"speechflowsContentHash": "abc"}),
        },
        files={"data": ("a.zip", archive.read_bytes(), "application/zip")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["locale"] == "en-US" and "?" not in r.json()["self"]
    done = _done(client, r.json()["self"])
    assert done["properties"]["duration"].startswith("PT")
    assert "durationMilliseconds" not in done["properties"]
    assert (
        client.get(f"/speechtotext/datasets/{done['self'].rsplit('/', 1)[1]}{Q}").json()[
            "properties"
        ]["durationMilliseconds"]
        > 0
    )
    found = client.get(
        "/speechtotext/v3.2/datasets",
        params={"filter": "displayName eq 'upload' and kind eq 'Acoustic'"},
    )
    assert [d["self"] for d in found.json()["values"]] == [done["self"]]


def test_errors_paging_and_versions(client: httpx.Client) -> None:
    r = client.post(
        f"/speechtotext/datasets{Q}",
        json={"kind": "Acoustic", "locale": "xx-XX", "displayName": "bad locale"},
    )
    assert r.status_code == 400
    assert r.json()["innerError"]["code"] == "InvalidLocale" and "error" not in r.json()
    r = client.post(
        f"/speechtotext/models{Q}",
        json={
            "displayName": "m",
            "locale": "en-US",
            "datasets": [],
            "baseModel": {
                "self": "http://x/speechtotext/models/base/00000000-0000-0000-0000-000000000000"
            },
        },
    )
    assert r.json()["innerError"]["code"] == "InvalidBaseModel"
    for i in range(3):
        client.post(f"/speechtotext/projects{Q}", json={"displayName": f"p{i}", "locale": "en-US"})
    first = client.get(f"/speechtotext/projects{Q}&top=2").json()
    assert len(first["values"]) == 2 and "api-version=2025-10-15" in first["@nextLink"]
    assert len(client.get(first["@nextLink"]).json()["values"]) == 1
    assert client.get("/speechtotext/projects").status_code == 400
    assert client.get("/speechtotext/v3.1/projects").status_code == 404
    r = client.get(f"/speechtotext/projects{Q}&filter=customProperties eq 'x'")
    assert r.status_code == 400 and r.json()["innerError"]["code"] == "UnsupportedFilter"
    gone = "/speechtotext/datasets/00000000-0000-0000-0000-000000000000" + Q
    assert client.delete(gone).status_code == 204
    assert client.get(gone).status_code == 404


@pytest.mark.parametrize("body", [[], "not json", {"kind": "Acoustic"}])
def test_malformed_dataset_creates_are_400(client: httpx.Client, body: Any) -> None:
    r = client.post(
        f"/speechtotext/datasets{Q}",
        content=json.dumps(body),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["code"] in ("InvalidRequest", "InvalidArgument")


def test_a_running_entity_get_carries_retry_after_and_a_finished_one_does_not(
    client: httpx.Client, tmp_path: Path
) -> None:
    """Ledger "Speech to text": GETs of entities still ``NotStarted``/``Running`` carry
    ``Retry-After`` (spec 2025-10-15 ``Datasets_Get`` response header); terminal ones do not."""
    created = client.post(
        f"/speechtotext/datasets{Q}",
        json={"kind": "Language", "locale": "en-US", "displayName": "waiting for blocks"},
    )
    assert created.status_code == 201
    waiting = client.get(created.json()["self"])
    assert waiting.json()["status"] == "NotStarted"
    assert waiting.headers["Retry-After"] == "1"
    listed = client.get(f"/speechtotext/datasets{Q}")
    assert listed.headers["Retry-After"] == "1"
    folder = write_sample(tmp_path / "language", "Language")
    done = _block_dataset(client, "Language", folder.read_bytes())
    assert done["status"] == "Succeeded" and done["properties"]["acceptedLineCount"] == 40
    assert "Retry-After" not in client.get(done["self"]).headers
