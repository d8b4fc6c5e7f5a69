"""A child process that serves on a loopback port: start, wait until it answers, stop by pid.

Used for Azurite, the Speech emulator, the Prefect server and workers, in tests, ``make demo``
and ``speechflows dev up``. The child runs in its own process group so that stopping it also
stops anything it spawned, and it is stopped at interpreter exit if the owner forgot to.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Self

_LIVE: set[ManagedProcess] = set()
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
# Resolved here, in the parent: a preexec function runs between fork and exec and must not load
# libraries or allocate (other threads may hold locks).
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with_parent(parent_pid: int) -> None:
    """In a child (preexec): get SIGKILL when the parent dies, also when it is SIGKILLed.

    Linux only (``prctl(PR_SET_PDEATHSIG)``); elsewhere a no-op. The signal comes when the
    *thread* that started the child ends, so start such children from the main thread. If the
    parent is already gone (it died between fork and this call), exit at once.
    """
    if _PRCTL is None:
        return
    _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)


class ServiceStartError(RuntimeError):
    """A development service did not start; the message carries the reason and its log tail."""


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on ``host:port``."""
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def emulator_argv(port: int, data_dir: Path, key: str, *options: str) -> list[str]:
    """``python -m speechflows.emulator`` on ``port`` with its state in ``data_dir``; ``options``
    (e.g. ``--quota``, ``--step-seconds``) follow as given."""
    return [
        sys.executable,
        "-m",
        "speechflows.emulator",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        "--key",
        key,
        *options,
    ]


class StopOnExit:
    """Mixin for a running service: ``with`` it, and leaving the block calls ``stop()``."""

    def stop(self) -> None:
        raise NotImplementedError  # pragma: no cover - every service defines it

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class ManagedProcess(StopOnExit):
    """A server child process bound to ``127.0.0.1:port``; ``with`` starts it and stops it after.

    Example:
        >>> p = ManagedProcess("echo", ["python3", "-m", "http.server", "0"], port=0)  # doctest: +SKIP
    """

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        port: int,
        log_path: Path | None = None,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        ready: Callable[[], bool] | None = None,
        start_timeout: float = 60.0,
        reset_sigint: bool = False,
        die_with_parent: bool = False,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.port = port
        self.log_path = log_path
        self.env = env
        self.cwd = cwd
        self._ready = ready or (lambda: port_open(self.port))
        self.start_timeout = start_timeout
        self.reset_sigint = reset_sigint
        self.die_with_parent = die_with_parent
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def start(self) -> ManagedProcess:
        """Start the child and wait until it answers; on failure stop it and raise with the reason."""
        if self.port and port_open(self.port):
            raise ServiceStartError(
                f"{self.name} did not start: 127.0.0.1:{self.port} is already in use "
                "(stop what holds it, or choose another port)"
            )
        log: IO[bytes] | None = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below

        parent_pid = os.getpid()

        def _preexec() -> None:  # pragma: no cover - runs in the child
            if self.die_with_parent:
                die_with_parent(parent_pid)
            # A worker launched from a non-interactive shell inherits SIGINT=ignored and then
            # ignores the SIGINT its own SIGTERM handler sends (reference/prefect.md §4).
            if self.reset_sigint:
                signal.signal(signal.SIGINT, signal.SIG_DFL)

        env = {**os.environ, **(self.env or {})}
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log if log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=self.cwd,
            start_new_session=True,
            preexec_fn=_preexec,
        )
        if log is not None:
            log.close()
        _LIVE.add(self)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                reason = f"exited with code {self.proc.returncode}"
                self._forget()
                raise ServiceStartError(f"{self.name} did not start: {reason}.{self._log_tail()}")
            if self._ready():
                return self
            time.sleep(0.1)
        self.stop()
        raise ServiceStartError(
            f"{self.name} did not answer on 127.0.0.1:{self.port} within "
            f"{self.start_timeout:.0f} s.{self._log_tail()}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """Stop the child and its process group: SIGTERM, then SIGKILL after ``timeout``."""
        proc = self.proc
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        # Whatever the leader left behind in its group goes too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        self._forget()

    def detach(self) -> None:
        """Leave the child running when this interpreter exits (its owner stops it by pid)."""
        self._forget()

    def _forget(self) -> None:
        _LIVE.discard(self)

    def _log_tail(self, lines: int = 15) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return "\nlast lines of " + str(self.log_path) + ":\n" + "\n".join(tail) if tail else ""

    def __enter__(self) -> Self:
        self.start()
        return self


@atexit.register
def _stop_all() -> None:
    for proc in list(_LIVE):
        proc.stop(timeout=5)
