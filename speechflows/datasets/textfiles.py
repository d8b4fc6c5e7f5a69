"""Reading script and text files in the encodings Azure accepts.

Detection reads the file once, incrementally (bounded memory): BOM first (UTF-8, UTF-16 LE/BE),
then UTF-16 without BOM (NUL bytes in every other position), then strict UTF-8, then, where the
kind allows it, ANSI read as Windows-1252. Lines are then streamed with universal newlines, so
LF, CRLF and CR files read the same.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class TextEncoding:
    """How a text file is encoded.

    Attributes:
        codec: the Python codec that reads it (BOM stripped).
        label: how to call it in a finding ("UTF-8 with BOM", "UTF-16 LE", "ANSI", …).
        bom: the file starts with a byte order mark.
        ascii: every byte is below 0x80 (no BOM).
    """

    codec: str
    label: str
    bom: bool
    ascii: bool = False


class TextDecodeError(ValueError):
    """The bytes are not text in any accepted encoding; ``str()`` says where and why."""


def detect_encoding(
    open_: Callable[[], BinaryIO], *, allow_ansi: bool = False, allow_utf16: bool = True
) -> TextEncoding:
    """Detect the encoding of the file opened by ``open_`` (read fully, chunk by chunk).

    Raises:
        TextDecodeError: binary data, or bytes invalid in the detected encoding.
    """
    with open_() as f:
        head = f.read(4096)
    if head.startswith(codecs.BOM_UTF8):
        enc = TextEncoding("utf-8-sig", "UTF-8 with BOM", True)
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and allow_utf16:
        le = head.startswith(codecs.BOM_UTF16_LE)
        enc = TextEncoding("utf-16", "UTF-16 LE" if le else "UTF-16 BE", True)
    elif b"\x00" in head:
        even, odd = head[0::2].count(0), head[1::2].count(0)
        if (
            allow_utf16
            and len(head) >= 2
            and max(even, odd) > len(head) // 4
            and min(even, odd) == 0
        ):
            enc = TextEncoding(
                "utf-16-le" if odd else "utf-16-be",
                "UTF-16 LE (no BOM)" if odd else "UTF-16 BE (no BOM)",
                False,
            )
        else:
            raise TextDecodeError(f"binary data (NUL byte at offset {head.index(0)})")
    else:
        enc = TextEncoding("utf-8", "UTF-8", False)
    offset = _first_error(open_, enc.codec)
    if offset is None:
        if enc.codec == "utf-8" and _all_ascii(open_):
            return TextEncoding("utf-8", "ASCII", False, ascii=True)
        return enc
    if enc.codec == "utf-8" and allow_ansi and _first_error(open_, "cp1252") is None:
        return TextEncoding("cp1252", "ANSI (Windows-1252)", False)
    raise TextDecodeError(f"invalid {enc.label} at byte {offset}")


def _first_error(open_: Callable[[], BinaryIO], codec: str) -> int | None:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    done = 0
    with open_() as f:
        while True:
            chunk = f.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                bom = 3 if codec == "utf-8-sig" and not done else 0  # consumed, not counted
                return done + bom + max(exc.start, 0)
            if not chunk:
                return None
            done += len(chunk)


def _all_ascii(open_: Callable[[], BinaryIO]) -> bool:
    with open_() as f:
        while chunk := f.read(_CHUNK):
            if not chunk.isascii():
                return False
    return True


def iter_lines(f: BinaryIO, encoding: TextEncoding) -> Iterator[tuple[int, str]]:
    """Yield ``(line_number, text)`` without the line ending, numbered from 1."""
    text = io.TextIOWrapper(f, encoding=encoding.codec, newline=None)
    for number, line in enumerate(text, 1):
        yield number, line[:-1] if line.endswith("\n") else line
