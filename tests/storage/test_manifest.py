from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from speechflows.datasets.manifest import Manifest, build_manifest
from speechflows.storage import (
    NothingToStageError,
    SourceNotFoundError,
    StagingError,
    UnreadableFileError,
)


def test_entries_are_relative_sorted_with_size_and_md5(dataset: Path, tmp_path: Path) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    paths = [e.path for e in m.entries]
    assert paths == sorted(paths)
    assert paths[0] == "script.txt" and paths[1] == "wavs/0000.wav" and len(paths) == 13
    for entry in m.entries:
        data = (dataset / entry.path).read_bytes()
        assert entry.size == len(data)
        assert entry.md5 == hashlib.md5(data).hexdigest()
    assert m.total_bytes == sum(e.size for e in m.entries)
    assert m.local_path(m.entries[1]) == dataset / "wavs/0000.wav"


def test_extensions_filter_case_insensitive_and_hidden_names_skipped(
    dataset: Path, tmp_path: Path
) -> None:
    (dataset / "wavs" / "LOUD.WAV").write_bytes(b"RIFF....")
    (dataset / ".DS_Store").write_bytes(b"x")
    (dataset / ".speechflows").mkdir()
    (dataset / ".speechflows" / "a.wav").write_bytes(b"RIFF")
    m = build_manifest(dataset, extensions=["wav"], hash_cache=tmp_path / "c.json")
    paths = {e.path for e in m.entries}
    assert "wavs/LOUD.WAV" in paths and "script.txt" not in paths
    assert not any(p.startswith(".") or "/." in p for p in paths)
    assert len(paths) == 13


def test_hash_is_content_identity(dataset: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c.json"
    first = build_manifest(dataset, hash_cache=cache)
    copy = shutil.copytree(dataset, tmp_path / "elsewhere")
    assert build_manifest(copy, hash_cache=cache).hash == first.hash
    (copy / "wavs" / "0003.wav").write_bytes(b"RIFF" + b"\0" * 19_996)  # same size, new bytes
    assert build_manifest(copy, hash_cache=cache).hash != first.hash
    (copy / "wavs" / "0003.wav").rename(copy / "wavs" / "x.wav")
    assert build_manifest(copy, hash_cache=cache).hash != first.hash


def test_hash_follows_entries_after_model_copy(dataset: Path, tmp_path: Path) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    before = m.hash
    fewer = m.model_copy(update={"entries": m.entries[1:]})
    assert fewer.hash != before and m.hash == before


def test_manifest_round_trips_through_json(dataset: Path, tmp_path: Path) -> None:
    m = build_manifest(dataset, hash_cache=tmp_path / "c.json")
    again = Manifest.model_validate_json(m.model_dump_json())
    assert again == m and again.hash == m.hash


def test_single_file_root(tmp_path: Path) -> None:
    archive = tmp_path / "Data.ZIP"
    archive.write_bytes(b"PK\x03\x04" + b"z" * 100)
    m = build_manifest(archive, extensions=[".zip"], hash_cache=tmp_path / "c.json")
    assert m.single_file and [e.path for e in m.entries] == ["Data.ZIP"]
    assert m.local_path(m.entries[0]) == archive
    with pytest.raises(NothingToStageError):
        build_manifest(archive, extensions=[".wav"], hash_cache=tmp_path / "c.json")


def test_unchanged_folder_is_not_reread(
    dataset: Path, tmp_path: Path, opened_files: Callable[[], Any]
) -> None:
    cache = tmp_path / "c.json"
    with opened_files() as seen:
        first = build_manifest(dataset, hash_cache=cache)
    assert sum(str(dataset) in p for p in seen) == 13  # the first run reads every file once
    with opened_files() as seen:
        second = build_manifest(dataset, hash_cache=cache)
    assert [p for p in seen if str(dataset) in p] == []
    assert second.hash == first.hash
    # A touched file (new mtime) is re-read, and only that one.
    target = dataset / "wavs" / "0005.wav"
    target.write_bytes(target.read_bytes())
    with opened_files() as seen:
        build_manifest(dataset, hash_cache=cache)
    assert [p for p in seen if str(dataset) in p] == [str(target)]


def test_cache_forgets_deleted_files_and_survives_corruption(dataset: Path, tmp_path: Path) -> None:
    cache = tmp_path / "c.json"
    build_manifest(dataset, hash_cache=cache)
    (dataset / "wavs" / "0001.wav").unlink()
    build_manifest(dataset, hash_cache=cache)
    keys = json.loads(cache.read_text())["files"]
    assert str(dataset / "wavs" / "0001.wav") not in keys and len(keys) == 12
    cache.write_text("{not json")
    m = build_manifest(dataset, hash_cache=cache)
    assert len(m.entries) == 12 and json.loads(cache.read_text())["version"] == 1


def test_missing_folder_names_path_and_fix(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError) as err:
        build_manifest(tmp_path / "nope", hash_cache=tmp_path / "c.json")
    assert str(tmp_path / "nope") in str(err.value) and "Fix:" in str(err.value)
    assert isinstance(err.value, StagingError)


def test_nothing_matching_names_extensions(dataset: Path, tmp_path: Path) -> None:
    with pytest.raises(NothingToStageError) as err:
        build_manifest(dataset, extensions=[".flac", "mp3"], hash_cache=tmp_path / "c.json")
    assert ".flac, .mp3" in str(err.value) and str(dataset) in str(err.value)


def test_unreadable_file_names_it(dataset: Path, tmp_path: Path) -> None:
    # Tests run as root, so permissions cannot make a file unreadable; a dangling link can.
    (dataset / "wavs" / "gone.wav").symlink_to(tmp_path / "does-not-exist.wav")
    with pytest.raises(UnreadableFileError) as err:
        build_manifest(dataset, hash_cache=tmp_path / "c.json")
    assert "gone.wav" in str(err.value) and "Fix:" in str(err.value)
