"""build_zip: deterministic bytes, bounded by its inputs, and valid for the validator."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from speechflows.datasets import DataKind, build_zip, validate, write_sample


@pytest.fixture(scope="module")
def acoustic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("pkg"), DataKind.ACOUSTIC)


def test_zip_is_byte_identical_across_runs_and_mtimes(acoustic: Path, tmp_path: Path) -> None:
    first = build_zip(acoustic, tmp_path / "a.zip").read_bytes()
    for path in acoustic.iterdir():
        os.utime(path, (1_700_000_000, 1_700_000_000))
    second = build_zip(acoustic, tmp_path / "b.zip").read_bytes()
    assert first == second


def test_different_content_gives_different_bytes(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("one")
    one = build_zip(tmp_path / "d", tmp_path / "1.zip").read_bytes()
    (tmp_path / "d" / "a.txt").write_text("two")
    assert build_zip(tmp_path / "d", tmp_path / "2.zip").read_bytes() != one


def test_members_sorted_stored_or_deflated_with_fixed_metadata(
    acoustic: Path, tmp_path: Path
) -> None:
    with zipfile.ZipFile(build_zip(acoustic, tmp_path / "a.zip")) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(p.name for p in acoustic.iterdir())
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == (
                zipfile.ZIP_STORED if info.filename.endswith(".wav") else zipfile.ZIP_DEFLATED
            )
            assert zf.read(info) == (acoustic / info.filename).read_bytes()
        assert zf.testzip() is None


def test_destination_inside_the_folder_is_not_packed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    build_zip(tmp_path, tmp_path / "out.zip")
    build_zip(tmp_path, tmp_path / "out.zip")  # the second run sees the first archive
    with zipfile.ZipFile(tmp_path / "out.zip") as zf:
        assert zf.namelist() == ["a.txt"]
    assert not list(tmp_path.glob(".*partial"))


def test_only_the_given_files(acoustic: Path, tmp_path: Path) -> None:
    report = validate(acoustic, DataKind.ACOUSTIC)
    subset = report.accepted_files[:3]
    with zipfile.ZipFile(build_zip(acoustic, tmp_path / "s.zip", files=subset)) as zf:
        assert zf.namelist() == sorted(subset)


def test_zip_validates_like_the_folder(acoustic: Path, tmp_path: Path) -> None:
    folder = validate(acoustic, DataKind.ACOUSTIC)
    zipped = validate(build_zip(acoustic, tmp_path / "a.zip"), DataKind.ACOUSTIC)
    assert zipped.counts_by_code() == folder.counts_by_code() == {}
    assert zipped.utterance_count == folder.utterance_count
    assert zipped.total_audio_seconds == pytest.approx(folder.total_audio_seconds)


def test_subfolders_keep_posix_paths(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.txt").write_text("x")
    with zipfile.ZipFile(build_zip(tmp_path / "d", tmp_path / "z.zip")) as zf:
        assert zf.namelist() == ["sub/x.txt"]


def test_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(NotADirectoryError, match="pass the dataset folder"):
        build_zip(tmp_path / "f", tmp_path / "z.zip")
