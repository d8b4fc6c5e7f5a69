"""``speechflows validate`` and ``speechflows sample-data``: pre-flight checks and sample data.

``validate PATH --kind KIND`` prints a Rich table of findings on a terminal (``--json`` for
machines) and exits 1 when Azure would reject anything; ``--audio`` also analyses the samples
(SNR, levels, clipping, silence, DC offset: warnings only) and writes a per-utterance CSV/JSON.
``sample-data DIR --kind KIND`` writes a synthetic dataset of the kind; ``--broken`` seeds one
instance of every finding instead.
"""

from __future__ import annotations

import json
import os
import re
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TimeRemainingColumn
from rich.table import Table

from speechflows.datasets.findings import Finding
from speechflows.datasets.kinds import DataKind
from speechflows.datasets.report import ValidationReport
from speechflows.datasets.samples import write_sample
from speechflows.datasets.validator import validate

if TYPE_CHECKING:
    from speechflows.location import DataLocation

commands = typer.Typer()
"""The single commands of this module; ``speechflows.cli`` mounts them on the root app."""

_KIND_HELP = (
    "AudioAndScript, LongAudio, AudioOnly, Acoustic, AudioFiles, Language, "
    "Pronunciation, LanguageMarkdown, OutputFormatting, Consent, Prompt"
)
_PROGRESS_FROM = 1000  # files; smaller folders finish before a bar is worth drawing


