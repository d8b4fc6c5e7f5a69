"""Artifacts people read: validation table, live progress, the onboarding report, resource links.

Keys are stable per project/dataset (``artifact_key("report", project_id)``), so the Prefect UI's
artifact page shows the history of one onboarding. Everything here prints only redacted text: a
SAS URL never reaches an artifact. An artifact that cannot be written (server hiccup) is logged and
skipped: it never fails an onboarding.
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote
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
    """A short Prefect artifact key (``^[a-z0-9-]*$``) built from free-form parts.

    A part never repeats what the key already says: a part that starts with an earlier part
    loses that start (resource ids derived from the project id), and a part that spells the
    end of the key again (``trainingset`` then ``training set``) is left out. The key stays
    unique per project and resource (the resource's id is kept once) and the same on every run;
    one over 120 characters is cut and ends in a digest of the whole.

    >>> artifact_key("validation", "Jessica_Project", "AudioAndScript")
    'validation-jessica-project-audioandscript'
    >>> artifact_key("report", "my-voice", "my-voice-trainingset")
    'report-my-voice-trainingset'
    >>> artifact_key("report-my-voice-trainingset", "training set", "link")
    'report-my-voice-trainingset-link'
    """
    kept: list[str] = []
    for part in parts:
        slug = _slug(part)
        for earlier in sorted(kept, key=len, reverse=True):
            if slug.startswith(earlier + "-"):
                slug = slug[len(earlier) + 1 :]
                break
        if slug and not _repeats_end(kept, slug):
            kept.append(slug)
    key = "-".join(kept)
    if len(key) <= MAX_KEY:
        return key
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"{key[: MAX_KEY - 9].strip('-')}-{digest}"


MAX_KEY = 120


def _slug(part: str) -> str:
    return re.sub("-{2,}", "-", _KEY_BAD.sub("-", part.lower())).strip("-")


def _repeats_end(kept: list[str], slug: str) -> bool:
    """Does ``slug`` (hyphens aside) say again an earlier part or the key's last word?"""
    squashed = slug.replace("-", "")
    last = "-".join(kept).rsplit("-", 1)[-1] if kept else None
    return squashed == last or any(k.replace("-", "") == squashed for k in kept)


def _logger() -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    try:
        return get_run_logger()
    except Exception:  # outside a run
        return _log


TABLE_LEAD = ("file", "line", "severity", "fix", "code", "value", "rule")
"""Columns of the validation table, in order: where and what to do first, on any screen."""


def _errors_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ordered = sorted(rows, key=lambda r: str(r.get("severity", "")).lower() != "error")
    return [
        {
            **{k: r.get(k) for k in TABLE_LEAD if k in r},
            **{k: v for k, v in r.items() if k not in TABLE_LEAD},
        }
        for r in ordered
    ]


def validation_table(outcome: ValidationOutcome, key: str) -> None:
    """Publish the validation findings as a table artifact (or a one-row "all good" table):
    file, line, severity and fix first, errors first."""
    rows = _errors_first(list(outcome.rows))[:MAX_TABLE_ROWS] or [
        {
            "file": "-",
            "line": None,
            "severity": "ok",
            "fix": "-",
            "code": "-",
            "value": None,
            "rule": f"{outcome.files_checked} files checked, no findings",
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


def link(url: str, text: str, key: str, description: str | None = None) -> None:
    """Publish a link artifact to a resource (the URL is redacted first)."""
    try:
        # Prefect writes ``[text](link)`` as is: parentheses in the URL are encoded so the link
        # ends where it should (the href is then exactly the URL given to Prefect).
        create_link_artifact(
            link=md_url(url).replace("(", "%28").replace(")", "%29"),
            link_text=md_text(text),
            key=key,
            description=redact_text(description) if description else None,
        )
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


_MD_SPECIAL = re.compile(r"([\\`*\[\]<>&~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
# What the UI's markdown renderer (micromark) keeps as is in an href; the rest it percent-encodes.
_URL_SAFE = "!#$&'()*+,-./:;=?@_~%"
SPEECH_STUDIO_CUSTOM_SPEECH = "https://aka.ms/speechstudio/customspeech"
"""The Speech Studio entry page of custom speech, as the Azure docs link it."""
API_LINK_TEXT = "REST API (needs the key)"


def md_text(value: object) -> str:
    r"""``value`` as literal markdown text: ``_``, ``*``, brackets, ``<tags>``... stay as written.

    An ``_`` inside a word (``cleanup_previous``) is left as is: it never starts emphasis.

    >>> md_text("a_b _c_ <id> [x]")
    'a_b \\_c\\_ \\<id\\> \\[x\\]'
    """
    return _MD_SPECIAL.sub(r"\\\1", "" if value is None else str(value))


def md_code(value: object) -> str:
    """``value`` as a code span (ids, rule codes: greppable in the markdown as written)."""
    text = "" if value is None else str(value)
    return f"`{text}`" if text and "`" not in text and "\n" not in text else md_text(text)


def md_url(url: str) -> str:
    """``url`` redacted, in the form the UI renders as an href unchanged (``|`` → ``%7C``...).

    >>> md_url("http://h/a|b?api-version=1)")
    'http://h/a%7Cb?api-version=1)'
    """
    return quote(redact_url(url), safe=_URL_SAFE)


def md_link(text: str, url: str) -> str:
    """A markdown link that survives tables and odd characters: ``[text](<url>)``."""
    return f"[{md_text(text)}](<{md_url(url)}>)"


ARTIFACT_LINK = re.compile(r"\[([a-z0-9-]+)\]\((https?://[^\s()<>]+/artifacts/key/\1)\)")
"""A link to an artifact's UI page, as :func:`speechflows.flows.common.table_link` writes it."""


def md_text_keeping_links(value: object) -> str:
    r"""``value`` as literal markdown text (:func:`md_text`), but for the links to artifacts it
    holds (the validation table named in a note or a failure), which stay links.

    >>> md_text_keeping_links("see [t-1](http://ui/artifacts/key/t-1) for [x]")
    'see [t-1](<http://ui/artifacts/key/t-1>) for \\[x\\]'
    """
    text, out, last = str(value), [], 0
    for m in ARTIFACT_LINK.finditer(text):
        out += [md_text(text[last : m.start()]), md_link(m.group(1), m.group(2))]
        last = m.end()
    return "".join([*out, md_text(text[last:])])


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
    out = [f"# {md_text(title)}", "", f"**Status:** {md_text_keeping_links(status)}", ""]
    if resources:
        rows = []
        for r in resources:
            api = md_link(API_LINK_TEXT, r.url) if r.url else ""
            rows.append(
                (
                    md_text(r.kind),
                    md_code(r.id),
                    md_text(r.display_name or ""),
                    r.action,
                    md_text(r.status or ""),
                    api,
                )
            )
        out += [
            "## Resources",
            "",
            md_table(["kind", "id", "name", "action", "status", "link"], rows),
            "",
            *where_to_look(resources),
        ]
    if facts:
        rows3 = [(md_text(k), md_text(v)) for k, v in facts]
        out += ["## Figures", "", md_table(["", "value"], rows3), ""]
    if rejects:
        shown = [(md_text(f), md_code(c), md_text(why)) for f, c, why in list(rejects)[:100]]
        out += [f"## Rejected ({len(rejects)})", "", md_table(["file", "code", "reason"], shown)]
        if len(rejects) > len(shown):
            out.append(f"\n… and {len(rejects) - len(shown)} more (see the validation table)")
        out.append("")
    if timings:
        total = sum(t.seconds for t in timings)
        rows2 = [(md_text(t.stage), f"{t.seconds:.2f}", md_text(t.note)) for t in timings]
        rows2.append(("**total**", f"{total:.2f}", ""))
        out += ["## Timings (s)", "", md_table(["stage", "seconds", "note"], rows2), ""]
    if notes:
        out += ["## Notes", "", *[f"- {_cell(md_text_keeping_links(n))}" for n in notes], ""]
    return "\n".join(out)


def where_to_look(resources: Sequence[ResourceOutcome]) -> list[str]:
    """Markdown lines telling where to see ``resources`` in a browser.

    The REST links answer only with the Speech resource key (a browser gets 401). Speech Studio
    shows the resources, but the docs give only its entry pages (no deep links): for custom
    speech ``https://aka.ms/speechstudio/customspeech``; for custom voice the reference names
    none, so only the ids are listed.
    """
    if not resources:
        return []
    speech = any("/speechtotext/" in (r.url or "") for r in resources)
    ids = "; ".join(
        f"{md_text(r.kind)} `{r.id}`" + (f" ({md_text(r.display_name)})" if r.display_name else "")
        for r in resources
        if "`" not in r.id
    )
    head = (
        f"In a browser: open {md_link('Speech Studio: Custom speech', SPEECH_STUDIO_CUSTOM_SPEECH)},"
        " choose this Speech resource and the project, and look for"
        if speech
        else "In a browser: Speech Studio, Custom voice, choose this Speech resource and look for"
    )
    return [
        f"The *{API_LINK_TEXT}* links answer only a request that carries the Speech resource key "
        "(a browser gets 401 Unauthorized).",
        "",
        f"{head}: {ids}.",
        "",
    ]


__all__ = [
    "API_LINK_TEXT",
    "MAX_TABLE_ROWS",
    "SPEECH_STUDIO_CUSTOM_SPEECH",
    "LiveProgress",
    "artifact_key",
    "link",
    "markdown",
    "md_code",
    "md_link",
    "md_table",
    "md_text",
    "md_url",
    "render_report",
    "validation_table",
    "where_to_look",
]
