"""Azurite (the Blob service only) as a managed development service on 127.0.0.1.

The npm package is pinned in package.json and installed by ``make`` into ``node_modules``. We run
``node_modules/.bin/azurite-blob`` directly (not ``npx``, whose pid is not the server's) with
telemetry off (stops in ~1 s instead of ~11 s) and the API-version check skipped (the SDK is
newer than Azurite, see reference/azurite.md §2).

Azurite's access log prints every request line with its full query, SAS signature included, so it
runs ``--silent`` unless a log is asked for (``log_path=`` or ``$SPEECHFLOWS_AZURITE_LOG``). An
asked-for log must lie outside the data folder and goes through :mod:`speechflows.dev.logpipe`,
which redacts every ``sig=`` value and key before writing.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from speechflows.dev.processes import ManagedProcess, ServiceStartError, StopOnExit, free_port

ACCOUNT_NAME = "devstoreaccount1"
# Azurite's well-known development account key: public, documented, not a secret.
ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)
_REPO = Path(__file__).resolve().parents[2]
LOG_ENV = "SPEECHFLOWS_AZURITE_LOG"
"""Environment variable naming a file for Azurite's (redacted) access log; unset means no log."""


def azurite_bin() -> Path:
    """Locate ``azurite-blob``: ``$SPEECHFLOWS_AZURITE_BIN`` or the checkout's node_modules."""
    env = os.environ.get("SPEECHFLOWS_AZURITE_BIN")
    candidates = [Path(env)] if env else []
    candidates += [
        _REPO / "node_modules/.bin/azurite-blob",
        Path.cwd() / "node_modules/.bin/azurite-blob",
    ]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    raise ServiceStartError(
        "azurite-blob not found in node_modules/.bin; run `npm ci` in the checkout "
        "(make demo / make test do it for you)"
    )


def azurite_argv(
    port: int, data_dir: Path | None = None, *, access_log: bool = False, host: str = "127.0.0.1"
) -> list[str]:
    """The ``azurite-blob`` command line for ``host:port``, persisting in ``data_dir`` if given.

    ``--silent`` (no access log: its lines carry SAS signatures) unless ``access_log``. ``host``
    other than loopback is for a rehearsal across hosts (a network namespace's address).
    """
    argv = [
        str(azurite_bin()),
        "--blobHost",
        host,
        "--blobPort",
        str(port),
        "--skipApiVersionCheck",
        "--loose",
        "--disableTelemetry",
    ]
    if not access_log:
        argv.append("--silent")
    return [*argv, "--location", str(data_dir)] if data_dir is not None else argv


def requested_log_path(log_path: Path | None = None) -> Path | None:
    """The access log asked for: ``log_path``, else ``$SPEECHFLOWS_AZURITE_LOG``, else none."""
    if log_path is not None:
        return log_path
    env = os.environ.get(LOG_ENV)
    return Path(env) if env else None


def logged_argv(argv: list[str], log_path: Path, data_dir: Path | None) -> list[str]:
    """``argv`` wrapped so its output reaches ``log_path`` redacted; refuse a log in the data folder."""
    log_path = log_path.resolve()
    if data_dir is not None and log_path.is_relative_to(data_dir.resolve()):
        raise ValueError(
            f"Azurite's log {log_path} is inside its data folder {data_dir}: "
            f"choose a path outside it (e.g. {LOG_ENV}=/tmp/azurite.log)"
        )
    return [sys.executable, "-m", "speechflows.dev.logpipe", str(log_path), "--", *argv]


def connection_string_for(port: int, host: str = "127.0.0.1") -> str:
    """The connection string of the development account of an Azurite on ``host:port``."""
    return (
        f"DefaultEndpointsProtocol=http;AccountName={ACCOUNT_NAME};AccountKey={ACCOUNT_KEY};"
        f"BlobEndpoint=http://{host}:{port}/{ACCOUNT_NAME};"
    )


@dataclass
class Azurite(StopOnExit):
    """A running Azurite Blob service.

    Example:
        >>> with Azurite.start(data_dir=Path("/tmp/az")) as az:      # doctest: +SKIP
        ...     print(az.connection_string)
    """

    process: ManagedProcess
    port: int
    access_log: Path | None = None  # the redacted access log, when one was asked for

    @property
    def blob_endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/{ACCOUNT_NAME}"

    @property
    def connection_string(self) -> str:
        return connection_string_for(self.port)

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        data_dir: Path | None = None,
        in_memory: bool = False,
        memory_limit_mb: int | None = None,
        log_path: Path | None = None,
    ) -> Azurite:
        """Start Azurite on ``127.0.0.1:port`` (a free port when omitted) and wait until it answers.

        ``data_dir`` persists blobs across restarts; ``in_memory`` keeps them in RAM instead.
        ``log_path`` (or ``$SPEECHFLOWS_AZURITE_LOG``) asks for the access log, redacted, outside
        ``data_dir``; without it Azurite runs silent and writes no log at all.
        """
        port = port or free_port()
        log_path = requested_log_path(log_path)
        if in_memory:
            argv = [*azurite_argv(port, access_log=log_path is not None), "--inMemoryPersistence"]
            if memory_limit_mb:
                argv += ["--extentMemoryLimit", str(memory_limit_mb)]
        else:
            if data_dir is None:
                raise ValueError("give data_dir, or in_memory=True")
            data_dir.mkdir(parents=True, exist_ok=True)
            argv = azurite_argv(port, data_dir, access_log=log_path is not None)
        if log_path is not None:
            argv = logged_argv(argv, log_path, None if in_memory else data_dir)
        process = ManagedProcess("Azurite", argv, port=port, start_timeout=60)
        process.start()
        return cls(process=process, port=port, access_log=log_path)

    def stop(self) -> None:
        self.process.stop()
