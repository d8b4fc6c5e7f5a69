"""A Speech endpoint nobody answers at, from the terminal: a bounded wait, then one line.

``list``, ``delete``, ``cancel`` and ``try`` against a closed port and against a port that
accepts connections and never answers: the command returns with one line naming
SPEECHFLOWS_SPEECH_ENDPOINT and the fix, no traceback, no retry warnings. The bound is pinned on
the policy (a request times out after at most 10 s, no retry starts after 5 s: 15 s in all), not
timed; each case prints how long it took.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from speechflows.cli import app
from speechflows.cli.reach import ATTEMPT_SECONDS, CLI_WAIT_SECONDS, bounded
from speechflows.settings import load_speech_settings

runner = CliRunner()
COMMANDS = {
    "list": (["list"], 1),
    "delete": (["delete", "model", "m1", "--yes"], 2),
    "cancel": (["cancel", "model", "m1", "--yes"], 2),
    "try-voice": (["try", "voice", "--speaker-profile-id", "p1"], 2),
    "try-speech": (["try", "speech", "--model", "m1", "{audio}"], 2),
}


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections (the kernel's backlog) and never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(64)
        yield s.getsockname()[1]


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_cli_bound_is_fifteen_seconds_unless_the_user_sets_a_timeout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_KEY", "k" * 32)
    monkeypatch.delenv("SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS", raising=False)
    quick, retry = bounded(load_speech_settings())
    assert quick.timeout_seconds == ATTEMPT_SECONDS == 10
    assert quick.timeout_seconds + retry.total_seconds == CLI_WAIT_SECONDS == 15
    monkeypatch.setenv("SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS", "45")
    quick, retry = bounded(load_speech_settings())
    assert quick.timeout_seconds == 45 and retry.total_seconds == 0


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("how", ["closed", "silent"])
def test_an_unreachable_speech_endpoint_ends_the_command_in_one_line(
    command: str,
    how: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    port = request.getfixturevalue(f"{how}_port")
    endpoint = f"http://127.0.0.1:{port}"
    args, code = COMMANDS[command]
    args = [a.replace("{audio}", str(tmp_path)) for a in args]
    env = {
        "SPEECHFLOWS_SPEECH_ENDPOINT": endpoint,
        "SPEECHFLOWS_SPEECH_KEY": "k" * 32,
        "SPEECHFLOWS_SPEECH_TIMEOUT_SECONDS": None,
        "PREFECT_API_URL": "",
        "COLUMNS": "1000",
    }
    start = time.monotonic()
    result = runner.invoke(app, args, env=env)
    took = time.monotonic() - start
    with capsys.disabled():
        print(f"\n{command} on a {how} port: returned after {took:.1f} s")
    out = result.output
    assert result.exit_code == code, out
    assert "Traceback" not in out and "retrying" not in out, out
    # on a terminal the retry warnings would print before the line (pytest's handler takes them)
    assert not [r for r in caplog.records if r.getMessage().startswith("retrying")]
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    said = f"cannot reach the Speech service at SPEECHFLOWS_SPEECH_ENDPOINT={endpoint} "
    assert said in lines[0], out
    assert "→ check SPEECHFLOWS_SPEECH_ENDPOINT" in lines[0], out
    if how == "silent":
        assert "timed out after 10 s" in lines[0], out
