"""``speechflows azurite``: run the Azurite Blob service for development."""

from __future__ import annotations

from pathlib import Path

import typer

from speechflows.cli import app


@app.command("azurite")
def azurite(
    port: int = typer.Option(10000, help="Blob port on 127.0.0.1"),
    data_dir: Path = typer.Option(Path(".speechflows/azurite"), help="where blobs are kept"),
) -> None:
    """Run Azurite's Blob service on 127.0.0.1 until Ctrl-C, and print its connection string."""
    import signal
    import threading

    from speechflows.dev.azurite import Azurite

    az = Azurite.start(port=port, data_dir=data_dir)
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
