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


# Source encodings tried for a script that is not UTF-8 (iconv name, Python codec), in order;
# the locale's own legacy code page goes first. CJK code pages must also read as CJK text.
_LEGACY = {
    "ja": ("CP932", "cp932"),
    "zh": ("GB18030", "gb18030"),
    "ko": ("CP949", "cp949"),
}
_WESTERN = (("WINDOWS-1252", "cp1252"), ("ISO-8859-1", "latin-1"))


def _reads_as_cjk(text: str) -> bool:
    wide = [c for c in text if ord(c) > 0x7F]
    cjk = [c for c in wide if 0x3000 <= ord(c) <= 0x9FFF or 0xAC00 <= ord(c) <= 0xD7AF]
    return bool(wide) and len(cjk) * 2 >= len(wide)


def source_encoding(data: bytes, locale: str = "en-US") -> str | None:
    """The iconv name of the code page ``data`` reads as (for ``iconv -f``), or None for binary.

    >>> source_encoding("café".encode("cp1252"))
    'WINDOWS-1252'
    >>> source_encoding("日本語のテキスト".encode("cp932"))
    'CP932'
    >>> source_encoding(b"\\x00\\x01\\x02binary") is None
    True
    """
    if b"\x00" in data[:4096]:
        return None
    first = _LEGACY.get(locale.lower()[:2])
    cjk = [first] if first else []
    cjk += [c for c in _LEGACY.values() if c != first]
    for iconv_name, codec in cjk:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if _reads_as_cjk(text):
            return iconv_name
    for iconv_name, codec in _WESTERN:
        try:
            data.decode(codec)
        except UnicodeDecodeError:
            continue
        return iconv_name
    return None


def encoding_fix(data: bytes, locale: str) -> str:
    """The fix of a script in no accepted encoding: iconv from what it is, or (binary) no
    conversion at all. ``{src}``/``{dst}`` are filled by :func:`~speechflows.datasets.findings.
    fill_fix`."""
    found = source_encoding(data, locale)
    if found is None:
        return (
            "{file} is binary, not text: export the script again as UTF-8 text, or move it out "
            "of the dataset folder"
        )
    return (
        f"{{file}} reads as {found}: convert it to UTF-8 (check the result reads right): "
        f"mkdir -p {{dst_dir}} && iconv -f {found} -t UTF-8 {{src}} > {{dst}}"
    )
