"""The ``speechflows`` command (Typer + Rich).

Each submodule registers the commands it owns on :data:`app`; this module only assembles them.
Imports stay inside the commands so ``speechflows --help`` is fast.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="speechflows",
    help="Onboard data to Azure AI Speech: validate, stage, onboard, and the local dev services.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)



@app.callback()
def _main() -> None:
    """Onboard data to Azure AI Speech with Prefect."""


# Command modules, each owning its commands (import order = help order).
from speechflows.cli import devservices  # noqa: E402,F401
from speechflows.cli import dev  # noqa: E402,F401
from speechflows.cli import onboard  # noqa: E402,F401
from speechflows.cli import emulator  # noqa: E402,F401
from speechflows.cli import validate  # noqa: E402,F401
from speechflows.cli import stage  # noqa: E402,F401

__all__ = ["app"]
