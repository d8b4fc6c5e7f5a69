"""An interrupted stage (storage killed midway, then restarted) resumes with nothing lost."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from speechflows.datasets.manifest import build_manifest
from speechflows.dev.azurite import Azurite
from speechflows.settings import load_storage_settings
from speechflows.storage import StageProgress, StorageUnreachableError, stage
from tests.storage.conftest import read_blobs, write_dataset


def test_stage_killed_midway_resumes_and_uploads_only_the_rest(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "data", count=150, size=40_000, seed=7)
    m = build_manifest(data, hash_cache=tmp_path / "c.json")
    expected = {f"p/{e.path}": (data / e.path).read_bytes() for e in m.entries}
    store = tmp_path / "azurite"
    az = Azurite.start(data_dir=store)
    try:
        settings = load_storage_settings(connection_string=az.connection_string, container="resume")
        pid = az.process.pid
        assert pid is not None

        def kill_after_40(p: StageProgress) -> None:
            if p.uploaded_files == 40 and az.process.proc and az.process.proc.poll() is None:
                # SIGKILL, not SIGTERM: Azurite then also loses its last unsaved writes.
                os.killpg(pid, signal.SIGKILL)
                az.process.proc.wait()

        with pytest.raises(StorageUnreachableError) as err:
            stage(m, settings=settings, prefix="p", progress=kill_after_40, concurrency=4)
        assert 40 <= len(err.value.uploaded) < len(expected)
        assert "run the same stage again" in err.value.fix
        az.stop()

        az = Azurite.start(port=az.port, data_dir=store)
        survivors = read_blobs(settings, "resume")
        # Whatever survived is complete: nothing half-written.
        assert all(expected[name] == content for name, content in survivors.items())
        assert set(survivors) <= set(err.value.uploaded)

        result = stage(m, settings=settings, prefix="p")
        assert set(result.skipped) == set(survivors)
        assert set(result.uploaded) == set(expected) - set(survivors)
        assert read_blobs(settings, "resume") == expected
        assert stage(m, settings=settings, prefix="p").uploaded == []
    finally:
        az.stop()
