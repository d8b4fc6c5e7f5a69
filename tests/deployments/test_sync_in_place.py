"""A ``sync`` of a Blob drop: the onboarding reads the drop in place, on any worker.

The drop is written to Azurite by the test (Azure SDK). The sync runs on the deploy stack's
worker; the onboarding run it launches gets parameters that name blobs only (no local path, so
no disk shared between the worker that scanned and the one that runs), nothing is downloaded to
a cache, and nothing is written to Blob by the onboarding.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.deployments.setup import PROJECT_ROOT
from speechflows.flows.drops import DESCRIPTOR
from tests.fixtures.prefect_stack import DeployStack

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

FAST = {"poll_min_seconds": 0.05, "poll_max_seconds": 0.5, "dataset_minutes": 2}
CACHE = PROJECT_ROOT / ".speechflows" / "drop-cache"


def _blobs(conn: str, container: str) -> dict[str, str]:
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(container)
        return {b.name: str(b.etag) for b in cc.list_blobs()} if cc.exists() else {}


def _cached() -> set[str]:
    return {p.name for p in CACHE.iterdir()} if CACHE.exists() else set()


def test_sync_of_a_blob_drop_onboards_in_place_without_a_cache(
    deploy_stack: DeployStack,
) -> None:
    api, env = deploy_stack.api, deploy_stack.flow_env
    conn, container = env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"], "drops-in-place"
    project = f"sync-blob-{uuid.uuid4().hex[:8]}"
    folder = f"{project}/batch-1"
    descriptor = {
        "onboarding": "custom-speech",
        "params": {
            "project_name": project,
            "deadlines": FAST,
            "datasets": [{"name": f"{project}-phrases", "kind": "Language", "path": "phrases.txt"}],
        },
    }
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.get_container_client(container)
        if not cc.exists():
            cc.create_container()
        cc.upload_blob(f"{folder}/phrases.txt", b"hello world\nturn on the lights\n")
        cc.upload_blob(f"{folder}/{DESCRIPTOR}", json.dumps(descriptor).encode())
    before_blobs = {c: _blobs(conn, c) for c in (container, env["SPEECHFLOWS_STORAGE_CONTAINER"])}
    before_cache = _cached()

    sync_dep = api.deployment("sync/sync")
    response = api.create_run(sync_dep["id"], {"drop": f"blob://{container}/{project}"})
    assert response.status_code == 201, response.text
    sync_run = api.wait_for_run(response.json()["id"])
    assert sync_run["state_type"] == "COMPLETED", api.failure_logs(sync_run["id"])

    dep = api.deployment("custom-speech-onboarding/custom-speech")

    def launched() -> list[dict[str, Any]]:
        return [
            r
            for r in api.runs(dep["id"])
            if r["parameters"].get("params", {}).get("project_name") == project
        ]

    [run] = api.wait_until("the onboarding run", launched, timeout=60)
    done = api.wait_for_run(run["id"])
    assert done["state_type"] == "COMPLETED", api.failure_logs(run["id"])
    path = done["parameters"]["params"]["datasets"][0]["path"]
    assert path == f"blob://{container}/{folder}/phrases.txt"
    assert not Path(path).is_absolute()  # no local path: any worker can run it
    assert _cached() == before_cache  # nothing downloaded to a cache
    after = {c: _blobs(conn, c) for c in before_blobs}
    assert after == before_blobs  # nothing staged, nothing written to Blob
