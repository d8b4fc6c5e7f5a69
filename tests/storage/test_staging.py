from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobBlock, BlobServiceClient

from speechflows.datasets.manifest import build_manifest
from speechflows.settings import StorageSettings
from speechflows.storage import StageProgress, UnreadableFileError, stage
from speechflows.storage import staging as staging_module
from tests.storage.conftest import read_blobs


def _conn(settings: StorageSettings) -> str:
    assert settings.connection_string is not None
    return settings.connection_string.get_secret_value()


def test_stage_uploads_every_file_with_our_md5(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    result = stage(m, settings=storage_settings, prefix="/voice/ds1/")
    assert result.container == storage_settings.container and result.prefix == "voice/ds1"
    assert result.uploaded == sorted(f"voice/ds1/{e.path}" for e in m.entries)
    assert result.skipped == [] and result.uploaded_bytes == m.total_bytes
    assert result.manifest_hash == m.hash
    blobs = read_blobs(storage_settings, storage_settings.container)
    assert blobs == {f"voice/ds1/{e.path}": (dataset / e.path).read_bytes() for e in m.entries}
    with BlobServiceClient.from_connection_string(_conn(storage_settings)) as svc:
        listed = svc.get_container_client(storage_settings.container).list_blobs(
            include=["metadata"]
        )
        md5s = {b.name: b.metadata["speechflowsmd5"] for b in listed}
    assert md5s == {f"voice/ds1/{e.path}": e.md5 for e in m.entries}


def test_unchanged_rerun_uploads_nothing_and_reads_no_file(
    dataset: Path,
    tmp_path: Path,
    storage_settings: StorageSettings,
    opened_files: Callable[[], Any],
) -> None:
    cache = tmp_path / "c.json"
    first = stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    with opened_files() as seen:
        m = build_manifest(dataset, hash_cache=cache)
        again = stage(m, settings=storage_settings, prefix="p")
    assert [p for p in seen if str(dataset) in p] == []
    assert again.uploaded == [] and again.uploaded_bytes == 0
    assert again.skipped == first.uploaded and again.skipped_bytes == m.total_bytes
    assert again.manifest_hash == first.manifest_hash


def test_changed_file_is_reuploaded_alone(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    cache = tmp_path / "c.json"
    stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    changed = dataset / "wavs" / "0007.wav"
    changed.write_bytes(b"RIFF" + bytes(19_996))  # same size, different content
    (dataset / "wavs" / "new.wav").write_bytes(b"RIFFnew")
    result = stage(build_manifest(dataset, hash_cache=cache), settings=storage_settings, prefix="p")
    assert result.uploaded == ["p/wavs/0007.wav", "p/wavs/new.wav"]
    assert len(result.skipped) == 12
    blobs = read_blobs(storage_settings, storage_settings.container, "p/wavs/0007")
    assert blobs == {"p/wavs/0007.wav": changed.read_bytes()}


def test_progress_reports_files_and_bytes(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    seen: list[StageProgress] = []
    stage(m, settings=storage_settings, prefix="p", progress=seen.append)
    assert seen[0].files_done == 0 and seen[0].files_total == 13
    done = [s.files_done for s in seen]
    assert done == sorted(done) and seen[-1].files_done == 13
    assert seen[-1].bytes_done == seen[-1].bytes_total == m.total_bytes
    assert seen[-1].uploaded_files == 13 and seen[-1].skipped_files == 0
    seen.clear()
    stage(m, settings=storage_settings, prefix="p", progress=seen.append)
    assert seen[-1].skipped_files == 13 and seen[-1].bytes_done == m.total_bytes


def test_prefixes_are_folders_not_string_prefixes(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    stage(m, settings=storage_settings, prefix="ds10")
    assert len(stage(m, settings=storage_settings, prefix="ds1").uploaded) == 13
    at_root = stage(m, settings=storage_settings, prefix="")
    assert "script.txt" in at_root.uploaded and len(at_root.uploaded) == 13


def test_stage_works_inside_a_running_event_loop(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")

    async def caller() -> int:
        return len(stage(m, settings=storage_settings, prefix="p").uploaded)

    assert asyncio.run(caller()) == 13


def test_blobs_from_other_tools_are_judged_by_content(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    container = storage_settings.container
    with BlobServiceClient.from_connection_string(_conn(storage_settings)) as svc:
        svc.create_container(container)
        cc = svc.get_container_client(container)
        # Single-shot upload: the service sets Content-MD5, which matches → skipped.
        cc.upload_blob("p/script.txt", (dataset / "script.txt").read_bytes())
        # Block upload: no Content-MD5 and no metadata → unknown content → uploaded again.
        data = (dataset / "wavs" / "0000.wav").read_bytes()
        cc.get_blob_client("p/wavs/0000.wav").stage_block("QUFB", data)
        cc.get_blob_client("p/wavs/0000.wav").commit_block_list([BlobBlock(block_id="QUFB")])
        # Same size, other bytes → uploaded again.
        cc.upload_blob("p/wavs/0001.wav", bytes(20_000))
    result = stage(m, settings=storage_settings, prefix="p")
    assert result.skipped == ["p/script.txt"]
    assert "p/wavs/0000.wav" in result.uploaded and "p/wavs/0001.wav" in result.uploaded


def test_file_changed_after_manifest_is_never_staged(
    dataset: Path, tmp_path: Path, storage_settings: StorageSettings
) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    (dataset / "wavs" / "0002.wav").write_bytes(b"RIFF" + bytes(19_996))  # same size
    with pytest.raises(UnreadableFileError) as err:
        stage(m, settings=storage_settings, prefix="p", concurrency=1)
    assert "changed after its manifest" in str(err.value) and "0002.wav" in str(err.value)
    assert "p/wavs/0002.wav" not in err.value.uploaded
    assert "p/wavs/0002.wav" not in read_blobs(storage_settings, storage_settings.container)


def test_block_upload_of_large_files(
    tmp_path: Path, storage_settings: StorageSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small limits exercise Put Block / Put Block List without big files (2 GB: test_big_file).
    monkeypatch.setattr(staging_module, "SINGLE_PUT_LIMIT", 64 * 1024)
    monkeypatch.setattr(staging_module, "BLOCK_SIZE", 50 * 1024)
    root = tmp_path / "zips"
    root.mkdir()
    payloads = {f"part{i}.zip": hashlib.sha512(bytes([i])).digest() * 3000 for i in range(3)}
    payloads["small.zip"] = b"PK" * 10
    for name, data in payloads.items():
        (root / name).write_bytes(data)
    m = build_manifest(root, hash_cache=tmp_path / "c.json")
    seen: list[StageProgress] = []
    result = stage(m, settings=storage_settings, prefix="z", progress=seen.append)
    assert result.uploaded_bytes == sum(map(len, payloads.values()))
    assert read_blobs(storage_settings, storage_settings.container) == {
        f"z/{k}": v for k, v in payloads.items()
    }
    assert len(seen) > 3 * 4  # per-block progress for the big ones
    again = stage(m, settings=storage_settings, prefix="z")
    assert again.uploaded == [] and len(again.skipped) == 4
    # A big file changed after the manifest is not committed.
    (root / "part1.zip").write_bytes(b"\0" * len(payloads["part1.zip"]))
    with pytest.raises(UnreadableFileError, match=r"part1\.zip"):
        stage(m, settings=storage_settings, prefix="z2")
    assert "z2/part1.zip" not in read_blobs(storage_settings, storage_settings.container, "z2/")
