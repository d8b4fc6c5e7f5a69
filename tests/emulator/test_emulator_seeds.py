"""The requests of the seed documents (../shared/seeds/*.txt, Learn how-tos) work as written,
host and key aside: every ``curl`` in them is parsed and sent unchanged to the emulator.

State they assume (a project created earlier in the how-to) is created first.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.emulator.spec_check import REPO

SEEDS = Path(REPO.parent / "shared" / "seeds")
HOST = re.compile(r"https://YourServiceRegion\.api\.cognitive\.microsoft\.com")


def _curls() -> Iterator[object]:
    for doc in sorted(SEEDS.glob("*.txt")):
        text = doc.read_text()
        for n, block in enumerate(re.findall(r"```azurecli-interactive\n(.*?)```", text, re.S)):
            if block.lstrip().startswith("curl"):
                yield pytest.param(block, id=f"{doc.stem}-{n}")


def _parse(command: str) -> tuple[str, str, bytes]:
    args = shlex.split(command.replace("\\\n", " "))
    method, body, url = "GET", b"", ""
    for i, arg in enumerate(args):
        if arg == "-X":
            method = args[i + 1]
        elif arg == "-d":
            body = args[i + 1].encode()
        elif arg.startswith("https://"):
            url = arg
    return method, url, body


def test_the_seed_documents_hold_curl_commands() -> None:
    assert len(list(_curls())) >= 3


@pytest.mark.parametrize("command", _curls())
def test_seed_request_works_as_written(client: httpx.Client, command: str) -> None:
    # What the how-tos create in earlier steps.
    assert (
        client.put(
            "/customvoice/projects/JessicaProjectId?api-version=2026-01-01",
            json={"kind": "PersonalVoice"},
        ).status_code
        == 201
    )
    store = client._transport._asgi.app.state.context.store  # type: ignore[attr-defined]
    store.put(
        "speechtotext",
        "projects",
        "0198f569-cc11-4099-a0e8-9d55bc3d0c52",
        {
            "id": "0198f569-cc11-4099-a0e8-9d55bc3d0c52",
            "displayName": "p",
            "locale": "en-US",
            "createdDateTime": "2024-07-14T17:36:14Z",
        },
    )
    client.post(
        "/customvoice/trainingsets?api-version=2023-12-01-preview",
        json={
            "id": "JessicaTrainingId",
            "projectId": "JessicaProjectId",
            "locale": "en-US",
            "voiceKind": "Female",
            "description": "300 sentences Jessica data in general style.",
            "displayName": "Training set name",
        },
    )
    method, url, body = _parse(command)
    url = HOST.sub("http://emulator.test", url)
    response = client.request(
        method, url, content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (201, 202), response.text
