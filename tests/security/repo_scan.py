"""Secret-shaped values in the repository: every file of every commit reachable from a ref.

Rules (each precise enough that a placeholder such as ``sig=SECRET`` is not flagged):

* a SAS ``sig=`` whose value is a real signature: base64 of 32 bytes (HMAC-SHA256), or 64 hex;
* a storage account key: base64 of 64 bytes (``AccountKey=`` or alone), except Azurite's
  well-known development key, which is public, and ``sha512-`` integrity hashes of npm;
* a Speech resource key: 32 hex digits on a line about a key, unless it is an obvious pattern
  (``0123456789abcdef`` repeated); the 84-character Azure AI services key format;
* a PEM private key, a JWT.
"""

from __future__ import annotations

import base64
import binascii
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from speechflows.dev.azurite import ACCOUNT_KEY as AZURITE_KEY

REPO = Path(__file__).resolve().parents[2]

_SIG = re.compile(r"(?i)(?<![a-z0-9_])sig(?:=|%3D)([A-Za-z0-9%+/=]{16,})")
_B64_64 = re.compile(r"(?<![A-Za-z0-9+/])([A-Za-z0-9+/]{86}==)")
_HEX32 = re.compile(r"(?<![0-9A-Za-z])([0-9a-fA-F]{32})(?![0-9A-Za-z])")
_KEY_CONTEXT = re.compile(r"(?i)key|secret|token|subscription|password|credential")
_AI_KEY = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{40,60}JQQJ99[A-Za-z0-9]{18,40})(?![A-Za-z0-9])")
_PEM = re.compile(r"-----BEGIN ([A-Z ]+ )?PRIVATE KEY-----")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{20,}")


@dataclass(frozen=True)
class Finding:
    """A secret-shaped value at ``path:line`` (value never shown in full)."""

    path: str
    line: int
    rule: str
    shown: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule} ({self.shown})"


def _b64_len(value: str) -> int | None:
    try:
        return len(base64.b64decode(value, validate=True))
    except (binascii.Error, ValueError):
        return None


def _periodic(value: str) -> bool:
    v = value.lower()
    return any(len(v) % k == 0 and v == v[:k] * (len(v) // k) for k in range(1, 17))


def _mask(value: str) -> str:
    return f"{value[:4]}…{len(value)} chars"


def scan_text(path: str, text: str) -> list[Finding]:
    """Secret-shaped values in one file's text."""
    found: list[Finding] = []
    for number, line in enumerate(text.splitlines(), 1):
        for m in _SIG.finditer(line):
            raw = unquote(m.group(1))
            if _b64_len(raw) == 32 or re.fullmatch(r"[0-9a-fA-F]{64}", raw):
                found.append(Finding(path, number, "SAS signature", _mask(raw)))
        for m in _B64_64.finditer(line):
            value = m.group(1)
            if (
                value != AZURITE_KEY
                and _b64_len(value) == 64
                and not line[: m.start()].endswith("sha512-")
            ):
                found.append(Finding(path, number, "storage account key", _mask(value)))
        if _KEY_CONTEXT.search(line):
            for m in _HEX32.finditer(line):
                if not _periodic(m.group(1)) and len(set(m.group(1).lower())) >= 8:
                    found.append(Finding(path, number, "Speech key (32 hex)", _mask(m.group(1))))
        for regex, rule in (
            (_AI_KEY, "Azure AI services key"),
            (_PEM, "private key"),
            (_JWT, "JWT"),
        ):
            for m in regex.finditer(line):
                found.append(Finding(path, number, rule, _mask(m.group(0))))
    return found


def reachable_blobs(repo: Path = REPO) -> Iterator[tuple[str, bytes]]:
    """(path, content) of every file version in every commit reachable from any ref."""
    listing = subprocess.run(
        ["git", "rev-list", "--objects", "--all"],
        cwd=repo,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    paths: dict[str, str] = {}
    for row in listing.splitlines():
        sha, _, path = row.partition(" ")
        if path:
            paths.setdefault(sha, path)
    batch = subprocess.run(
        ["git", "cat-file", "--batch"],
        cwd=repo,
        input="\n".join(paths).encode() + b"\n",
        capture_output=True,
        check=True,
    ).stdout
    at = 0
    while at < len(batch):
        end = batch.index(b"\n", at)
        sha, kind, size = batch[at:end].decode().split(" ")
        start = end + 1
        content = batch[start : start + int(size)]
        at = start + int(size) + 1
        if kind == "blob":
            yield paths[sha], content


def scan_repository(repo: Path = REPO) -> tuple[int, list[Finding]]:
    """(number of text files scanned, findings) over :func:`reachable_blobs`."""
    scanned = 0
    found: list[Finding] = []
    for path, content in reachable_blobs(repo):
        if b"\0" in content:
            continue  # binary (audio samples, images)
        scanned += 1
        found.extend(scan_text(path, content.decode("utf-8", "replace")))
    return scanned, sorted(set(found), key=str)


__all__ = ["REPO", "Finding", "reachable_blobs", "scan_repository", "scan_text"]
