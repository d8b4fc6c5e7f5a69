"""Container and blob names that Azure Blob Storage accepts, checked before any request.

Azure's rules (learn.microsoft.com, "Naming and referencing containers, blobs, and metadata"):
containers are 3–63 characters of lowercase letters, digits and single hyphens, starting and
ending with a letter or digit; blob names are 1–1024 characters, at most 254 path segments, must
not end with a dot or a slash, and must be representable in XML 1.0 (no control characters, no
U+FFFE/U+FFFF, no lone surrogates), or listing them breaks. We also refuse what HTTP clients
rewrite silently: ``.``/``..`` segments, empty segments (``a//b``) and backslashes.

>>> blob_name("voice/ds1", "wavs/0001.wav")
'voice/ds1/wavs/0001.wav'
"""

from __future__ import annotations

import re

from speechflows.storage.errors import BlobNameError, ContainerNameError

_CONTAINER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")
_BAD_CHARS_RE = re.compile("[\x00-\x1f\x7f\ufffe\uffff\ud800-\udfff\\\\]")
MAX_BLOB_NAME = 1024
MAX_SEGMENTS = 254


def check_container_name(name: str) -> str:
    """Return ``name`` if Azure accepts it as a container name, else raise :class:`ContainerNameError`."""
    if not _CONTAINER_RE.match(name):
        raise ContainerNameError(
            f"invalid container name {name!r}: Azure needs 3-63 characters of lowercase letters, "
            "digits and single hyphens, starting and ending with a letter or digit",
            fix="choose a name such as 'speech-data': the first part of blob://<container>/<prefix> "
            "or of the URL, or SPEECHFLOWS_STORAGE_CONTAINER for staging",
        )
    return name


def blob_name_problem(name: str) -> str | None:
    """Why Azure would refuse blob name ``name``, or None when it is fine."""
    if not name:
        return "is empty"
    if len(name) > MAX_BLOB_NAME:
        return f"is {len(name)} characters long (Azure allows {MAX_BLOB_NAME})"
    bad = _BAD_CHARS_RE.search(name)
    if bad:
        return f"contains the forbidden character U+{ord(bad.group(0)):04X}"
    if name.endswith((".", "/")):
        return "ends with a dot or a slash"
    segments = name.split("/")
    if len(segments) > MAX_SEGMENTS:
        return f"has {len(segments)} path segments (Azure allows {MAX_SEGMENTS})"
    for segment in segments:
        if segment in ("", ".", ".."):
            return f"has an empty, '.' or '..' path segment ({segment!r})"
    return None


PREFIX_FIX = "use a prefix of plain path segments such as 'voice/talent-1/v1'"
FILE_NAME_FIX = "rename the file (or shorten the prefix); Azure forbids such blob names"


def _refuse_bad(name: str, what: str, fix: str) -> None:
    """Raise :class:`BlobNameError` (``what`` + the problem, and ``fix``) when ``name`` is not a
    valid blob name."""
    problem = blob_name_problem(name)
    if problem:
        raise BlobNameError(f"{what} {problem}", fix=fix)


def normalize_prefix(prefix: str) -> str:
    """Strip surrounding slashes from ``prefix`` and check it; ``""`` means the container root."""
    cleaned = prefix.strip("/")
    if cleaned:
        _refuse_bad(cleaned, f"blob prefix {prefix!r}", PREFIX_FIX)
    return cleaned


def blob_name(prefix: str, path: str) -> str:
    """The blob name of manifest ``path`` under a normalized ``prefix``; raise :class:`BlobNameError`."""
    name = f"{prefix}/{path}" if prefix else path
    _refuse_bad(name, f"file {path!r} cannot be staged: its blob name {name!r}", FILE_NAME_FIX)
    return name


def relative_name(prefix: str, name: str) -> str:
    """The path of blob ``name`` relative to a normalized ``prefix`` (inverse of :func:`blob_name`)."""
    return name[len(prefix) + 1 :] if prefix else name
