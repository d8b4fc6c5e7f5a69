"""Nothing secret on disk in the dev stack (issue 13 item 6).

Azurite's access log prints every request with its full query, so the launcher runs it silent
unless a log is asked for; an asked-for log lies outside the data folder with ``sig=`` redacted.
The end-to-end check runs the real ``speechflows demo`` and scans every file it left (SQLite
databases read as bytes) for a SAS signature value.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

from speechflows.dev.azurite import Azurite, connection_string_for
from speechflows.dev.logpipe import redact_line
from speechflows.settings import load_storage_settings
from speechflows.storage.account import Account

# A SAS signature is base64(HMAC-SHA256): 44 characters (with %-escapes more). Placeholders such
# as Prefect's block example `sig=SIGNATURE` and our own `sig=REDACTED` are shorter.
_SIG = re.compile(rb"sig=(?!REDACTED)([A-Za-z0-9%+/=]{20,})")
DEV_KEY = b"Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"


# The one SAS a report may carry (issue 29): a link to what a try step wrote (a synthesised WAV
# under a run's try/ prefix, a try-speech/ alignment CSV), read-only, for that one blob,
# expiring within the hour (its start is backdated 5 minutes for clock skew).
_LINK = re.compile(
    rb"https?://[^\s\"'<>()\\?]+\?[^\s\"'<>()\\]*?sig=([A-Za-z0-9%+/=]{20,})[^\s\"'<>()\\]*"
)
LINK_MAX = dt.timedelta(minutes=61)
SKEW = dt.timedelta(minutes=5)


def _listening_link(url: bytes, now: dt.datetime) -> bool:
    parts = urlsplit(url.decode("ascii", errors="replace"))
    query = dict(parse_qsl(parts.query))
    tried = "/try/" in parts.path or "/try-speech/" in parts.path
    if query.get("sp") != "r" or query.get("sr") != "b" or not tried:
        return False
    expiry = dt.datetime.fromisoformat(query["se"].replace("Z", "+00:00"))
    start = dt.datetime.fromisoformat(query["st"].replace("Z", "+00:00")) if "st" in query else now
    return expiry - start <= LINK_MAX + SKEW and expiry - now <= LINK_MAX


def _signatures_under(root: Path) -> dict[str, set[bytes]]:
    """Every SAS signature in a file under ``root`` but those of listening links."""
    now = dt.datetime.now(dt.UTC)
    found: dict[str, set[bytes]] = {}
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            allowed = {m.group(1) for m in _LINK.finditer(data) if _listening_link(m.group(0), now)}
            hits = set(_SIG.findall(data)) - allowed
            if hits:
                found[str(path.relative_to(root))] = hits
    return found


def _sas_requests(port: int, container: str) -> str:
    """Create a container, mint a SAS and PUT + GET a blob through it (raw httpx); return sig."""
    settings = load_storage_settings(
        connection_string=connection_string_for(port), container=container
    )
    account = Account.from_settings(settings)
    account.ensure_container(container)
    token = account.sas_token_for(container, "rcwl", dt.timedelta(minutes=5))
    url = f"{account.container_url(container)}/probe.txt?{token}"
    put = httpx.put(url, content=b"hello", headers={"x-ms-blob-type": "BlockBlob"})
    assert put.status_code == 201, put.text
    assert httpx.get(url).content == b"hello"
    return dict(p.split("=", 1) for p in token.split("&"))["sig"]


def test_redact_line_removes_signatures_and_keeps_the_request() -> None:
    line = (
        '127.0.0.1 - - [29/Nov/2026:10:00:00 +0000] "PUT /devstoreaccount1/c/a.wav?sv=2026-10-06'
        '&se=2026-11-29T12%3A00%3A00Z&sr=c&sp=rcwl&sig=aBcD%2Bef0123456789xyzXYZ%3D HTTP/1.1" 201 -'
    )
    clean = redact_line(line)
    assert "aBcD%2Bef0123456789xyzXYZ" not in clean
    assert "sig=REDACTED" in clean
    assert "PUT /devstoreaccount1/c/a.wav?sv=2026-10-06" in clean and clean.endswith("201 -")


def test_silent_by_default_no_log_in_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with Azurite.start(data_dir=data) as az:
        assert "--silent" in az.process.argv
        sig = _sas_requests(az.port, "silent")
    assert len(sig) >= 40
    assert not [p for p in data.rglob("*.log")]
    assert _signatures_under(tmp_path) == {}


def test_asked_for_log_is_redacted_and_outside_the_data_folder(tmp_path: Path) -> None:
    data, log = tmp_path / "data", tmp_path / "logs" / "azurite.log"
    with pytest.raises(ValueError, match="inside its data folder"):
        Azurite.start(data_dir=data, log_path=data / "azurite.log")
    with Azurite.start(data_dir=data, log_path=log) as az:
        assert "--silent" not in az.process.argv
        sig = _sas_requests(az.port, "logged")
        # The access log is written as requests arrive: poll for our PUT's line.
        deadline = time.monotonic() + 20
        while "probe.txt" not in (log.read_text() if log.exists() else ""):
            assert time.monotonic() < deadline, "no access log line for probe.txt"
            time.sleep(0.1)
    text = log.read_text()
    assert "sig=REDACTED" in text
    assert sig not in text and sig.replace("%", "") not in text
    assert _signatures_under(tmp_path) == {}


@pytest.mark.slow
def test_demo_leaves_no_signature_or_key_on_disk(tmp_path: Path) -> None:
    """The real `speechflows demo` (both rounds, ~50 s) then a byte scan of everything it left."""
    work, home = tmp_path / "work", tmp_path / "prefect-home"
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
        "PREFECT_HOME": str(home),
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    }
    env.pop("PREFECT_API_URL", None)
    env.pop("SPEECHFLOWS_AZURITE_LOG", None)
    done = subprocess.run(
        [str(Path(sys.executable).with_name("speechflows")), "demo", "--work-dir", str(work)],
        env=env,
        capture_output=True,
        timeout=480,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    # The demo did stage through SAS URLs: Azurite holds the blobs it wrote.
    assert list((work / "azurite" / "__blobstorage__").rglob("*"))
    assert (home / "prefect.db").exists()
    assert _signatures_under(tmp_path) == {}  # but listening links (read, one blob, an hour)
    leaked_key = [p for p in tmp_path.rglob("*") if p.is_file() and DEV_KEY in p.read_bytes()]
    assert leaked_key == []


def test_only_an_hour_long_read_link_to_one_try_blob_is_allowed(tmp_path: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    se = (now + dt.timedelta(minutes=60)).strftime("%Y-%m-%dT%H%%3A%M%%3A%SZ")
    later = (now + dt.timedelta(hours=5)).strftime("%Y-%m-%dT%H%%3A%M%%3A%SZ")
    sig = "aBcD%2Bef0123456789xyzXYZabcdefghijklmn%3D"
    base = "http://127.0.0.1:10000/devstoreaccount1/speechflows/personal-voice/p/v/try"
    cases = {
        "ok": (f"{base}/1.wav?se={se}&sp=r&sr=b&sig={sig}1", False),
        "write": (f"{base}/2.wav?se={se}&sp=rw&sr=b&sig={sig}2", True),
        "container": (f"{base}?se={se}&sp=rl&sr=c&sig={sig}3", True),
        "long": (f"{base}/4.wav?se={later}&sp=r&sr=b&sig={sig}4", True),
        "not try": (f"{base[:-4]}/data.wav?se={se}&sp=r&sr=b&sig={sig}5", True),
    }
    for name, (url, flagged) in cases.items():
        (tmp_path / "f.md").write_text(f"[play / download](<{url}>)")
        assert bool(_signatures_under(tmp_path)) is flagged, name
