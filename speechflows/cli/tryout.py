"""``speechflows try voice …`` and ``speechflows try speech --model … <audio>``: try what was
onboarded, as a Prefect flow run (the same tasks, quota, retries and artifacts as the
onboardings), printed as a table.

    speechflows try voice --speaker-profile-id 3b1f… --sentence "Hello there."
    speechflows try voice --endpoint 9f50c644-… --voice-name JessicaNeural
    speechflows try speech --model "call center v2" recordings/        # with recordings/trans.txt
    speechflows try speech --model 0f3a… blob://data/test-calls --csv words.csv
    speechflows try links                      # fresh audio/CSV links in the try reports
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from speechflows.cli.onboard import _run_flow
from speechflows.redaction import redact_text

# Prefect, the flows and the Azure SDK are imported inside the commands, so `speechflows --help`
# starts fast.

try_app = typer.Typer(
    help="Try what was onboarded: hear a voice, see what a speech model gets wrong.",
    no_args_is_help=True,
)
"""The ``speechflows try`` group; ``speechflows.cli`` mounts it."""


def _finish(console: Console, state: Any, run_url: str | None) -> Any:
    if not state.is_completed():
        console.print(f"[red]try failed:[/] {escape(redact_text(str(state.message)))}")
        if run_url:
            console.print(f"Prefect UI: {escape(run_url)}", soft_wrap=True)
        raise typer.Exit(1)
    return state.result()


@try_app.command("voice")
def try_voice_command(
    speaker_profile_id: Annotated[
        str | None, typer.Option(help="A personal voice's speakerProfileId")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="A professional voice endpoint id (deploymentId)")
    ] = None,
    voice_name: Annotated[
        str | None, typer.Option(help="The professional voice model's voiceName")
    ] = None,
    sentence: Annotated[
        list[str] | None,
        typer.Option("--sentence", help="A sentence to say (repeat; default: a short set)"),
    ] = None,
    locale: Annotated[str, typer.Option(help="Locale of the sentences")] = "en-US",
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Synthesise a few sentences with a voice; WAVs in Blob, links and SSML in the report."""
    from speechflows.cli.reach import check_reachable, quiet_retries
    from speechflows.flows.try_out import TryVoiceParams, try_voice_flow

    with quiet_retries():  # an endpoint nobody answers at: one line within 15 s, no flow run
        check_reachable()

    console = Console(stderr=as_json)
    params = TryVoiceParams(
        speaker_profile_id=speaker_profile_id,
        endpoint_id=endpoint,
        voice_name=voice_name,
        sentences=list(sentence or []),
        locale=locale,
    )
    state, url = _run_flow(try_voice_flow, params)
    result = _finish(console, state, url)
    if as_json:
        typer.echo(result.model_dump_json(indent=2))
        return
    table = Table(title=f"voice {result.voice}: WAVs in {result.container}")
    for col in ("sentence", "seconds", "blob"):
        table.add_column(col)
    for s in result.sentences:
        table.add_row(escape(s.sentence), f"{s.seconds:.2f}", escape(s.blob))
    console.print(table)
    console.print("SSML to paste:", style="bold")
    console.print(escape(result.ssml_example), soft_wrap=True)
    if url:
        console.print(f"Prefect UI (audio links, expiring within the hour): {escape(url)}")


@try_app.command("speech")
def try_speech_command(
    audio: Annotated[
        str, typer.Argument(help="Audio folder (+ trans.txt) or blob://container/prefix")
    ],
    model: Annotated[str, typer.Option(help="The custom model: id, self URL or display name")],
    against: Annotated[
        str | None, typer.Option(help="The model it would replace (default: its base model)")
    ] = None,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write the word-level alignment CSV here")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON")] = False,
) -> None:
    """Batch-transcribe the audio with the model and the one it would replace; per file, the
    words it fixed and broke (WER in percent)."""
    from speechflows.cli.reach import check_reachable, quiet_retries
    from speechflows.flows.try_out import TrySpeechParams, try_speech_flow

    with quiet_retries():  # an endpoint nobody answers at: one line within 15 s, no flow run
        check_reachable()

    console = Console(stderr=as_json)
    params = TrySpeechParams(model=model, audio=audio, against=against)
    state, url = _run_flow(try_speech_flow, params)
    result = _finish(console, state, url)
    if csv_path is not None and result.csv_blob:
        _download_csv(result.csv_blob, csv_path)
    if as_json:
        typer.echo(json.dumps(result.model_dump(), indent=2, default=str))
        return
    for w in result.warnings:
        console.print(f"[yellow]warning: tested on its own training data:[/] {escape(w)}")
    console.print(
        f"WER: {result.wer_current} % → {result.wer_candidate} %  "
        f"(better: {len(result.better)} files, worse: {len(result.worse)})"
    )
    table = Table()
    for col in ("file", "WER % before", "WER % new", "change", "fixed", "broke"):
        table.add_column(col)
    for r in result.files:
        table.add_row(
            escape(r.name),
            str(r.wer_current),
            str(r.wer_candidate),
            r.change,
            escape(" ".join(r.fixed)),
            escape(" ".join(r.broken)),
        )
    console.print(table)
    if result.without_reference:
        console.print(f"no reference transcript for {len(result.without_reference)} files")
    if csv_path is not None and result.csv_blob:
        console.print(f"alignment CSV: {escape(str(csv_path))}")
    if url:
        console.print(f"Prefect UI (highlighted alignment): {escape(url)}", soft_wrap=True)


@try_app.command("links")
def try_links_command(
    key: Annotated[
        list[str] | None,
        typer.Option("--key", help="Only this artifact key (repeat; default: every try report)"),
    ] = None,
) -> None:
    """Fresh links in the try reports on the Prefect server (PREFECT_API_URL): each audio and CSV
    link re-minted, read-only, for its one blob, expiring within the hour."""
    from prefect.settings import PREFECT_API_URL

    from speechflows.settings import load_storage_settings
    from speechflows.tasks.try_links import refresh_artifacts
    from speechflows.tasks.try_voice import LINK_MINUTES

    console = Console()
    if not PREFECT_API_URL.value():
        console.print(
            "[red]PREFECT_API_URL is not set[/]: the reports are on a Prefect server; "
            "after `make up`: source .speechflows/dev/env && speechflows try links",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    refreshed = refresh_artifacts(load_storage_settings(), list(key) if key else None)
    per_key: dict[str, list[int]] = {}  # key → [links re-minted, versions, links to gone blobs]
    for r in refreshed:
        figures = per_key.setdefault(r.key, [0, 0, 0])
        figures[0] += r.links
        figures[1] += bool(r.links)
        figures[2] += len(r.missing)
    for k, (links, versions, gone) in per_key.items():
        said = [f"{links} links re-minted in {versions} versions"] if links else []
        if gone:
            said.append(f"{gone} to blobs no longer in Blob (an earlier run's) left as they were")
        console.print(f"{escape(k)}: {'; '.join(said)}")
    total = sum(r.links for r in refreshed)
    if not total:
        console.print("no try report links a blob that exists on this storage account")
        raise typer.Exit(1)
    console.print(
        f"{total} links re-minted (read-only, one blob each, expiring in {LINK_MINUTES} "
        "minutes): reload the report in the UI"
    )


def _download_csv(blob_name: str, dest: Path) -> None:
    from speechflows.settings import load_storage_settings
    from speechflows.storage.account import Account

    settings = load_storage_settings()
    client = Account.from_settings(settings).service_client()
    data = client.get_blob_client(settings.container, blob_name).download_blob().readall()
    dest.write_bytes(data)


__all__ = ["try_app"]
