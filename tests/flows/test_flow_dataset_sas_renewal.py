"""A dataset import the service could not read gets a fresh SAS and a new attempt in the same run.

The first SAS the flow hands the service is replaced, in the test, by a blob SAS the test signs
itself with the Azurite account key and an expiry one hour in the past: Azurite (the judge of the
SAS) refuses the read, and the service reports the dataset Failed with
``InaccessibleCustomerStorage``. The flow mints a new SAS, creates the dataset again and
completes. What exists is read back with raw httpx from the emulator's API. Ledger:
docs/azure-behaviour.md "Storage access: SAS and when the service reads".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from azure.storage.blob import BlobSasPermissions, generate_blob_sas

import speechflows.storage.blob_source as blob_source
from speechflows.flows.custom_speech import custom_speech_onboarding
from speechflows.flows.params import CustomSpeechParams, DatasetSpec
from tests.flows.conftest import read_artifacts, speech_entities
from tests.flows.deadlines import FAST

pytestmark = pytest.mark.e2e


def _expired_sas_url(connection_string: str, url: str) -> str:
    """``url`` with its query replaced by a read SAS the test signs, expired an hour ago."""
    fields = dict(p.split("=", 1) for p in connection_string.split(";") if "=" in p)
    parts = urlsplit(url)
    segments = parts.path.lstrip("/").split("/")
    if segments[0] == fields["AccountName"]:  # Azurite's path-style URL
        segments = segments[1:]
    container, blob = segments[0], "/".join(segments[1:])
    now = dt.datetime.now(dt.UTC)
    token = generate_blob_sas(
        fields["AccountName"],
        container,
        blob,
        account_key=fields["AccountKey"],
        permission=BlobSasPermissions(read=True),
        start=now - dt.timedelta(hours=2),
        expiry=now - dt.timedelta(hours=1),
    )
    return urlunsplit(parts._replace(query=token))


def test_an_import_refused_by_storage_is_created_again_with_a_fresh_sas(
    flow_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from speechflows.datasets import DataKind, write_sample

    real = blob_source.blob_sas_url  # what service_url mints the dataset's contentUrl with
    minted: list[str] = []

    def first_expired(*args: Any, **kwargs: Any) -> str:
        url = real(*args, **kwargs)
        minted.append(url)
        if len(minted) == 1:
            return _expired_sas_url(flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"], url)
        return url

    monkeypatch.setattr(blob_source, "blob_sas_url", first_expired)
    language = write_sample(tmp_path / "language", DataKind.LANGUAGE)
    params = CustomSpeechParams(
        project_name="sas renewal",
        deadlines=FAST,
        datasets=[DatasetSpec(name="renewed-phrases", kind="Language", path=language)],
    )
    state = custom_speech_onboarding(params, return_state=True)
    assert state.is_completed(), state.message
    result = state.result()
    assert len(minted) == 2  # one fresh SAS for the one new attempt

    found = {
        d["self"].split("?")[0].rsplit("/", 1)[-1]: d
        for d in speech_entities(flow_env, "datasets", "renewed-phrases")
    }
    assert sorted(d["status"] for d in found.values()) == ["Failed", "Succeeded"]
    failed = next(d for d in found.values() if d["status"] == "Failed")
    assert failed["properties"]["error"]["code"] == "InaccessibleCustomerStorage"
    ok = next(i for i, d in found.items() if d["status"] == "Succeeded")
    assert result.datasets[0].report.dataset.id == ok
    assert (result.datasets[0].report.accepted_lines or 0) > 0

    arts = {a.key: a for a in read_artifacts(state.state_details.flow_run_id)}
    report = str(arts["report-sas-renewal"].data)
    assert "could not read the data (InaccessibleCustomerStorage" in report
    assert "fresh SAS" in report and "sig=" not in report and "se=" not in report
