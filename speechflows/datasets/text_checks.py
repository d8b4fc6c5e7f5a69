"""Opening one text file of a dataset: its size counted, its encoding detected or a finding."""

from __future__ import annotations

from speechflows.datasets.audio_checks import READ_ERRORS, unreadable
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source
from speechflows.datasets.textfiles import (
    TextDecodeError,
    TextEncoding,
    detect_encoding,
    encoding_fix,
)


def text_encoding(
    src: Source, name: str, b: ReportBuilder, *, allow_ansi: bool = False, allow_utf16: bool = True
) -> TextEncoding | None:
    """Count ``name``'s size in the report and detect its encoding.

    Returns ``None`` after recording ``text.encoding_invalid`` (not text in an accepted encoding)
    or ``file.unreadable`` (the folder or zip could not be read).
    """
    try:
        b.report.total_bytes += src.size(name)
        return detect_encoding(
            lambda: src.open(name), allow_ansi=allow_ansi, allow_utf16=allow_utf16
        )
    except TextDecodeError as exc:
        b.add("text.encoding_invalid", name, value=str(exc), fix=reencode_fix(src, name, b))
    except READ_ERRORS as exc:
        unreadable(b, name, exc)
    return None


def reencode_fix(src: Source, name: str, b: ReportBuilder) -> str | None:
    """The fix for a script in no accepted encoding: iconv from the encoding it reads as (``-f``),
    or, for binary data, no conversion at all. None (the rule's fix) when it cannot be read."""
    try:
        with src.open(name) as f:
            head = f.read(256 * 1024)
    except READ_ERRORS:
        return None
    return encoding_fix(head, b.report.locale)
