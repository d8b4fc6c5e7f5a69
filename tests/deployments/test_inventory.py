"""The inventory flow against the emulator: everything listed, a stuck operation flagged."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.e2e


@pytest.fixture
def speech_env(
    monkeypatch: pytest.MonkeyPatch, emulator: Any, prefect_server: None
) -> Iterator[None]:
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", emulator.base_url)
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", emulator.key)
    yield
    emulator.clear_faults()


def test_inventory_lists_resources_and_flags_a_stuck_consent(
    speech_env: None, emulator: Any, tmp_path: Path
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.utilities.asyncutils import run_coro_as_sync

    from speechflows.datasets import DataKind, write_sample
    from speechflows.flows.inventory import inventory
    from speechflows.speech import CustomVoiceClient

    project = f"inv-{uuid.uuid4().hex[:8]}"
    sample = write_sample(tmp_path / "consent", DataKind.CONSENT)
    audio = sample if sample.is_file() else sorted(sample.rglob("*.wav"))[0]
    emulator.set_faults(stuck_operations=True)
    with CustomVoiceClient(emulator.speech_settings()) as client:
        client.projects.create(project, kind="PersonalVoice")
        client.consents.create(
            f"{project}-consent",
            project_id=project,
            voice_talent_name="Sam Roe",
            company_name="Contoso",
            locale="en-US",
            audio_file=audio,
        )

    result = inventory(stuck_after_minutes=0.0)

    assert result.errors == []
    mine = {(r.kind, r.id): r for r in result.rows if r.id.startswith(project)}
    assert set(mine) == {("project", project), ("consent", f"{project}-consent")}
    assert [(r.kind, r.id) for r in result.stuck if r.id.startswith(project)] == [
        ("consent", f"{project}-consent")
    ]
    assert mine[("consent", f"{project}-consent")].status in ("NotStarted", "Running")

    async def latest(key: str) -> Any:
        async with get_client() as c:
            found = await c.read_latest_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
            )
        return found[0]

    table = run_coro_as_sync(latest("speechflows-inventory"))
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert {"id": f"{project}-consent", "stuck": "STUCK"}.items() <= next(
        r for r in rows if r["id"] == f"{project}-consent"
    ).items()
    summary = run_coro_as_sync(latest("speechflows-inventory-summary"))
    assert f"`{project}-consent`" in summary.data
