"""What ``speechflows onboard …`` prints when an onboarding is done: the answer to its question.

- personal voice: the ``speakerProfileId`` (what synthesis needs), first and alone on its line;
- professional voice: the training set id, its utterances and audio duration;
- custom speech: each dataset's name → id with accepted / rejected lines, and the word error rate
  of the base model → the custom model when a model was evaluated;
- every onboarding: the resources created or reused, the stage timings, the report artifact and
  the Prefect UI URL of the run.

Plain functions of the flow results (:mod:`speechflows.flows.results`), duck-typed so this module
imports neither Prefect nor the flows: ``speechflows --help`` stays fast.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

EXIT_CODES = {
    0: "the onboarding completed",
    1: "the onboarding failed (the reason, and the validation findings when data was refused)",
    2: "invalid options or parameters (nothing was started)",
}
"""The exit status of ``speechflows onboard …`` (also in its ``--help``)."""


def human_seconds(seconds: float | None) -> str:
    """``seconds`` as people read a duration.

    >>> human_seconds(4.5), human_seconds(754), human_seconds(7322)
    ('4.5 s', '12 min 34 s', '2 h 2 min')
    """
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


def human_bytes(size: float | None) -> str:
    """``size`` in B, KB, MB, GB (powers of 1024).

    >>> human_bytes(512), human_bytes(144696), human_bytes(3 * 1024**3)
    ('512 B', '141.3 KB', '3.0 GB')
    """
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"  # pragma: no cover - the loop returns


def answer_lines(result: Any) -> list[tuple[str, str]]:
    """(label, value) lines that answer the onboarding's question, most important first."""
    lines: list[tuple[str, str]] = []
    if getattr(result, "speaker_profile_id", None):
        lines.append(("speakerProfileId", str(result.speaker_profile_id)))
        voice = getattr(result, "personal_voice", None)
        if voice is not None:
            lines.append(("personal voice", f"{voice.id} ({voice.status or 'unknown'})"))
    training_set = getattr(result, "training_set", None)
    if training_set is not None:
        lines.append(("training set", f"{training_set.id} ({training_set.status or 'unknown'})"))
        count = getattr(result, "utterance_count", None)
        lines.append(("utterances", "-" if count is None else str(count)))
        lines.append(("audio duration", human_seconds(getattr(result, "duration_seconds", None))))
        for label in ("model", "endpoint"):
            res = getattr(result, label, None)
            if res is not None:
                lines.append((label, f"{res.id} ({res.status or 'unknown'})"))
    for dataset in getattr(result, "datasets", None) or []:
        report = dataset.report
        counts = f"{_n(report.accepted_lines)} accepted / {_n(report.rejected_lines)} rejected"
        audio = (
            f", {human_seconds(report.duration_seconds)} audio"
            if report.duration_seconds is not None
            else ""
        )
        status = report.dataset.status or "unknown"
        lines.append(
            (f"dataset {dataset.name}", f"{report.dataset.id} ({status}): {counts}{audio}")
        )
    model = getattr(result, "model", None)
    if getattr(result, "datasets", None) is not None and model is not None:
        lines.append(("model", f"{model.display_name or ''} {model.id} ({model.status})".strip()))
    evaluation = getattr(result, "evaluation", None)
    if evaluation is not None:
        lines.append(
            (
                "word error rate",
                f"base {_rate(evaluation.word_error_rate_base)} → "
                f"custom {_rate(evaluation.word_error_rate_custom)}",
            )
        )
    return lines


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def _rate(value: float | None) -> str:
    """A word error rate (a fraction, as the service gives it) in percent, as the gate reads it."""
    return "?" if value is None else f"{round(100 * value, 2):g} %"


def print_summary(console: Console, title: str, result: Any, run_url: str | None) -> None:
    """Print the answer, the resources, the timings, the report key and the run's UI URL."""
    console.print(f"[bold green]{escape(title)}: done[/] in {human_seconds(result.seconds)}")
    for label, value in answer_lines(result):
        console.print(f"  [bold]{escape(label)}:[/] {escape(value)}")
    table = Table(title="resources", title_justify="left", expand=False)
    for col in ("kind", "id", "name", "action", "status"):
        table.add_column(col, overflow="fold")
    for r in result.resources:
        table.add_row(r.kind, r.id, r.display_name or "", r.action, r.status or "")
    console.print(table)
    if result.timings:
        stages = ", ".join(f"{t.stage} {human_seconds(t.seconds)}" for t in result.timings)
        console.print(f"stages: {escape(stages)}")
    console.print(f"report artifact: {escape(result.report_key)}")
    if run_url:
        console.print(f"Prefect UI: {escape(run_url)}", soft_wrap=True)


class StageProgress(logging.Handler):
    """Shows the running stage of an onboarding and how long it has waited, on a terminal.

    Fed by the flow's own log lines (``stage <name>: started`` / ``stage <name>: <s> s``), so
    the flows need nothing for it. ``show`` receives the text of the status line.
    """

    STARTED = re.compile(r"^stage (?P<name>.+): started$")

    def __init__(self, show: Callable[[str], None], clock: Callable[[], float]) -> None:
        super().__init__(level=logging.INFO)
        self.show, self.clock = show, clock
        self.stage: str | None = None
        self.since = clock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            found = self.STARTED.match(record.getMessage())
        except Exception:  # a malformed record is the logging module's to report
            return
        if found:
            self.stage, self.since = found.group("name"), self.clock()
            self.show(f"stage {self.stage}…")

    def tick(self) -> str | None:
        """The status line now (the stage and its elapsed time), or None before the first."""
        if self.stage is None:
            return None
        text = f"stage {self.stage}: {human_seconds(self.clock() - self.since)}"
        self.show(text)
        return text


def exit_codes_help() -> str:
    """The exit codes as a help paragraph."""
    return "Exit status: " + "; ".join(f"{code} {what}" for code, what in EXIT_CODES.items()) + "."


__all__ = [
    "EXIT_CODES",
    "StageProgress",
    "answer_lines",
    "exit_codes_help",
    "human_bytes",
    "human_seconds",
    "print_summary",
]
