"""Artifacts people read: validation table, live progress, the onboarding report, resource links.

Keys are stable per project/dataset (``artifact_key("report", project_id)``), so the Prefect UI's
artifact page shows the history of one onboarding. Everything here prints only redacted text: a
SAS URL never reaches an artifact. An artifact that cannot be written (server hiccup) is logged and
skipped: it never fails an onboarding.
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
from collections.abc import Sequence
from uuid import UUID

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.logging import get_run_logger

from speechflows.redaction import redact_text, redact_url
from speechflows.tasks.outcomes import ResourceOutcome, StageTiming, ValidationOutcome

_log = logging.getLogger(__name__)
_KEY_BAD = re.compile(r"[^a-z0-9-]+")
MAX_TABLE_ROWS = 500
IDLE_SECONDS = 5.0


def artifact_key(*parts: str) -> str:
    """A Prefect artifact key (``^[a-z0-9-]*$``) built from free-form parts.

    >>> artifact_key("validation", "Jessica_Project", "AudioAndScript")
    'validation-jessica-project-audioandscript'
    """
    raw = "-".join(p for p in parts if p)
    key = _KEY_BAD.sub("-", raw.lower()).strip("-")
    return re.sub("-{2,}", "-", key)[:120].strip("-")


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except Exception:  # outside a run
        return _log


def validation_table(outcome: ValidationOutcome, key: str) -> None:
    """Publish the validation findings as a table artifact (or a one-row "all good" table)."""
    rows = outcome.rows[:MAX_TABLE_ROWS] or [
        {
            "severity": "ok",
            "code": "-",
            "file": "-",
            "line": None,
            "value": None,
            "rule": f"{outcome.files_checked} files checked, no findings",
            "fix": "-",
        }
    ]
    safe = [{k: redact_text(v) if isinstance(v, str) else v for k, v in r.items()} for r in rows]
    more = len(outcome.rows) - len(rows)
    desc = (
        f"{outcome.kind} ({outcome.locale}): {outcome.error_count} errors, "
        f"{outcome.warning_count} warnings in {outcome.files_checked} files"
        + (f"; first {MAX_TABLE_ROWS} rows shown, {more} more" if more > 0 else "")
    )
    try:
        create_table_artifact(table=safe, key=key, description=desc)
    except Exception as exc:
        _logger().warning("could not write artifact %s: %s", key, redact_text(str(exc)))


def link(url: str, text: str, key: str) -> None:
    """Publish a link artifact to a resource (the URL is redacted first)."""
    try:
        create_link_artifact(link=redact_url(url), link_text=text, key=key)
    except Exception as exc:
        _logger().warning("could not write artifact %s: %s", key, redact_text(str(exc)))


def markdown(text: str, key: str, description: str | None = None) -> None:
    """Publish a markdown artifact (the text is redacted first)."""
    try:
        create_markdown_artifact(markdown=redact_text(text), key=key, description=description)
    except Exception as exc:
        _logger().warning("could not write artifact %s: %s", key, redact_text(str(exc)))


class LiveProgress:
    """A progress artifact updated while staging or waiting, without slowing the work down.

    ``update`` only records the latest value (safe from any thread, never blocks); a background
    thread writes it to the Prefect API at most every ``min_interval`` seconds, so a slow API
    (SQLite under load) never stalls an upload. ``done`` writes 100 % and waits for it.
    """

    def __init__(self, key: str, description: str, *, min_interval: float = 0.5) -> None:
        self.key = key
        self.min_interval = min_interval
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._pending: tuple[float, str | None] | None = None
        self._last_pct = -1.0
        self._closed = False
        self._id: UUID | None = None
        try:
            created = create_progress_artifact(progress=0.0, key=key, description=description)
            self._id = created if isinstance(created, UUID) else None
        except Exception as exc:
            _logger().warning("could not write artifact %s: %s", key, redact_text(str(exc)))
        self._thread: threading.Thread | None = None
        # Prefect settings (API URL...) live in context variables: the writer runs in a copy of
        # the creating task's context, wherever update() is called from.
        self._context = contextvars.copy_context()

    def update(
        self, fraction: float, description: str | None = None, *, force: bool = False
    ) -> None:
        pct = round(max(0.0, min(1.0, fraction)) * 100.0, 1)
        with self._lock:
            if self._id is None or self._closed or pct == self._last_pct:
                return
            self._last_pct = pct
            self._pending = (pct, redact_text(description) if description else None)
            self._ensure_writer()
        self._wake.set()

    def _ensure_writer(self) -> None:
        # Called with the lock held. The writer exits when idle, so a failed step leaks nothing.
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(
                target=self._context.copy().run,
                args=(self._run,),
                name=f"progress-{self.key}",
                daemon=True,
            )
            self._thread.start()

    def _run(self) -> None:
        while self._wake.wait(timeout=IDLE_SECONDS):
            with self._lock:
                item, self._pending = self._pending, None
                self._wake.clear()
                closed = self._closed
            if item is not None:
                self._write(*item)
            if closed:
                return
            self._stop.wait(self.min_interval)
        with self._lock:
            if self._pending is None:
                self._thread = None
                return
        self._run()  # an update raced with the idle exit

    def _write(self, pct: float, description: str | None) -> None:
        try:
            assert self._id is not None
            update_progress_artifact(artifact_id=self._id, progress=pct, description=description)
        except Exception as exc:
            _logger().debug("progress update failed: %s", redact_text(str(exc)))

    def done(self, description: str | None = None) -> None:
        """Write 100 % and stop the writer (waits for the final write)."""
        with self._lock:
            if self._id is None or self._closed:
                return
            self._closed = True
            self._last_pct = 100.0
            self._pending = (100.0, redact_text(description) if description else None)
            self._ensure_writer()
            thread = self._thread
        self._stop.set()
        self._wake.set()
        if thread is not None:
            thread.join(timeout=30)


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return redact_text(text).replace("|", "\\|").replace("\n", " ")


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub-flavoured markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render_report(
    title: str,
    *,
    resources: Sequence[ResourceOutcome],
    facts: Sequence[tuple[str, object]] = (),
    rejects: Sequence[tuple[str, str, str]] = (),
    timings: Sequence[StageTiming] = (),
    notes: Sequence[str] = (),
    status: str = "Completed",
) -> str:
    """The markdown onboarding report: resources, figures, rejects with reasons, timings.

    Args:
        title: heading, e.g. "Professional voice onboarding: jessica".
        resources: what was created or reused, with links.
        facts: (label, value) figures such as utterances and durations.
        rejects: (file, code, reason) rows.
        timings: seconds per stage.
        notes: free-text remarks (e.g. "force: 2 invalid files were not uploaded").
        status: the outcome in one word.
    """
    out = [f"# {title}", "", f"**Status:** {status}", ""]
    if resources:
        rows = []
        for r in resources:
            where = f"[{r.id}]({redact_url(r.url)})" if r.url else r.id
            rows.append((r.kind, where, r.display_name or "", r.action, r.status or ""))
        out += ["## Resources", "", md_table(["kind", "id", "name", "action", "status"], rows), ""]
    if facts:
        out += ["## Figures", "", md_table(["", "value"], list(facts)), ""]
    if rejects:
        shown = list(rejects)[:100]
        out += [f"## Rejected ({len(rejects)})", "", md_table(["file", "code", "reason"], shown)]
        if len(rejects) > len(shown):
            out.append(f"\n… and {len(rejects) - len(shown)} more (see the validation table)")
        out.append("")
    if timings:
        total = sum(t.seconds for t in timings)
        rows2 = [(t.stage, f"{t.seconds:.2f}", t.note) for t in timings]
        rows2.append(("**total**", f"{total:.2f}", ""))
        out += ["## Timings (s)", "", md_table(["stage", "seconds", "note"], rows2), ""]
    if notes:
        out += ["## Notes", "", *[f"- {_cell(n)}" for n in notes], ""]
    return "\n".join(out)


__all__ = [
    "MAX_TABLE_ROWS",
    "LiveProgress",
    "artifact_key",
    "link",
    "markdown",
    "md_table",
    "render_report",
    "validation_table",
]
