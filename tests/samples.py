"""Helpers for the sample data tests write with :func:`speechflows.datasets.write_sample`."""

from __future__ import annotations

from pathlib import Path


def first_file(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``path`` itself when a sample is one file, else its first file (sorted) with a suffix."""
    return path if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in suffixes)[0]


def voice_args(data: Path, consent: Path, project: str, *more: str) -> list[str]:
    """``onboard voice`` CLI arguments: ``data`` of Jess Doe at Contoso into ``project``."""
    talent = ["--talent", "Jess Doe", "--company", "Contoso", "--consent", str(consent)]
    return ["onboard", "voice", str(data), "--project", project, *talent, *more]
