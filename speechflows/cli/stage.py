"""``speechflows stage PATH --prefix P``: upload a folder (or a zip) to Blob Storage, once.

Builds the manifest (hashes remembered between runs), uploads only what is missing or changed
under ``container/prefix`` with a live progress bar, then prints a summary. Exit status 1 on a
staging error, 2 on missing or invalid settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
    TransferSpeedColumn,
)
from rich.text import Text

from speechflows.redaction import redact_text

# Storage (Azure SDK, aiohttp), settings (pydantic-settings) and the manifest (pydantic) are
# imported inside the command, so `speechflows --help` and `validate` start fast.

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.1f} MB"


def _error(console: Console, label: str, message: str) -> None:
    # Text, not markup: paths may contain [brackets]; soft wrap keeps paths copy-pastable.
    console.print(Text.assemble((label, "red"), message), soft_wrap=True)


@commands.command("stage")
def stage_command(
    path: Annotated[
        str,
        typer.Argument(
            help="folder of recordings and scripts, or one file (zip); data already in Blob "
            "(blob://<container>/<prefix>, or a Blob URL with a SAS) is listed, not moved"
        ),
    ],
    prefix: Annotated[
        str | None,
        typer.Option(
            help="blob prefix ('folder') to stage under, e.g. voice/ds1 (required for a local PATH)"
        ),
    ] = None,
    container: Annotated[
        str | None, typer.Option(help="container (default: SPEECHFLOWS_STORAGE_CONTAINER)")
    ] = None,
    ext: Annotated[
        list[str] | None, typer.Option("--ext", help="include only this extension (repeatable)")
    ] = None,
    concurrency: Annotated[int | None, typer.Option(help="parallel uploads", min=1)] = None,
    hash_cache: Annotated[
        Path | None, typer.Option(help="hash cache file (default .speechflows/hash-cache.json)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the result as JSON")] = False,
) -> None:
    """Stage PATH to Blob Storage under --prefix, uploading only missing or changed files."""
    from speechflows.datasets.manifest import build_manifest
    from speechflows.location import is_remote
    from speechflows.settings import SettingsError, load_storage_settings
    from speechflows.storage import StageProgress, StagingError, stage

    console = Console(stderr=True)
    if is_remote(path):
        _already_in_blob(path, ext, console, as_json)
        return
    if prefix is None:
        _error(console, "missing option: ", "--prefix (where to stage a local PATH)")
        raise typer.Exit(2)
    try:
        settings = load_storage_settings()
    except SettingsError as exc:
        _error(console, "storage settings: ", redact_text(str(exc)))
        raise typer.Exit(2) from None
    try:
        with console.status("hashing files…"):
            manifest = build_manifest(Path(path), extensions=ext, hash_cache=hash_cache)
        total_files = len(manifest.entries)
        with Progress(
            TextColumn("[bold]staging"),
            BarColumn(),
            TextColumn("{task.fields[files]}"),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeRemainingColumn(),
            console=console,
            transient=as_json,
        ) as bar:
            task = bar.add_task("stage", total=manifest.total_bytes, files=f"0/{total_files} files")

            def show(p: StageProgress) -> None:
                # Bytes drive the bar, speed and ETA; files (uploaded + skipped) ride along.
                bar.update(
                    task, completed=p.bytes_done, files=f"{p.files_done}/{total_files} files"
                )

            result = stage(
                manifest,
                settings=settings,
                prefix=prefix,
                container=container,
                concurrency=concurrency,
                progress=show,
            )
    except StagingError as exc:
        _error(console, "staging failed: ", str(exc))
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    where = f"{result.container_url}/{result.prefix}".rstrip("/")
    typer.echo(
        f"staged {len(manifest.entries)} files to {where} in {result.seconds:.1f} s: "
        f"uploaded {len(result.uploaded)} ({_mb(result.uploaded_bytes)}), "
        f"skipped {len(result.skipped)} unchanged ({_mb(result.skipped_bytes)})"
    )
    typer.echo(f"manifest hash {result.manifest_hash}")


def _already_in_blob(source: str, ext: list[str] | None, console: Console, as_json: bool) -> None:
    """Data already in Blob Storage is not copied: one listing gives its manifest."""
    import json

    from speechflows.location import DataLocation
    from speechflows.settings import SettingsError
    from speechflows.storage import StagingError
    from speechflows.storage.blob_source import listed_manifest

    try:
        where, manifest, _, _ = listed_manifest(DataLocation.parse(source), ext)
    except SettingsError as exc:
        _error(console, "storage settings: ", redact_text(str(exc)))
        raise typer.Exit(2) from None
    except StagingError as exc:
        _error(console, "listing failed: ", str(exc))
        raise typer.Exit(1) from None
    if as_json:
        summary = {
            "location": where.display,
            "files": len(manifest.entries),
            "bytes": manifest.total_bytes,
            "uploaded_bytes": 0,
            "manifest_hash": manifest.hash,
        }
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"{where.display}: already in Blob Storage ({len(manifest.entries)} files, "
        f"{_mb(manifest.total_bytes)}); nothing staged: the onboardings read it in place"
    )
    typer.echo(f"manifest hash {manifest.hash}")
