"""Issue 29's "done when": after the demo, the user opens the UI and listens to the voice it made
and sees per file which words the new speech model fixed and broke.

The real ``speechflows demo`` (what ``make demo`` runs) on a temp checkout, then the command its
last lines name (``speechflows dev up``, what ``make up`` runs) on free ports: the demo's try
reports are on that server, and their audio links answer with WAV bytes and the alignment CSV
link with CSV, although every process the demo started has stopped. Then ``speechflows try
links`` (the documented way once the links have expired) re-mints them: still read-only, one
blob, within the hour, and they open; no other SAS is left on disk.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import shlex
import subprocess
import sys
import wave
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from speechflows.deployments.setup import PROJECT_ROOT
from speechflows.dev.processes import free_port, port_open
from tests.security.test_dev_stack_files import _signatures_under

# The demo (~2-5 min on a busy 2-core box), then `dev up` (~2-4 min).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]
LINK = re.compile(r"\]\(<(http[^>]+)>\)")
EXE = str(Path(sys.executable).with_name("speechflows"))


def _run(*args: str, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args], capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


def _try_reports(ui: str) -> dict[str, str]:
    """The latest version of each try report on the server: key → markdown."""
    found = httpx.post(
        f"{ui}/api/artifacts/latest/filter",
        json={"artifacts": {"key": {"like_": "try-"}, "type": {"any_": ["markdown"]}}},
        timeout=30,
    )
    found.raise_for_status()
    return {a["key"]: a["data"] for a in found.json() if a["key"].startswith("try-")}


def _one_blob_read_link(link: str, now: dt.datetime) -> None:
    query = dict(parse_qsl(urlsplit(link).query))
    assert (query["sp"], query["sr"]) == ("r", "b"), link.split("?")[0]
    expiry = dt.datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
    assert dt.timedelta(0) < expiry - now <= dt.timedelta(minutes=61)


def _check_opens(reports: dict[str, str]) -> list[str]:
    """Every link of the demo's reports opens: WAVs that play, the alignment CSV; their URLs."""
    now = dt.datetime.now(dt.UTC)
    voice = reports["try-voice-demo-personal-voice"]
    (speech_key,) = [k for k in reports if k.startswith("try-speech-demo-call-center-")]
    wavs, csvs = LINK.findall(voice), LINK.findall(reports[speech_key])
    assert len(wavs) == 3 and len(csvs) == 1, (wavs, csvs)
    for link in wavs:
        _one_blob_read_link(link, now)
        got = httpx.get(link, timeout=30)
        assert got.status_code == 200 and got.headers["content-type"] == "audio/wav", got.text
        with wave.open(io.BytesIO(got.content)) as w:
            assert w.getnframes() / w.getframerate() > 0.5
    _one_blob_read_link(csvs[0], now)
    got = httpx.get(csvs[0], timeout=30)
    assert got.status_code == 200 and got.headers["content-type"] == "text/csv", got.text
    header, *rows = got.text.splitlines()
    assert header.startswith("file,") and {"substitution", "deletion"} & set(
        ",".join(rows).split(",")
    )
    return wavs + csvs


def test_after_the_demo_dev_up_serves_its_reports_and_their_audio_opens(tmp_path: Path) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "prefect.yaml").write_text((PROJECT_ROOT / "prefect.yaml").read_text())
    prefect_port, azurite_port, emulator_port = free_port(), free_port(), free_port()
    # As `make demo` / `make up` run them: PREFECT_HOME in the checkout, no API URL.
    env = {**os.environ, "PWD": str(root), "PREFECT_HOME": str(root / ".prefect")}
    for name in ("PREFECT_API_URL", "SPEECHFLOWS_AZURITE_LOG"):
        env.pop(name, None)

    demo = _run(
        "demo", "--root", str(root), "--azurite-port", str(azurite_port), env=env, timeout=900
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    # Every thread used the demo's server: none started Prefect's own (an orphan once the demo
    # is gone, holding its output open) or died trying.
    said = demo.stdout + demo.stderr
    assert "temporary server" not in said and "Exception in thread" not in said, said[-3000:]
    up_command = f"speechflows dev up --root {root.resolve()} --azurite-port {azurite_port}"
    tail = " ".join(demo.stdout.split())  # rich folds long lines
    assert up_command in tail and "try-voice-demo-personal-voice" in tail, demo.stdout[-2000:]
    assert "speechflows try links" in tail and "links work until" in tail, demo.stdout[-2000:]
    assert not port_open(azurite_port)  # the demo stopped what it started

    up = _run(
        "dev",
        "up",
        "--root",
        str(root),
        "--azurite-port",
        str(azurite_port),
        "--prefect-port",
        str(prefect_port),
        "--emulator-port",
        str(emulator_port),
        env=env,
        timeout=600,
    )
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        ui = f"http://127.0.0.1:{prefect_port}"
        first = _check_opens(_try_reports(ui))

        # After the hour: fresh links from the stack's settings (what the demo's last line says).
        settings = dict(
            shlex.split(line.removeprefix("export "))[0].split("=", 1)
            for line in (root / ".speechflows" / "dev" / "env").read_text().splitlines()
        )
        remint = _run("try", "links", env={**env, **settings}, timeout=300)
        assert remint.returncode == 0, remint.stdout + remint.stderr
        # Both rounds' versions of the two reports (3 WAVs, 1 CSV each).
        said = " ".join(remint.stdout.split())
        assert "try-voice-demo-personal-voice: 6 links re-minted in 2 versions" in said, said
        assert "8 links re-minted (read-only, one blob each" in said, said
        again = _check_opens(_try_reports(ui))
        assert [u.split("?")[0] for u in again] == [u.split("?")[0] for u in first]
        assert set(again).isdisjoint(first)  # new signatures: the same blobs, fresh links
    finally:
        state = root / ".speechflows" / "dev" / "stack.json"
        services = json.loads(state.read_text())["services"] if state.exists() else []
        down = _run("dev", "down", "--root", str(root), env=env, timeout=120)
    assert down.returncode == 0 and services, down.stdout + down.stderr
    # On disk (Prefect's database included), the only SAS are listening links: read, one try
    # blob, within the hour — the re-minted ones too.
    assert _signatures_under(root) == {}
