"""The audio analysis task: per-utterance SNR, levels, clipping and silence, as artifacts and files.

A thin binding of :func:`speechflows.datasets.audio_report.analyse`: a table artifact with one
row per utterance (worst first, the script text beside it), a markdown artifact with the
distribution and the worst ten, and the full report as CSV and JSON under
``.speechflows/reports/<validation table key>/`` (the folder of the run's validation report).
Not cached: the analysis is fast (hundreds of utterances a second) and its files must exist on
the worker that runs it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.logging import get_run_logger
from pydantic import Field

from speechflows.redaction import redact_text
from speechflows.tasks.artifacts import MAX_TABLE_ROWS, markdown
from speechflows.tasks.outcomes import _Outcome

REPORTS_DIR = Path(".speechflows/reports")


class AudioOutcome(_Outcome):
    """The figures of an audio analysis (the rows are in the artifact and the files)."""

    kind: str
    files: int
    analysed: int
    with_findings: int
    warning_count: int
    counts_by_code: dict[str, int] = Field(default_factory=dict)
    snr_db: dict[str, float] | None = None
    speech_dbfs: dict[str, float] | None = None
    duration_s: dict[str, float] | None = None
    csv_path: str
    json_path: str
    table_key: str


def _safe(row: dict[str, Any]) -> dict[str, Any]:
    return {k: redact_text(v) if isinstance(v, str) else v for k, v in row.items()}


@task(name="Analyse audio", task_run_name="audio {kind} {path}", cache_policy=NO_CACHE)
def analyse_audio(
    path: Path,
    kind: str,
    *,
    files: list[str],
    table_key: str,
    report_dir: Path | None = None,
) -> AudioOutcome:
    """Analyse ``files`` (the accepted audio) of the dataset at ``path`` against ``kind``.

    Writes the table artifact ``table_key`` and its summary ``<table_key>-summary``, and the
    CSV/JSON into ``report_dir`` (default ``.speechflows/reports/<table_key>``).
    """
    # numpy and the analysis load here, in the run that asked for it (docs/architecture.md
    # "Import-time budget"), not when a flow module is imported.
    from speechflows.datasets.audio_report import analyse

    report = analyse(Path(path), kind, files)
    folder = report_dir or REPORTS_DIR / table_key
    csv_path, json_path = report.write(folder)
    summary = report.summary()
    rows = report.table_rows(MAX_TABLE_ROWS)
    more = len(report.rows) - len(rows)
    log = get_run_logger()
    try:
        create_table_artifact(
            table=[_safe(r) for r in rows]
            or [{"file": "-", "findings": "", "note": "no audio files to analyse"}],
            key=table_key,
            description=(
                f"{kind} audio: {summary['with_findings']} of {summary['files']} utterances "
                f"with warnings, worst first"
                + (f"; first {MAX_TABLE_ROWS} shown, {more} more in {csv_path}" if more else "")
            ),
        )
    except Exception as exc:
        log.warning("could not write artifact %s: %s", table_key, redact_text(str(exc)))
    markdown(
        report.to_markdown() + f"\n\nPer-utterance report: `{csv_path}`, `{json_path}`",
        f"{table_key}-summary",
        description=f"{kind} audio analysis",
    )
    log.info(
        "analysed the audio of %s as %s: %d files, %d with warnings (%s)",
        path,
        kind,
        summary["files"],
        summary["with_findings"],
        summary["counts_by_code"] or "none",
    )
    return AudioOutcome(
        kind=kind,
        files=summary["files"],
        analysed=summary["analysed"],
        with_findings=summary["with_findings"],
        warning_count=summary["warning_count"],
        counts_by_code=summary["counts_by_code"],
        snr_db=summary["snr_db"],
        speech_dbfs=summary["speech_dbfs"],
        duration_s=summary["duration_s"],
        csv_path=str(csv_path),
        json_path=str(json_path),
        table_key=table_key,
    )


__all__ = ["REPORTS_DIR", "AudioOutcome", "analyse_audio"]
