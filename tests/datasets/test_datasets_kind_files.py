"""The files a kind is staged from match the validator's: OutputFormatting takes a .txt too."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from prefect.logging import disable_run_logger

from speechflows.datasets.kinds import KIND_EXTENSIONS, DataKind
from speechflows.tasks.data import TEXT_EXTENSIONS, DataError, package_dataset


def test_text_kinds_stage_what_they_validate() -> None:
    for kind, exts in TEXT_EXTENSIONS.items():
        assert set(exts) == KIND_EXTENSIONS[DataKind.parse(kind)], kind
    assert set(TEXT_EXTENSIONS["OutputFormatting"]) == {".md", ".txt"}


@pytest.mark.parametrize("name", ["data_display format.txt", "rules.md"])
def test_output_formatting_folder_packages_its_one_rule_file(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(codecs.BOM_UTF8 + b"# rewrite\r\ncontoso\tContoso\r\n")
    with disable_run_logger():
        staged = package_dataset.fn(tmp_path, "OutputFormatting", work_dir=tmp_path / "w")
    assert staged == tmp_path / name


def test_output_formatting_folder_with_two_rule_files_is_refused(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md"):
        (tmp_path / name).write_bytes(b"# itn\ncat-\\d\n")
    with disable_run_logger(), pytest.raises(DataError, match=r"ONE \.md/\.txt file; found 2"):
        package_dataset.fn(tmp_path, "OutputFormatting", work_dir=tmp_path / "w")
