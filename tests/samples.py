"""Helpers for the sample data tests write with :func:`speechflows.datasets.write_sample`."""

from __future__ import annotations

from pathlib import Path


def first_file(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``path`` itself when a sample is one file, else its first file (sorted) with a suffix."""
    return path if path.is_file() else sorted(p for p in path.rglob("*") if p.suffix in suffixes)[0]
