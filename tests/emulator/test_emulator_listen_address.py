"""The emulator listens on loopback only unless ``--allow-remote`` says otherwise (issue 24, 6).

A rehearsal across hosts runs the emulator on a test host's address with ``--allow-remote``
(``tests/deployments/test_multi_host.py``). Without the flag, any other address — ``0.0.0.0``
first of all, the usual slip that would open it to the network — is refused before anything
listens: ``python -m speechflows.emulator`` exits 2 with the rule and the fix (no traceback),
and :func:`serve` raises before it starts uvicorn. Nothing here binds a non-loopback address.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from speechflows.emulator.server import build_config, serve

ROOT = Path(__file__).resolve().parents[2]
NOT_LOOPBACK = ["0.0.0.0", "::", "speech-emulator.internal"]


@pytest.mark.parametrize("host", NOT_LOOPBACK[:2])
def test_the_emulator_cli_refuses_a_non_loopback_host_without_allow_remote(
    host: str, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "speechflows.emulator",
            "--host",
            host,
            "--port",
            "1",
            "--data-dir",
            str(tmp_path / "emu"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr, done.stderr
    message = " ".join(done.stderr.split())
    assert f"--host {host} is not a loopback address" in message, message
    assert "unless --allow-remote is given" in message, message
    assert f"Fix: --host 127.0.0.1, or add --allow-remote to --host {host}" in message, message


@pytest.mark.parametrize("host", NOT_LOOPBACK)
def test_serve_refuses_a_non_loopback_host_before_it_starts_the_server(
    host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[dict[str, Any]] = []
    # Should the check go, the test must fail without listening anywhere: record, don't run.
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    config = build_config(
        tmp_path / "emu",
        key="test-key",
        accept_bearer=False,
        step_seconds=0.05,
        model_training_seconds=0.2,
        min_utterance_count=1,
        faults=None,
    )
    with pytest.raises(ValueError, match="--allow-remote") as info:
        serve(config, port=1, host=host)
    assert f"--host {host} is not a loopback address" in str(info.value)
    assert started == []
    # With the flag, and on loopback without it, the server is started (here: recorded).
    serve(config, port=1, host=host, allow_remote=True)
    serve(config, port=1, host="127.0.0.1")
    assert [kw["host"] for kw in started] == [host, "127.0.0.1"]
