"""Data already in Blob Storage: its manifest from one listing, and a verified local copy."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from azure.storage.blob import BlobBlock, BlobServiceClient

from speechflows.datasets.manifest import build_manifest
from speechflows.settings import StorageSettings
from speechflows.storage import NothingToStageError, download_prefix, remote_manifest, stage


def test_remote_manifest_equals_the_local_one(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    local = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    stage(local, settings=storage_settings, prefix="src/ds")
    remote = remote_manifest(storage_settings, storage_settings.container, "src/ds/")
    assert remote.entries == local.entries and remote.hash == local.hash
    assert remote.location.endswith(f"/{storage_settings.container}/src/ds")
    assert "?" not in remote.location


def test_foreign_blobs_use_content_md5_or_etag(
    tmp_path: Path, storage_settings: StorageSettings
) -> None:
    assert storage_settings.connection_string is not None
    conn = storage_settings.connection_string.get_secret_value()
    with BlobServiceClient.from_connection_string(conn) as svc:
        cc = svc.create_container(storage_settings.container)
        cc.upload_blob("f/a.txt", b"single put")  # the service sets Content-MD5
        block = cc.get_blob_client("f/b.bin")
        block.stage_block("QUFB", b"block upload")
        block.commit_block_list([BlobBlock(block_id="QUFB")])
    m = remote_manifest(storage_settings, storage_settings.container, "f")
    a, b = m.entries
    assert (a.path, b.path) == ("a.txt", "b.bin")
    assert a.md5 == hashlib.md5(b"single put").hexdigest() and a.etag is None
    assert b.md5 == "" and b.etag and b.identity.startswith("etag:")


def test_download_prefix_copies_verifies_and_keeps_unchanged_files(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    local = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    stage(local, settings=storage_settings, prefix="src")
    dest = tmp_path / "copy"
    assert download_prefix(storage_settings, storage_settings.container, "src", dest) == dest
    copied = build_manifest(dest, hash_cache=tmp_path / "c.json")
    assert copied.hash == local.hash
    assert not [p for p in dest.rglob(".*")]  # no temporary files left behind
    kept = dest / "wavs" / "0000.wav"
    before = kept.stat().st_mtime_ns
    (dest / "wavs" / "0001.wav").write_bytes(b"damaged")
    download_prefix(storage_settings, storage_settings.container, "src", dest)
    assert kept.stat().st_mtime_ns == before
    assert (dest / "wavs" / "0001.wav").read_bytes() == (dataset / "wavs" / "0001.wav").read_bytes()


def test_empty_prefix_is_an_error(storage_settings: StorageSettings, tmp_path: Path) -> None:
    assert storage_settings.connection_string is not None
    conn = storage_settings.connection_string.get_secret_value()
    with BlobServiceClient.from_connection_string(conn) as svc:
        svc.create_container(storage_settings.container)
    with pytest.raises(NothingToStageError, match="no blob under"):
        remote_manifest(storage_settings, storage_settings.container, "nothing/here")
    with pytest.raises(NothingToStageError):
        download_prefix(storage_settings, storage_settings.container, "nothing", tmp_path / "d")
