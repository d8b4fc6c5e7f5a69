"""``speechflows azurite``: run the Azurite Blob service for development."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from typing import Annotated

import typer

from speechflows.dev.azurite import Azurite

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""


@commands.command("azurite")
def azurite(
    port: Annotated[int, typer.Option(help="Blob port on 127.0.0.1")] = 10000,
    data_dir: Annotated[Path, typer.Option(help="where blobs are kept")] = Path(
        ".speechflows/azurite"
    ),
    log: Annotated[
        Path | None,
        typer.Option(
            help="write Azurite's access log here, SAS signatures redacted (outside --data-dir; "
            "default: no log, or $SPEECHFLOWS_AZURITE_LOG)"
        ),
    ] = None,
) -> None:
    """Run Azurite's Blob service on 127.0.0.1 until Ctrl-C, and print its connection string."""
    az = Azurite.start(port=port, data_dir=data_dir, log_path=log)
    typer.echo(f"Azurite listening on 127.0.0.1:{az.port} (pid {az.process.pid}); Ctrl-C stops it")
    typer.echo(f"SPEECHFLOWS_STORAGE_CONNECTION_STRING='{az.connection_string}'")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        az.stop()
