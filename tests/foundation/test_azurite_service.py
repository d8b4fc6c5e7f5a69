from __future__ import annotations

import os
from pathlib import Path

import pytest

from speechflows.dev.azurite import Azurite
from speechflows.dev.processes import ManagedProcess, ServiceStartError, port_open


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_start_answers_and_stop_leaves_no_process(tmp_path: Path) -> None:
    az = Azurite.start(data_dir=tmp_path / "d")
    pid = az.process.pid
    assert pid is not None and port_open(az.port)
    az.stop()
    assert not _alive(pid)
    assert not port_open(az.port)


def test_failed_start_shows_reason_and_leaves_no_process(tmp_path: Path, azurite: Azurite) -> None:
    # The port is taken by the session Azurite: the second one must fail and say why.
    with pytest.raises(ServiceStartError) as err:
        Azurite.start(port=azurite.port, data_dir=tmp_path / "d2")
    assert "Azurite" in str(err.value)


def test_child_that_never_answers_is_killed(tmp_path: Path) -> None:
    proc = ManagedProcess(
        "sleeper",
        ["sleep", "30"],
        port=1,
        log_path=tmp_path / "log",
        start_timeout=0.5,
        ready=lambda: False,
    )
    with pytest.raises(ServiceStartError, match="did not answer"):
        proc.start()
    assert proc.proc is not None and proc.proc.poll() is not None
