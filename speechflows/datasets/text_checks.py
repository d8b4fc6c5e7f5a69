"""Opening one text file of a dataset: its size counted, its encoding detected or a finding."""

from __future__ import annotations

from speechflows.datasets.audio_checks import READ_ERRORS, unreadable
from speechflows.datasets.report import ReportBuilder
from speechflows.datasets.sources import Source
from speechflows.datasets.textfiles import TextDecodeError, TextEncoding, detect_encoding


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
        b.add("text.encoding_invalid", name, value=str(exc))
    except READ_ERRORS as exc:
        unreadable(b, name, exc)
    return None
