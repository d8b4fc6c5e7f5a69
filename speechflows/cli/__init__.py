"""The ``speechflows`` command (Typer + Rich): :data:`app`, the console script's entry point.

Each submodule owns the commands of one area on a Typer of its own (``commands``, plus the
``dev`` and ``onboard`` groups); this module creates the root app and mounts them. Submodules
never import this package. A new command goes in the submodule of its area (or a new one mounted
here); anything that imports Prefect, the Azure SDK, FastAPI or pydantic-settings is imported
inside the command, so ``speechflows --help`` and ``speechflows validate`` start fast.
"""

from __future__ import annotations

import os

import typer

from speechflows.cli.dev import commands as dev_commands
from speechflows.cli.dev import dev_app
from speechflows.cli.devservices import commands as devservices_commands
from speechflows.cli.emulator import commands as emulator_commands
from speechflows.cli.failures import CleanGroup
from speechflows.cli.manage import commands as manage_commands
from speechflows.cli.onboard import DEBUG_ENV, onboard_app
from speechflows.cli.onboard import commands as onboard_commands
from speechflows.cli.stage import commands as stage_commands
from speechflows.cli.tryout import try_app
from speechflows.cli.validate import commands as validate_commands
from speechflows.cli.watch import commands as watch_commands

app = typer.Typer(
    cls=CleanGroup,
    name="speechflows",
    help="Onboard data to Azure AI Speech: validate, stage, onboard, and the local dev services.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)


@app.callback()
def _main(
    debug: bool = typer.Option(
        False, "--debug", help="show the traceback of expected failures too (bad data, settings)"
    ),
) -> None:
    """Onboard data to Azure AI Speech with Prefect."""
    if debug:
        os.environ[DEBUG_ENV] = "1"


# Single commands first, then the groups: the order `speechflows --help` lists them in.
for _commands in (
    dev_commands,
    devservices_commands,
    emulator_commands,
    manage_commands,
    onboard_commands,
    stage_commands,
    validate_commands,
    watch_commands,
):
    app.add_typer(_commands)
app.add_typer(dev_app, name="dev")
app.add_typer(onboard_app, name="onboard")
app.add_typer(try_app, name="try")

__all__ = ["app"]
