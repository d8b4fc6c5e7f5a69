"""``speechflows emulator``: serve the local Azure Speech emulator on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

# The server (FastAPI, uvicorn) is imported inside the command, so `speechflows --help` and
# `validate` start fast.

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""


@commands.command("emulator")
def emulator(
    port: Annotated[int, typer.Option(help="port on 127.0.0.1")] = 8765,
    data_dir: Annotated[Path, typer.Option(help="state (SQLite) and files")] = Path(
        ".speechflows/emulator"
    ),
    key: Annotated[
        str | None,
        typer.Option(
            envvar="SPEECHFLOWS_EMULATOR_KEY",
            help="resource key clients must send",
            show_default=False,
        ),
    ] = None,
    accept_bearer: Annotated[bool, typer.Option(help="also accept any Bearer token")] = False,
    step_seconds: Annotated[float, typer.Option(help="seconds per operation state")] = 0.05,
    model_training_seconds: Annotated[float, typer.Option(help="seconds a training runs")] = 0.2,
    min_utterance_count: Annotated[int, typer.Option(help="recipes' minUtteranceCount")] = 300,
    faults: Annotated[
        str | None, typer.Option(help='faults as JSON, e.g. {"error_ratio": 0.1}')
    ] = None,
    quota: Annotated[
        str | None,
        typer.Option(help="Azure-like quota per key, e.g. 50/10s: 429 + Retry-After past it"),
    ] = None,
) -> None:
    """Serve the Speech emulator (Custom Voice + Speech to text) until Ctrl-C."""
    from speechflows.emulator.server import build_config, serve

    config = build_config(
        data_dir,
        key=key,
        accept_bearer=accept_bearer,
        step_seconds=step_seconds,
        model_training_seconds=model_training_seconds,
        min_utterance_count=min_utterance_count,
        faults=faults,
        quota=quota,
    )
    typer.echo(
        f"Speech emulator on http://127.0.0.1:{port} (state in {data_dir}); "
        "set SPEECHFLOWS_SPEECH_ENDPOINT to that URL. Ctrl-C stops it."
    )
    serve(config, port=port)
