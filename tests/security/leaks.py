"""The leak detector: which secrets to look for, in which encodings, and what a finding looks like.

A secret can surface as itself, URL-encoded (inside a SAS URL), JSON-escaped, or as the raw
UTF-8 bytes inside a pickle. Besides the known values, two shapes are leaks whatever their value:
a SAS ``sig=`` whose value is not ``REDACTED``, and an ``AccountKey=`` with real key material.
Findings never print the secret: the excerpt shows ``<name>`` in its place.

>>> found = Secrets([Secret("speech key", "k3y-" + "x" * 12)]).scan("log", "key k3y-xxxxxxxxxxxx")
>>> [(f.where, f.what) for f in found]
[('log', 'speech key')]
"""

from __future__ import annotations

import base64
import binascii
import bz2
import gzip
import json
import lzma
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote

# sig=<value> in a URL, a log line, JSON, or URL-encoded once more (sig%3D<value>).
SIG_RE = re.compile(r"(?i)(?<![a-z0-9_])sig(?:=|%3D|\\u003d)([A-Za-z0-9%+/=]{8,})")
ACCOUNT_KEY_RE = re.compile(r"(?i)accountkey=([A-Za-z0-9%+/=]{16,})")
SHARED_KEY_RE = re.compile(r"SharedKey [A-Za-z0-9]+:([A-Za-z0-9+/=]{20,})")
REDACTED = "REDACTED"


@dataclass(frozen=True)
class Secret:
    """A secret value to look for, and the name a finding shows instead of it."""

    name: str
    value: str

    def needles(self) -> set[str]:
        """Every spelling of the value that a log, a URL, JSON or a pickle may hold."""
        v = self.value
        return {v, quote(v, safe=""), quote(v, safe="/"), quote_plus(v), json.dumps(v)[1:-1]}


@dataclass(frozen=True)
class Leak:
    """One secret (or secret-shaped value) found in one place."""

    where: str
    what: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: ...{self.excerpt}..."


@dataclass
class Secrets:
    """The secrets of one audit, and the scanner over text and bytes."""

    known: list[Secret] = field(default_factory=list)

    def add(self, name: str, value: str | None) -> None:
        # Very short values would match by chance; real keys and signatures are long.
        if value and len(value) >= 8 and all(s.value != value for s in self.known):
            self.known.append(Secret(name, value))

    def add_signature(self, value: str) -> None:
        """A SAS signature, as captured from a minted token or a wire log (URL-decoded here)."""
        self.add("SAS signature", unquote(value))

    def scan(self, where: str, data: str | bytes, *, shapes: bool = True) -> list[Leak]:
        """Every known secret (and, with ``shapes``, every secret-shaped value) in ``data``."""
        text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
        leaks: list[Leak] = []
        for secret in self.known:
            for needle in secret.needles():
                at = text.find(needle)
                if at >= 0:
                    leaks.append(Leak(where, secret.name, self._excerpt(text, at, len(needle))))
                    break
        if not shapes:
            return leaks
        for m in SIG_RE.finditer(text):
            if not m.group(1).upper().startswith(REDACTED):
                leaks.append(
                    Leak(where, "unredacted sig=", self._excerpt(text, m.start(1), len(m.group(1))))
                )
        for regex, what in (
            (ACCOUNT_KEY_RE, "AccountKey="),
            (SHARED_KEY_RE, "SharedKey signature"),
        ):
            for m in regex.finditer(text):
                if not m.group(1).upper().startswith(REDACTED):
                    leaks.append(
                        Leak(where, what, self._excerpt(text, m.start(1), len(m.group(1))))
                    )
        return leaks

    def _excerpt(self, text: str, at: int, length: int) -> str:
        out = text[max(0, at - 60) : at] + "<secret>" + text[at + length : at + length + 40]
        for secret in self.known:
            for needle in secret.needles():
                out = out.replace(needle, f"<{secret.name}>")
        return out.replace("\n", " ")


def decode_result_file(raw: bytes) -> list[tuple[str, bytes]]:
    """The layers of a Prefect result file: the file itself, then each decoded layer of its payload.

    A result file is JSON ``{"metadata": {"serializer": ...}, "result": <payload>}``, or (the
    exception of a failed state) the bare payload. With the pickle serializer the payload is
    base64 of a cloudpickle; the compressed serializer wraps that in lzma (or bz2, zlib, gzip) and
    base64 again. Layers are peeled until a pickle (or nothing decodable) is left, so a secret
    inside any layer is visible to :meth:`Secrets.scan`.
    """
    layers: list[tuple[str, bytes]] = [("file", raw)]
    data = raw  # a failed state's exception is persisted bare: base64 of its pickle
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        doc = None
    if isinstance(doc, dict) and isinstance(doc.get("result"), str):
        data = doc["result"].encode()
    elif doc is not None:
        return layers
    for depth in range(1, 6):
        peeled = _peel(data)
        if peeled is None:
            break
        how, data = peeled
        layers.append((f"payload layer {depth} ({how})", data))
    return layers


_MAGIC: tuple[tuple[bytes, str, Any], ...] = (
    (b"\xfd7zXZ\x00", "lzma", lzma.decompress),
    (b"BZh", "bz2", bz2.decompress),
    (b"\x1f\x8b", "gzip", gzip.decompress),
    (b"\x78", "zlib", zlib.decompress),
)


def _peel(data: bytes) -> tuple[str, bytes] | None:
    if data[:1] == b"\x80":  # a pickle: the innermost layer
        return None
    for magic, name, decompress in _MAGIC:
        if data.startswith(magic):
            try:
                return name, decompress(data)
            except (lzma.LZMAError, OSError, ValueError, zlib.error):
                continue  # base64 text may start with the same byte
    try:
        # Prefect's serializers use base64.encodebytes: a newline every 76 characters.
        return "base64", base64.b64decode(b"".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def files_under(root: Path) -> Iterable[Path]:
    """Every regular file below ``root`` (sorted)."""
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


__all__ = ["SIG_RE", "Leak", "Secret", "Secrets", "decode_result_file", "files_under"]
