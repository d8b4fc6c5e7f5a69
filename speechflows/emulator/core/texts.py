"""Text files as the service decodes them: byte order marks, encodings and line endings.

The emulator's own reading (not the product's): a BOM decides (UTF-8, UTF-16 LE/BE); without
one, UTF-16 is recognised by NUL bytes in every other position, then strict UTF-8, then, where
the kind takes it, ANSI (Windows-1252). Lines end at CR, LF or CRLF.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Decoded:
    """A decoded text file; ``text`` is None when it is not text in an accepted encoding."""

    text: str | None
    encoding: str
    bom: bool = False
    problem: str | None = None


def decode(data: bytes, *, utf16: bool, ansi: bool) -> Decoded:
    """Decode ``data`` as the service does for a kind that takes UTF-16 / ANSI or not."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8", "UTF-8 with BOM", bom=True)
    for bom, codec, label in (
        (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
    ):
        if data.startswith(bom):
            if not utf16:
                return Decoded(None, label, True, f"{label} is not accepted for this kind")
            return _strict(data[2:], codec, label, bom=True)
    head = data[:4096]
    if b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if utf16 and min(even, odd) == 0 and max(even, odd) * 4 > len(head):
            codec = "utf-16-le" if odd else "utf-16-be"
            return _strict(data, codec, codec.upper() + " (no BOM)", bom=False)
        return Decoded(None, "binary", False, f"NUL byte at offset {head.index(0)}: not text")
    utf8 = _strict(data, "utf-8", "ASCII" if data.isascii() else "UTF-8", bom=False)
    if utf8.text is None and ansi:
        return _strict(data, "cp1252", "ANSI", bom=False)
    return utf8


def _strict(data: bytes, codec: str, label: str, *, bom: bool) -> Decoded:
    try:
        return Decoded(data.decode(codec), label, bom)
    except UnicodeDecodeError as exc:
        return Decoded(None, label, bom, f"invalid {label} at byte {exc.start}")


def lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line)`` of every line, numbered from 1, line endings removed."""
    parts = _LINE_END.split(text)
    if parts and parts[-1] == "":
        parts.pop()
    return list(enumerate(parts, 1))
