"""`dev up` seeds the inputs that prefect.yaml's default parameters name, so a UI run works as-is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from speechflows.datasets import validate
from speechflows.dev.sample_inputs import DEFAULT_INPUTS, seed_default_inputs

REPO = Path(__file__).resolve().parents[2]


def _default_paths(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_default_paths(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_default_paths(v) for v in value)) if value else set()
    return {value} if isinstance(value, str) and value.startswith("data/") else set()


def test_every_default_path_in_prefect_yaml_is_seeded() -> None:
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text())
    named = set().union(*(_default_paths(d.get("parameters", {})) for d in spec["deployments"]))
    assert named, "prefect.yaml names no data/ defaults"
    assert named == {path for path, _, _ in DEFAULT_INPUTS}


def test_seeded_inputs_validate_clean_and_existing_files_are_kept(tmp_path: Path) -> None:
    mine = tmp_path / "data" / "language.txt"
    mine.parent.mkdir(parents=True)
    mine.write_bytes(b"\xef\xbb\xbfmy own sentence\n")
    written = seed_default_inputs(tmp_path)
    assert mine not in written and mine.read_bytes() == b"\xef\xbb\xbfmy own sentence\n"
    assert len(written) == len(DEFAULT_INPUTS) - 1
    for path, kind, _ in DEFAULT_INPUTS:
        report = validate(tmp_path / path, kind)
        assert not report.has_errors, (path, report.to_text())
    assert seed_default_inputs(tmp_path) == []
