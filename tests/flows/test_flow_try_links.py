"""``speechflows try links``: a try report's expired links, or links to an address Blob no longer
answers on, are re-minted in place for the same blobs (read-only, one blob, within the hour);
links to other blobs or with other permissions, and blobs that are gone, are left as they were."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from prefect import flow
from prefect.artifacts import create_markdown_artifact

from speechflows.settings import StorageSettings
from speechflows.storage.account import Account
from speechflows.tasks.try_links import refresh_artifacts, refresh_links
from tests.flows.conftest import read_artifacts

pytestmark = pytest.mark.e2e
LINK = re.compile(r"\]\(<(http[^>]+)>\)")
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt "


def _put(settings: StorageSettings, name: str, data: bytes) -> None:
    account = Account.from_settings(settings)
    account.ensure_container(settings.container)
    with account.service_client() as client:
        client.get_blob_client(settings.container, name).upload_blob(data, overwrite=True)


def _link(settings: StorageSettings, name: str, perms: str, minutes: float, port: int) -> str:
    """A SAS link to ``name`` as a report of another time or place wrote it."""
    account = Account.from_settings(settings)
    token = account.sas_token_for(
        settings.container, perms, dt.timedelta(minutes=minutes), blob=name
    )
    url = f"{account.container_url(settings.container)}/{name}?{token}"
    return re.sub(r"127\.0\.0\.1:\d+", f"127.0.0.1:{port}", url)


def _report(links: list[str]) -> str:
    rows = "\n".join(
        f"| {i} | [play / download](<{u}>) (link expires 03:00 UTC) |" for i, u in enumerate(links)
    )
    return f"# Hear v\n\n| # | audio |\n|---|---|\n{rows}\n\nThe links **expire at 03:00 UTC**."


def test_expired_and_moved_links_are_reminted_for_the_same_blob(
    storage_settings: StorageSettings, azurite: object
) -> None:
    here = urlsplit(Account.from_settings(storage_settings).service_url).port
    assert here is not None
    _put(storage_settings, "p/v/try/01-a.wav", WAV + b"one")
    _put(storage_settings, "try-speech/ab/results/alignment-1.csv", b"file,model\n")
    _put(storage_settings, "p/v/data/01.wav", WAV + b"training data")
    expired = _link(storage_settings, "p/v/try/01-a.wav", "r", -1, here)
    moved = _link(storage_settings, "try-speech/ab/results/alignment-1.csv", "r", 30, here + 1)
    not_try = _link(storage_settings, "p/v/data/01.wav", "r", 30, here)
    writable = _link(storage_settings, "p/v/try/01-a.wav", "rw", 30, here)
    gone = _link(storage_settings, "p/v/try/02-gone.wav", "r", -1, here)
    assert httpx.get(expired).status_code == 403  # what the user sees after the hour

    before = _report([expired, moved, not_try, writable, gone])
    now = dt.datetime.now(dt.UTC)
    out = refresh_links(before, storage_settings)
    links = LINK.findall(out.text)
    assert out.links == 2 and out.missing == [f"{storage_settings.container}/p/v/try/02-gone.wav"]
    assert links[2:] == [not_try, writable, gone]  # left exactly as they were
    first, csv_link = links[:2]
    assert httpx.get(first).content == WAV + b"one"
    assert httpx.get(csv_link).content == b"file,model\n"
    for link in (first, csv_link):
        query = dict(parse_qsl(urlsplit(link).query))
        assert (query["sp"], query["sr"]) == ("r", "b")
        expiry = dt.datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
        assert dt.timedelta(minutes=59) < expiry - now <= dt.timedelta(minutes=61)
    until = out.expires.strftime("%H:%M UTC") if out.expires else "?"
    # The rows of re-minted links and the report's sentence say the new time; the others not.
    assert out.text.count(f"expires {until}") == 2 and f"**expire at {until}**" in out.text
    assert out.text.count("expires 03:00 UTC") == 3

    # Nothing to re-mint: the text is returned unchanged, expiry times included.
    same = refresh_links(_report([not_try]), storage_settings)
    assert (same.links, same.text) == (0, _report([not_try]))


def test_try_links_updates_the_reports_on_the_server_in_place(
    flow_env: dict[str, str], storage_settings: StorageSettings, tmp_path: Path
) -> None:
    here = urlsplit(Account.from_settings(storage_settings).service_url).port
    assert here is not None
    _put(storage_settings, "try-voice/try/01-b.wav", WAV + b"two")
    expired = _link(storage_settings, "try-voice/try/01-b.wav", "r", -1, here)
    key = f"try-voice-links-{tmp_path.name[-8:].lower().replace('_', '-')}"

    @flow(name="try-links-report")
    def publish() -> None:
        create_markdown_artifact(markdown=_report([expired]), key=key)

    state = publish(return_state=True)
    run_id = state.state_details.flow_run_id
    refreshed = refresh_artifacts(storage_settings, [key])
    assert [(r.key, r.links, r.missing) for r in refreshed] == [(key, 1, [])]
    (artifact,) = [a for a in read_artifacts(run_id) if a.key == key]  # still the run's
    (link,) = LINK.findall(artifact.data)
    assert link != expired and httpx.get(link).content == WAV + b"two"

    # The command refuses without a server to read the reports from, and says what to run.
    env = {k: v for k, v in flow_env.items() if k != "PREFECT_API_URL"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("speechflows")), "try", "links"],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "source .speechflows/dev/env && speechflows try links" in done.stdout
