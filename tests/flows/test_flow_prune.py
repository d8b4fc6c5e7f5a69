"""The staged prefix mirrors the local folder: deletions are pruned, and caches never lie about it."""

from __future__ import annotations

from pathlib import Path

import pytest

from speechflows.flows.professional_voice import professional_voice_onboarding
from tests.flows.conftest import blobs_in
from tests.samples import voice_params

pytestmark = pytest.mark.e2e


def test_deleted_file_is_pruned_and_restoring_it_stages_it_again(
    flow_env: dict[str, str], tmp_path: Path
) -> None:
    from speechflows.datasets import DataKind, write_sample

    data = write_sample(tmp_path / "data", DataKind.AUDIO_AND_SCRIPT, count=4)
    params = voice_params(tmp_path, "pv-prune", data)
    conn, container = (
        flow_env["SPEECHFLOWS_STORAGE_CONNECTION_STRING"],
        flow_env["SPEECHFLOWS_STORAGE_CONTAINER"],
    )
    prefix = params.resolved_prefix()

    def staged() -> set[str]:
        return {b.removeprefix(prefix) for b in blobs_in(conn, container) if b.startswith(prefix)}

    first = professional_voice_onboarding(params)
    full = staged()
    assert len(full) == 5 and first.staging.deleted_files == 0

    # The talent drops one take: its wav and its script line go.
    script = data / "script.txt"
    original_script, wav = script.read_bytes(), sorted(data.glob("*.wav"))[-1]
    original_wav = wav.read_bytes()
    wav.unlink()
    kept = [line for line in original_script.split(b"\n") if not line.startswith(wav.stem.encode())]
    script.write_bytes(b"\n".join(kept))
    dropped = professional_voice_onboarding(params)
    assert dropped.staging.deleted == [f"{prefix}{wav.name}"] and dropped.staging.deleted_files == 1
    assert (dropped.staging.uploaded_files, dropped.staging.skipped_files) == (1, 3)  # the script
    assert staged() == full - {wav.name}
    assert dropped.upload_operation_id != first.upload_operation_id

    # Back to the first content: its cached stage no longer describes the prefix, so it runs again.
    wav.write_bytes(original_wav)
    script.write_bytes(original_script)
    restored = professional_voice_onboarding(params)
    assert not restored.staging.cached
    assert (restored.staging.uploaded_files, restored.staging.deleted_files) == (2, 0)
    assert staged() == full
