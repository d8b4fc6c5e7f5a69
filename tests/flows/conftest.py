"""Fixtures of the flow tests: settings in the environment, isolated result storage, emulator state."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from speechflows.datasets import DataKind, write_sample
from speechflows.flows.params import ConsentParams, PersonalVoiceParams
from speechflows.speech.errors import ResourceFailedError
from tests.fixtures.prefect import local_results_in
from tests.flows.deadlines import FAST
from tests.samples import first_file


@pytest.fixture(scope="session")
def flow_results_dir(
    prefect_server: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Cached task results of this session live in a temp dir (no stale cache across sessions)."""
    with local_results_in(tmp_path_factory, "prefect-results") as path:
        yield path


@pytest.fixture
def flow_env(
    monkeypatch: pytest.MonkeyPatch,
    emulator: Any,
    azurite: Any,
    storage_settings: Any,
    flow_results_dir: Path,
    tmp_path: Path,
) -> dict[str, str]:
    """Point the flows at the session emulator and Azurite (a container per test), cwd in tmp."""
    env = {
        "SPEECHFLOWS_SPEECH_ENDPOINT": emulator.base_url,
        "SPEECHFLOWS_SPEECH_KEY": emulator.key,
        "SPEECHFLOWS_STORAGE_CONNECTION_STRING": azurite.connection_string,
        "SPEECHFLOWS_STORAGE_CONTAINER": storage_settings.container,
        "PREFECT_RESULTS_LOCAL_STORAGE_PATH": str(flow_results_dir),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    return env


class EmulatorState:
    """Reads ``/_emulator/state``: what the service has, and how often each thing was created."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def get(self) -> dict[str, Any]:
        response = httpx.get(f"{self.base_url}/_emulator/state", timeout=10)
        response.raise_for_status()
        body: dict[str, Any] = response.json()
        return body

    def creates(self) -> list[dict[str, Any]]:
        return list(self.get()["creates"])

    def jobs(self, resource: str | None = None) -> list[dict[str, Any]]:
        jobs = list(self.get()["jobs"])
        return [j for j in jobs if resource is None or j["resource"] == resource]

    def set_faults(self, **faults: Any) -> None:
        httpx.post(f"{self.base_url}/_emulator/faults", json=faults, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.base_url}/_emulator/faults", timeout=10).raise_for_status()

    def failed_run(self, onboarding: Any, params: Any) -> tuple[Any, ResourceFailedError]:
        """Run ``onboarding`` while the service fails its operations (Internal): the failed
        state and its error."""
        self.set_faults(fail_operations=True)
        state = onboarding(params, return_state=True)
        self.clear_faults()
        assert state.is_failed()
        with pytest.raises(ResourceFailedError) as info:
            state.result()
        return state, info.value


@pytest.fixture
def emulator_state(emulator: Any) -> Iterator[EmulatorState]:
    state = EmulatorState(emulator.base_url)
    yield state
    state.clear_faults()


def personal_params(tmp: Path, project: str, **kw: Any) -> PersonalVoiceParams:
    """Personal voice into ``project`` (FAST deadlines, Sam Roe at Contoso): the consent and
    the prompt audio are samples written under ``tmp/consent`` and ``tmp/prompt``."""
    consent = first_file(write_sample(tmp / "consent", DataKind.CONSENT), (".wav", ".mp3"))
    return PersonalVoiceParams(
        project_id=project,
        prompt_path=write_sample(tmp / "prompt", DataKind.PROMPT),
        deadlines=FAST,
        consent=ConsentParams(
            voice_talent_name="Sam Roe", company_name="Contoso", audio_file=consent
        ),
        **kw,
    )


def read_artifacts(flow_run_id: Any) -> list[Any]:
    """Every artifact of a flow run (latest versions included)."""
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def go() -> list[Any]:
        async with get_client() as client:
            return list(
                await client.read_artifacts(
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
                )
            )

    return asyncio.run(go())


def read_log_messages(flow_run_id: Any) -> list[str]:
    """The messages of a flow run's log lines (its task runs' included) on the server now."""
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    async def go() -> list[str]:
        async with get_client() as client:
            logs = await client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id]))
            )
        return [log.message for log in logs]

    return asyncio.run(go())


def blobs_in(connection_string: str, container: str) -> list[str]:
    """Blob names in a container (empty when it does not exist)."""
    from azure.core.exceptions import ResourceNotFoundError
    from azure.storage.blob import BlobServiceClient

    with BlobServiceClient.from_connection_string(connection_string) as svc:
        try:
            return [b.name for b in svc.get_container_client(container).list_blobs()]
        except ResourceNotFoundError:
            return []


def speech_entities(
    env: dict[str, str], collection: str, display_name: str
) -> list[dict[str, Any]]:
    """Every Speech to text entity of ``collection`` named ``display_name``, read with raw httpx
    (every page), as the service holds them: not through the client under test."""
    headers = {"Ocp-Apim-Subscription-Key": env["SPEECHFLOWS_SPEECH_KEY"]}
    url = f"{env['SPEECHFLOWS_SPEECH_ENDPOINT']}/speechtotext/{collection}"
    items: list[dict[str, Any]] = []
    with httpx.Client(headers=headers, timeout=30) as http:
        body = http.get(url, params={"api-version": "2025-10-15"}).json()
        while True:
            items.extend(body.get("values") or [])
            if not body.get("@nextLink"):
                break
            body = http.get(body["@nextLink"]).json()
    return [i for i in items if i.get("displayName") == display_name]
