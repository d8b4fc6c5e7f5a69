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


# Command modules, each owning its commands (imported for their registrations).
from speechflows.cli import (  # noqa: E402
    dev,  # noqa: F401
    devservices,  # noqa: F401
    emulator,  # noqa: F401
    onboard,  # noqa: F401
    stage,  # noqa: F401
    validate,  # noqa: F401
)

__all__ = ["app"]
