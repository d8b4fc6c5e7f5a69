"""``speechflows dev up|down|status``, ``speechflows setup``, ``speechflows deploy``, ``speechflows serve``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from speechflows.dev.processes import ServiceStartError

if TYPE_CHECKING:
    from speechflows.dev.stack import StackConfig

# The stack and the deployment helpers import Prefect: they are imported inside the commands, so
# `speechflows --help` and `validate` start without it.

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""

dev_app = typer.Typer(
    help="The local stack: Prefect server + UI, worker, Azurite, emulator.", no_args_is_help=True
)
"""The ``speechflows dev`` group; ``speechflows.cli`` mounts it."""


def _config(
    root: Path | None, prefect_port: int, azurite_port: int, emulator_port: int
) -> StackConfig:
    from speechflows.deployments.setup import PROJECT_ROOT
    from speechflows.dev.stack import StackConfig

    return StackConfig(
        root=(root or PROJECT_ROOT).resolve(),
        prefect_port=prefect_port,
        azurite_port=azurite_port,
        emulator_port=emulator_port,
    )


@dev_app.command("up")
def dev_up(
    root: Annotated[Path | None, typer.Option(help="the checkout (default: this one)")] = None,
    prefect_port: int = typer.Option(4200, help="Prefect server + UI port on 127.0.0.1"),
    azurite_port: int = typer.Option(10000, help="Azurite Blob port"),
    emulator_port: int = typer.Option(8765, help="Speech emulator port"),
) -> None:
    """Start everything in the background, apply the deployments; open the UI and run a form."""
    from speechflows.dev.stack import up

    config = _config(root, prefect_port, azurite_port, emulator_port)
    try:
        up(config, echo=typer.echo)
    except ServiceStartError as exc:
        typer.secho(f"dev up failed: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"ready: open http://127.0.0.1:{prefect_port}, Deployments → Run → Custom run; "
        "`speechflows dev down` stops everything"
    )


@dev_app.command("down")
def dev_down(root: Annotated[Path | None, typer.Option(help="the checkout")] = None) -> None:
    """Stop what `speechflows dev up` started."""
    from speechflows.dev.stack import down

    config = _config(root, 4200, 10000, 8765)
    if not down(config, echo=typer.echo):
        typer.echo("nothing was running")


@dev_app.command("status")
def dev_status(root: Annotated[Path | None, typer.Option(help="the checkout")] = None) -> None:
    """Show the services of the dev stack and whether they run."""
    from speechflows.dev.stack import read_state

    config = _config(root, 4200, 10000, 8765)
    services = read_state(config)
    if not services:
        typer.echo("the dev stack is down")
    for s in services:
        state = "running" if s.alive() else "STOPPED"
        typer.echo(f"{s.name:15} {state:8} pid {s.pid:<8} {s.url}   log {s.log}")


@commands.command("setup")
def setup_cmd(
    zombie_after: Annotated[
        float,
        typer.Option(
            "--zombie-after",
            help="seconds without a heartbeat after which a flow run is marked Crashed "
            "(keep it above 2x PREFECT_FLOWS_HEARTBEAT_FREQUENCY, 180 s by default)",
        ),
    ] = 600.0,
) -> None:
    """Create the work pool, the Speech API rate limit and the zombie-run automation (PREFECT_API_URL)."""
    from speechflows.deployments.setup import ensure_setup

    result = ensure_setup(zombie_after_seconds=zombie_after)
    typer.echo(
        f"work pool {result.work_pool}: {'created' if result.pool_created else 'exists'}; "
        f"rate limit: {'created' if result.limit_created else 'updated'}; "
        f"zombie-run automation: {'created' if result.zombie_automation_created else 'updated'}"
    )


@commands.command("deploy")
def deploy_cmd(
    code_from_git: Annotated[
        str | None,
        typer.Option(
            "--code-from-git",
            metavar="REPOSITORY",
            help="workers clone this repository at the checkout's commit (a pull step) instead "
            "of having the package installed; the checkout must be clean and pushed",
        ),
    ] = None,
    pool: Annotated[
        str | None, typer.Option(help="the work pool (default: prefect.yaml's, speechflows)")
    ] = None,
) -> None:
    """`speechflows setup`, then apply every deployment of prefect.yaml."""
    from prefect.settings import PREFECT_API_URL

    from speechflows.deployments.git_code import GitCodeError, pinned_checkout
    from speechflows.deployments.setup import (
        PROJECT_ROOT,
        WORK_POOL,
        SetupError,
        deploy_all,
        ensure_setup,
    )

    api_url = PREFECT_API_URL.value()
    if not api_url:
        typer.secho(
            "PREFECT_API_URL is not set (example: http://127.0.0.1:4200/api)",
            fg=typer.colors.RED,
            err=True,
        )
        raise typer.Exit(2)
    try:
        code = pinned_checkout(PROJECT_ROOT, code_from_git) if code_from_git else None
        ensure_setup(api_url=api_url, work_pool=pool or WORK_POOL)
        deploy_all(api_url=api_url, code=code, work_pool=pool)
    except (SetupError, GitCodeError) as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    where = f" (code: {code.repository} at {code.commit[:12]})" if code else ""
    typer.echo(f"deployments applied from prefect.yaml{where}")


@commands.command("serve")
def serve_cmd(
    name: Annotated[
        list[str] | None, typer.Option("--name", "-n", help="only these deployments")
    ] = None,
    limit: int = typer.Option(4, help="maximum concurrent flow runs"),
) -> None:
    """Serve the deployments of prefect.yaml from this process (no work pool or worker)."""
    from speechflows.deployments.serve import serve_all

    serve_all(names=list(name) if name else None, limit=limit)