def _kind(value: str) -> DataKind:
    try:
        return DataKind.parse(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--kind") from None


@contextmanager
def _progress(console: Console) -> Iterator[Callable[[int, int], None] | None]:
    if not console.is_terminal:
        yield None
        return
    bar = Progress(
        "validating",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    task: list[TaskID] = []

    def update(done: int, total: int) -> None:
        if total < _PROGRESS_FROM:
            return
        if not task:
            bar.start()
            task.append(bar.add_task("validating", total=total))
        bar.update(task[0], completed=done)

    try:
        yield update
    finally:
        bar.stop()


GROUP_SHOWN = 3
"""Files named per group of findings of one rule (all of them are in ``--json``)."""


def _grouped(report: ValidationReport) -> list[tuple[Finding, int, str]]:
    """Findings of the same rule and severity as one row: (first finding, count, first places)."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in report.findings:
        groups.setdefault((f.severity.value, f.code), []).append(f)
    rows = []
    for found in groups.values():
        places = ", ".join(f.location() for f in found[:GROUP_SHOWN])
        more = len(found) - GROUP_SHOWN
        rows.append((found[0], len(found), places + (f" (+{more} more)" if more > 0 else "")))
    return rows


TABLE_FROM = 200
"""Columns from which findings are a table; narrower (or piped at 80), one line per finding."""
COMMAND_START = re.compile(r"(?:^|(?<=: ))(?=(?:mkdir -p |sox |ffmpeg |iconv |printf |rm ))")


def from_here(fix: str, root: str) -> str:
    """``fix`` runnable from where the user stands: its command is run in ``root``.

    >>> from_here("Convert it: mkdir -p fixed && sox a.wav fixed/a.wav", "data/my takes")
    "Convert it: cd 'data/my takes' && mkdir -p fixed && sox a.wav fixed/a.wav"
    >>> from_here("Record again", "data")
    'Record again'
    """
    if root in ("", "."):
        return fix
    return COMMAND_START.sub(f"cd {shlex.quote(root)} && ", fix, count=1)


def _root(path: str) -> str:
    """The folder fix commands run in: the dataset folder (a file's folder), from the cwd."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    try:
        return os.path.relpath(folder)
    except ValueError:  # another drive
        return str(folder)


def finding_lines(report: ValidationReport, limit: int, root: str) -> list[str]:
    """One line per finding (``file:line  code  what → fix``), errors first; a rule that hits
    more than :data:`GROUP_SHOWN` files is one line naming the count and the first files."""
    groups = sorted(_grouped(report), key=lambda g: g[0].severity.value != "error")
    lines = []
    for f, count, places in groups[:limit]:
        what = f.value or f.rule.rstrip(".")
        fix = from_here(f.fix, root)
        where = f.location() if root in ("", ".") or not f.file else f"{root}/{f.location()}"
        if count == 1:
            lines.append(f"{where}  {f.severity.value}  {f.code}  {what} → {fix}")
        else:
            lines.append(
                f"{count} files: {f.severity.value}  {f.code}  {what} ({places}) → {fix} "
                "(the same for each file; --json lists them all)"
            )
    return lines


def _table(report: ValidationReport, console: Console, limit: int, root: str) -> None:
    title = (
        f"{report.kind.value} ({report.locale}): {report.error_count} errors, "
        f"{report.warning_count} warnings"
    )
    if report.findings and console.width < TABLE_FROM:
        console.print(title, highlight=False)
        for line in finding_lines(report, limit, root):
            # soft_wrap: a long line is never broken inside a command or a path
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    elif report.findings:
        _wide_table(report, console, limit, root, title)
    groups = _grouped(report)
    if len(groups) > limit:
        hidden = sum(count for _, count, _ in groups[limit:])
        console.print(
            f"… {hidden} more findings of {len(groups) - limit} more rules (--limit N or --json)"
        )
    console.print(
        f"{report.files_checked} files checked: {len(report.accepted_files)} accepted, "
        f"{len(report.rejected_files)} rejected; utterances/lines {report.utterance_count} "
        f"accepted, {report.rejected_count} rejected; audio {report.total_audio_seconds:.1f} s"
    )
    verdict = (
        "[red]Azure would reject "
        + ("this whole dataset.[/]" if not report.accepted_files else "part of this dataset.[/]")
        if report.has_errors
        else ("[green]No errors: ready to upload.[/]")
    )
    console.print(verdict)


def _audio_pass(
    path: Path, kind: DataKind, report: ValidationReport, out: Path | None
) -> dict[str, object] | None:
    """``--audio``: analyse the accepted audio, add its warnings to ``report``, write CSV/JSON.

    Returns the audio summary with the paths written, or None for a kind without audio.
    """
    # numpy is heavy: imported here so `speechflows --help` and plain `validate` stay fast.
    from speechflows.datasets.audio_analysis import PROFILES
    from speechflows.datasets.audio_report import analyse

    if kind not in PROFILES:
        Console(stderr=True).print(f"--audio: {kind.value} datasets hold no audio; skipped")
        return None
    audio = analyse(path, kind, files=report.accepted_files)
    report.findings.extend(audio.findings)
    folder = out or Path(".speechflows") / "reports" / f"{path.name or 'dataset'}-{kind.value}"
    csv_path, json_path = audio.write(folder)
    return {
        **audio.summary(),
        "markdown": audio.to_markdown(),
        "csv": str(csv_path),
        "json": str(json_path),
    }


@commands.command("validate")
def validate_command(
    path: Annotated[
        str,
        typer.Argument(
            help="dataset folder, single file, or .zip; or, read in place without downloading, "
            "blob://<container>/<prefix> (configured account) or a Blob URL with a SAS"
        ),
    ],
    kind: Annotated[str, typer.Option("--kind", "-k", help=_KIND_HELP)],
    locale: Annotated[str, typer.Option(help="dataset locale, e.g. en-US, de-DE")] = "en-US",
    min_utterances: Annotated[
        int | None, typer.Option(help="AudioAndScript recipe minimum (default 300; 0: off)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    limit: Annotated[int, typer.Option(help="findings shown in the table", min=1)] = 200,
    audio: Annotated[
        bool,
        typer.Option(
            "--audio",
            help="also analyse the samples of the accepted audio (SNR, levels, clipping, "
            "silence, DC offset): warnings, plus a per-utterance CSV/JSON report",
        ),
    ] = False,
    audio_report: Annotated[
        Path | None,
        typer.Option(help="folder for the --audio CSV/JSON (default .speechflows/reports/…)"),
    ] = None,
) -> None:
    """Check PATH against everything Azure checks for --kind; exit 1 when anything is rejected."""
    data_kind = _kind(kind)
    err = Console(stderr=True)
    location = _checked(path, data_kind, locale, err)
    in_place = location.in_place
    local = location.path if location.path is not None else Path(path)
    with _progress(err) as progress:
        if in_place:
            report = _validate_in_place(location, data_kind, locale, min_utterances, progress, err)
        else:
            report = validate(
                local, data_kind, locale=locale, min_utterances=min_utterances, progress=progress
            )
    if audio and in_place:
        err.print("--audio decodes whole files, so it runs on local data only; skipped in place")
    analysed = (
        _audio_pass(local, data_kind, report, audio_report) if audio and not in_place else None
    )
    guess = guess_kind(local, report, locale) if report.has_errors and not in_place else None
    if as_json:
        if analysed is None:
            typer.echo(report.to_json())
        else:
            doc = json.loads(report.to_json())
            doc["audio"] = {k: v for k, v in analysed.items() if k != "markdown"}
            typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        _table(report, Console(), limit, _root(path) if not in_place else ".")
        if analysed is not None:
            Console().print(str(analysed["markdown"]), markup=False, highlight=False)
            Console().print(f"per-utterance report: {analysed['csv']}, {analysed['json']}")
    if guess is not None:
        err.print(
            f"Nothing in {escape(path)} fits --kind {data_kind.value}; it looks like "
            f"{guess.value}: speechflows validate {escape(path)} --kind {guess.value}",
            soft_wrap=True,  # a command to paste: never broken over lines
        )
    if report.has_errors:
        raise typer.Exit(1)


def _checked(path: str, kind: DataKind, locale: str, err: Console) -> DataLocation:
    """The data location, once the checks ``onboard`` and the flows make passed (else exit 2)."""
    from speechflows.datasets.errors import StagingError
    from speechflows.preflight import check_source, stage_read_deadline_minutes

    try:
        # the answer onboard and the flows give: a SAS grants read (+ list) and outlives the
        # default deadline of the stage that reads the data (the service reads it until then)
        return check_source(
            path, kind, locale, read_deadline_minutes=stage_read_deadline_minutes(kind)
        )
    except StagingError as exc:
        err.print(f"{exc.problem} → {exc.fix}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _validate_in_place(
    location: DataLocation,
    kind: DataKind,
    locale: str,
    min_utterances: int | None,
    progress: Callable[[int, int], None] | None,
    err: Console,
) -> ValidationReport:
    """Validate blobs where they are (ranged reads of headers; nothing downloaded)."""
    # Heavy imports (the storage layer, the Azure SDK) only for the in-place case.
    from speechflows.datasets.errors import StagingError
    from speechflows.settings import SettingsError
    from speechflows.storage.blob_source import resolve, validate_in_place

    try:
        where, token = resolve(location)
        report, cost = validate_in_place(
            where, token, kind, locale=locale, min_utterances=min_utterances, progress=progress
        )
    except (StagingError, SettingsError) as exc:
        err.print(f"{exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    err.print(
        f"read in place: {where.display}: {cost.list_requests} listing, {cost.read_requests} "
        f"ranged reads, {cost.bytes_read} of {report.total_bytes} bytes",
        highlight=False,
    )
    return report


def _wide_table(
    report: ValidationReport, console: Console, limit: int, root: str, title: str
) -> None:
    """The findings as a table: file, line, severity and fix lead; errors first."""
    table = Table(
        title=title,
        show_lines=False,
        expand=True,
    )
    for column, style in (
        ("where", "cyan"),
        ("severity", ""),
        ("fix", "green"),
        ("code", "bold"),
        ("count", ""),
        ("value (first)", ""),
    ):
        # Codes stay whole (greppable); the prose columns wrap at the terminal's width.
        table.add_column(column, style=style, overflow="fold", no_wrap=column == "code")
    groups = sorted(_grouped(report), key=lambda g: g[0].severity.value != "error")
    for f, count, places in groups[:limit]:
        severity = "[red]error[/]" if f.severity.value == "error" else "[yellow]warning[/]"
        table.add_row(
            escape(places),
            severity,
            escape(from_here(f.fix, root)),
            f.code,
            str(count),
            escape(f.value or ""),
        )
    console.print(table)


def guess_kind(path: Path, report: ValidationReport, locale: str) -> DataKind | None:
    """The kind ``path`` fits without errors, when nothing of it fits the kind asked for.

    Only tried when no file was accepted (a wrong ``--kind``, not a few bad files); the first
    kind that accepts files and finds no error wins.
    """
    if report.accepted_files:
        return None
    for other in DataKind:
        if other == report.kind:
            continue
        try:
            trial = validate(path, other, locale=locale)
        except Exception:  # a kind that cannot even read this input is no guess
            continue
        if trial.accepted_files and not trial.has_errors:
            return other
    return None


@commands.command("sample-data")
def sample_data_command(
    dest: Annotated[Path, typer.Argument(help="folder to write (data/ and README.md)")],
    kind: Annotated[str, typer.Option("--kind", "-k", help=_KIND_HELP)],
    broken: Annotated[
        bool, typer.Option(help="seed one instance of every finding the validator knows")
    ] = False,
    count: Annotated[
        int | None, typer.Option(help="utterances/files/lines (small default)", min=1)
    ] = None,
    locale: Annotated[str, typer.Option(help="dataset locale")] = "en-US",
    seed: Annotated[int, typer.Option(help="varies the generated tones")] = 0,
) -> None:
    """Write a realistic synthetic KIND dataset (tones with correct headers, real sentences)."""
    path = write_sample(dest, _kind(kind), count=count, broken=broken, locale=locale, seed=seed)
    typer.echo(f"wrote {path}")
    typer.echo(f"README: {dest / 'README.md'}")
    typer.echo(
        f"check it: speechflows validate {path} --kind {_kind(kind).value} --locale {locale}"
    )
