"""``stage(..., prune=True)``: the prefix mirrors the manifest, and nothing outside it is touched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.datasets.manifest import build_manifest
from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage import CredentialRefusedError, StagingError, stage
from speechflows.storage.account import Account
from tests.storage.conftest import read_blobs


def _conn(settings: StorageSettings) -> str:
    assert settings.connection_string is not None
    return settings.connection_string.get_secret_value()


def _put(settings: StorageSettings, name: str, data: bytes) -> None:
    with BlobServiceClient.from_connection_string(_conn(settings)) as svc:
        svc.get_container_client(settings.container).upload_blob(name, data, overwrite=True)


def test_deleted_and_renamed_files_are_removed_from_the_prefix_only(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    cache = tmp_path / "c.json"
    first = stage(
        build_manifest(dataset, hash_cache=cache),
        settings=storage_settings,
        prefix="v/ds1",
        prune=True,
    )
    assert first.deleted == [] and len(first.uploaded) == 13
    # Neighbours that only share a string prefix, a parent folder, and the container root.
    outside = {
        "v/ds10/wavs/0003.wav": b"x",
        "v/ds1.txt": b"y",
        "v/keep.wav": b"z",
        "root.wav": b"r",
    }
    for name, data in outside.items():
        _put(storage_settings, name, data)
    _put(storage_settings, "v/ds1/extra/stray.wav", b"stray")  # inside: not in the manifest

    (dataset / "wavs" / "0003.wav").unlink()
    (dataset / "wavs" / "0005.wav").rename(dataset / "wavs" / "0005-renamed.wav")
    manifest = build_manifest(dataset, hash_cache=cache)
    assert manifest.hash != first.manifest_hash  # a folder that lost a file is new content
    result = stage(manifest, settings=storage_settings, prefix="v/ds1", prune=True)

    assert result.uploaded == ["v/ds1/wavs/0005-renamed.wav"]
    assert result.deleted == ["v/ds1/extra/stray.wav", "v/ds1/wavs/0003.wav", "v/ds1/wavs/0005.wav"]
    assert result.deleted_bytes == 20_000 * 2 + len(b"stray")
    blobs = read_blobs(storage_settings, storage_settings.container)
    assert {n for n in blobs if n.startswith("v/ds1/")} == {
        f"v/ds1/{e.path}" for e in manifest.entries
    }
    assert {n: blobs[n] for n in outside} == outside


def test_unchanged_rerun_deletes_nothing(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    cache = tmp_path / "c.json"
    stage(
        build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p", prune=True
    )
    again = stage(
        build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p", prune=True
    )
    assert again.deleted == [] and again.deleted_bytes == 0
    assert again.uploaded == [] and len(again.skipped) == 13
    assert len(read_blobs(storage_settings, storage_settings.container, "p/")) == 13


def test_without_prune_stale_blobs_stay(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    cache = tmp_path / "c.json"
    stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    (dataset / "wavs" / "0000.wav").unlink()
    result = stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    assert result.deleted == []
    assert "p/wavs/0000.wav" in read_blobs(storage_settings, storage_settings.container, "p/")


def test_pruning_the_container_root_is_refused(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    manifest = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    with pytest.raises(StagingError, match="refusing to prune the root") as err:
        stage(manifest, settings=storage_settings, prefix="/", prune=True)
    assert "prefix" in err.value.fix
    assert read_blobs(storage_settings, storage_settings.container) == {}


def test_a_sas_without_delete_permission_fails_the_prune_and_names_it(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    cache = tmp_path / "c.json"
    stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    account = Account.from_settings(storage_settings)
    token = account.sas_token_for(storage_settings.container, "rcwl", dt.timedelta(minutes=10))
    sas_only = load_storage_settings(
        connection_string=f"BlobEndpoint={account.service_url};SharedAccessSignature={token}",
        container=storage_settings.container,
    )
    (dataset / "wavs" / "0001.wav").unlink()
    (dataset / "wavs" / "new.wav").write_bytes(b"RIFFnew")
    with pytest.raises(CredentialRefusedError, match="delete blob") as err:
        stage(build_manifest(dataset, hash_cache=cache), settings=sas_only, prefix="p", prune=True)
    assert "delete" in err.value.fix and "sig=" not in str(err.value)
    assert err.value.uploaded == ("p/wavs/new.wav",)  # the upload went through before the refusal
    assert "p/wavs/0001.wav" in read_blobs(storage_settings, storage_settings.container, "p/")
