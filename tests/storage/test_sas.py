"""SAS URLs work exactly as the Speech service uses them: anonymous GET of a blob and a listing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from speechflows.datasets.manifest import build_manifest
from speechflows.redaction import redact_url
from speechflows.settings import StorageSettings
from speechflows.storage import StagingError, blob_sas_url, container_sas_url, stage


@pytest.fixture
def staged(dataset: Path, tmp_path: Path, storage_settings: StorageSettings) -> Path:
    stage(
        build_manifest(dataset, hash_cache=tmp_path / "c.json"),
        settings=storage_settings,
        prefix="ds",
    )
    return dataset


def _split(url: str) -> tuple[str, str]:
    base, query = url.split("?", 1)
    return base, query


def test_container_sas_reads_and_lists_but_cannot_write(
    staged: Path, storage_settings: StorageSettings
) -> None:
    url = container_sas_url(storage_settings)
    base, query = _split(url)
    params = parse_qs(query)
    assert params["sp"] == ["rl"] and params["sr"] == ["c"]
    assert base.endswith(f"/{storage_settings.container}")
    expiry = dt.datetime.fromisoformat(params["se"][0].replace("Z", "+00:00"))
    minutes = (expiry - dt.datetime.now(dt.UTC)).total_seconds() / 60
    assert storage_settings.sas_expiry_minutes - 2 < minutes <= storage_settings.sas_expiry_minutes
    with httpx.Client() as http:
        got = http.get(f"{base}/ds/wavs/0003.wav?{query}")
        assert got.status_code == 200
        assert got.content == (staged / "wavs" / "0003.wav").read_bytes()
        listing = http.get(f"{base}?restype=container&comp=list&prefix=ds/&{query}")
        assert listing.status_code == 200
        assert listing.text.count("<Name>") == 13 and "<Name>ds/script.txt</Name>" in listing.text
        put = http.put(
            f"{base}/ds/evil.wav?{query}", content=b"x", headers={"x-ms-blob-type": "BlockBlob"}
        )
        assert put.status_code == 403
        assert http.get(f"{base}/ds/wavs/0003.wav").status_code in (401, 403, 404)


def test_sas_without_list_permission_cannot_list(
    staged: Path, storage_settings: StorageSettings
) -> None:
    base, query = _split(container_sas_url(storage_settings, permissions="r"))
    with httpx.Client() as http:
        assert http.get(f"{base}/ds/script.txt?{query}").status_code == 200
        listing = http.get(f"{base}?restype=container&comp=list&{query}")
        assert listing.status_code == 403
        assert listing.headers.get("x-ms-error-code") == "AuthorizationPermissionMismatch"


def test_expiry_and_permissions_are_configurable_and_checked(
    storage_settings: StorageSettings,
) -> None:
    url = container_sas_url(storage_settings, expiry_minutes=5, permissions="lr")
    params = parse_qs(_split(url)[1])
    assert params["sp"] == ["rl"]
    expiry = dt.datetime.fromisoformat(params["se"][0].replace("Z", "+00:00"))
    assert (expiry - dt.datetime.now(dt.UTC)).total_seconds() <= 5 * 60
    with pytest.raises(StagingError, match="between 1 and 10080"):
        container_sas_url(storage_settings, expiry_minutes=0)
    with pytest.raises(StagingError, match="permissions"):
        container_sas_url(storage_settings, permissions="rq")


def test_blob_sas_reads_that_blob_only(staged: Path, storage_settings: StorageSettings) -> None:
    url = blob_sas_url(storage_settings, storage_settings.container, "ds/wavs/0001.wav")
    assert parse_qs(_split(url)[1])["sr"] == ["b"]
    with httpx.Client() as http:
        got = http.get(url)
        assert got.status_code == 200 and got.content == (staged / "wavs/0001.wav").read_bytes()
        other = url.replace("0001.wav?", "0002.wav?")
        assert http.get(other).status_code == 403


def test_sas_url_is_redactable(storage_settings: StorageSettings) -> None:
    url = container_sas_url(storage_settings)
    signature = parse_qs(urlsplit(url).query)["sig"][0]
    shown = redact_url(url)
    assert signature not in shown and "sig=REDACTED" in shown
