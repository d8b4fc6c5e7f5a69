"""Fixtures for the storage tests: deterministic datasets, an open() recorder, a blob reader."""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from azure.storage.blob import BlobServiceClient

from speechflows.settings import StorageSettings

_recording: list[list[str]] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _recording and isinstance(args[0], str | Path):
        _recording[-1].append(str(args[0]))


sys.addaudithook(_audit)  # hooks cannot be removed; it records only inside `opened_files`


@contextmanager
def _opened() -> Iterator[list[str]]:
    seen: list[str] = []
    _recording.append(seen)
    try:
        yield seen
    finally:
        _recording.remove(seen)


@pytest.fixture
def opened_files() -> Callable[[], Any]:
    """``with opened_files() as seen:`` records every path this process opens meanwhile."""
    return _opened


def write_dataset(root: Path, count: int = 12, size: int = 20_000, seed: int = 0) -> Path:
    """``count`` wav-like files under ``wavs/`` and a script, deterministic for ``seed``."""
    rng = random.Random(seed)
    (root / "wavs").mkdir(parents=True, exist_ok=True)
    lines = []
    for i in range(count):
        (root / "wavs" / f"{i:04d}.wav").write_bytes(b"RIFF" + rng.randbytes(size - 4))
        lines.append(f"{i:04d}\tsentence number {i}")
    (root / "script.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "data")


def read_blobs(settings: StorageSettings, container: str, prefix: str = "") -> dict[str, bytes]:
    """Every blob under ``prefix`` with its content, read back through the SDK."""
    assert settings.connection_string is not None
    conn = settings.connection_string.get_secret_value()
    with BlobServiceClient.from_connection_string(conn) as service:
        client = service.get_container_client(container)
        if not client.exists():
            return {}
        return {
            b.name: client.download_blob(b.name).readall()
            for b in client.list_blobs(name_starts_with=prefix)
        }
