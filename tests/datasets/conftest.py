"""Sample datasets generated once per session, shared by the dataset tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from speechflows.datasets import DataKind, ValidationReport, validate, write_sample


@pytest.fixture(scope="session")
def samples_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samples")


def sample(root: Path, kind: DataKind, *, broken: bool, locale: str) -> tuple[Path, Path]:
    """(dataset path, README) of a sample, written on first use."""
    dest = root / f"{kind.value}-{locale}-{'broken' if broken else 'good'}"
    readme = dest / "README.md"
    if not readme.exists():
        path = write_sample(dest, kind, broken=broken, locale=locale)
        (dest / "path").write_text(str(path))
    return Path((dest / "path").read_text()), readme


@pytest.fixture(scope="session")
def good_reports(samples_root: Path) -> dict[DataKind, ValidationReport]:
    out = {}
    for kind in DataKind:
        path, _ = sample(samples_root, kind, broken=False, locale="en-US")
        out[kind] = validate(path, kind)
    return out


@pytest.fixture(scope="session")
def broken_reports(samples_root: Path) -> dict[DataKind, tuple[ValidationReport, Path]]:
    out = {}
    for kind in DataKind:
        path, readme = sample(samples_root, kind, broken=True, locale="en-US")
        out[kind] = (validate(path, kind), readme)
    return out
