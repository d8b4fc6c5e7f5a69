"""``speechflows watch``: one round of the watcher over every parked flow run, from a terminal.

The same flow as the ``watch`` deployment (every 5 minutes): each parked wait's operation is
polled once through the Speech API rate limit; runs whose operation is done are resumed. Parked
runs live on a Prefect server, so the command needs ``PREFECT_API_URL``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

# Prefect and the flow are imported inside the command, so `speechflows --help` starts fast.

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""


@commands.command("watch")
def watch_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the round as JSON")] = False,
) -> None:
    """Poll every parked flow run's operation once and resume the ones that are done."""
    from prefect.settings import PREFECT_API_URL

    from speechflows.flows.watch import watch
    from speechflows.redaction import redact_text

    console = Console(stderr=as_json)
    if not PREFECT_API_URL.value():
        console.print(
            "[red]speechflows watch needs the Prefect server the runs are parked on: set "
            "PREFECT_API_URL (e.g. export PREFECT_API_URL=http://127.0.0.1:4200/api)[/red]"
        )
        raise typer.Exit(1)
    state = watch(return_state=True)
    if not state.is_completed():
        console.print(f"[red]watch failed: {redact_text(str(state.message))}[/red]")
        raise typer.Exit(1)
    result = state.result()
    if as_json:
        typer.echo(json.dumps(result.model_dump(), indent=2))
        return
    table = Table(title=f"parked waits: {result.parked}")
    table.add_column("wait")
    table.add_column("this round")
    for what, outcome in result.outcomes.items():
        table.add_row(what, outcome)
    console.print(table)


__all__ = ["commands"]
