"""Manifest of a dataset: relative paths, sizes and MD5 content hashes — the content identity.

:attr:`Manifest.hash` (SHA-256 over the sorted ``(path, size, md5)`` triples) is the cache key
of staging and of every create downstream: same files, same bytes → same hash, wherever the
folder lives. MD5 is what Blob Storage itself uses (``Content-MD5``), so the service can verify
uploads against the manifest at no client cost.

Hashing streams each file once. Hashes are remembered in a small JSON file keyed by
``(absolute path, size, mtime_ns)``, so an unchanged folder is not re-read on the next run.
Names starting with ``.`` (files and folders) are skipped: they are editor, OS and tool droppings
(``.DS_Store``, ``.speechflows/``), never data.

>>> m = build_manifest(Path("data/voice"), extensions=[".wav", ".txt"])   # doctest: +SKIP
>>> m.hash, len(m.entries), m.total_bytes                                 # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from speechflows.datasets.errors import (
    NothingToStageError,
    SourceNotFoundError,
    UnreadableFileError,
)

DEFAULT_HASH_CACHE = Path(".speechflows/hash-cache.json")
_CACHE_VERSION = 1


class ManifestEntry(BaseModel):
    """One file: ``path`` is posix and relative to the manifest root.

    ``etag`` is set only for remote blobs whose MD5 is unknown (then ``md5`` is empty).
    """

    model_config = ConfigDict(frozen=True)

    path: str
    size: int
    md5: str
    etag: str | None = None

    @property
    def identity(self) -> str:
        """The content identity of this entry (the MD5, or the ETag when no MD5 is known)."""
        return self.md5 or f"etag:{self.etag}"


class Manifest(BaseModel):
    """The files of a dataset, sorted by path.

    Attributes:
        root: the folder, or the single file, the manifest was built from (for a remote
            manifest: the blob prefix, as a relative path).
        entries: the files, sorted by ``path``.
        single_file: true when ``root`` is one file (e.g. a zip); its entry path is its name.
        location: where the data is, for people (absolute path, or the container URL + prefix
            without any query string).
    """

    model_config = ConfigDict(frozen=True)

    root: Path
    entries: tuple[ManifestEntry, ...]
    single_file: bool = False
    location: str = ""

    @property
    def hash(self) -> str:
        """Hex SHA-256 over the sorted ``(path, size, md5)`` triples: the content identity.

        Computed on every access (about 1 µs per entry), never cached: a cached value would
        survive ``model_copy(update={"entries": ...})`` and lie.
        """
        digest = hashlib.sha256()
        for entry in sorted(self.entries, key=lambda e: e.path):
            digest.update(f"{entry.path}\0{entry.size}\0{entry.identity}\n".encode())
        return digest.hexdigest()

    @property
    def total_bytes(self) -> int:
        """Sum of the entries' sizes."""
        return sum(entry.size for entry in self.entries)

    def local_path(self, entry: ManifestEntry) -> Path:
        """The local file behind ``entry``."""
        return self.root if self.single_file else self.root / entry.path


def _normalize_extensions(extensions: Sequence[str] | None) -> frozenset[str] | None:
    if extensions is None:
        return None
    out = set()
    for ext in extensions:
        ext = ext.strip().lower()
        if ext:
            out.add(ext if ext.startswith(".") else f".{ext}")
    return frozenset(out) or None


def _walk(root: Path) -> Iterable[tuple[str, Path]]:
    """Yield ``(relative posix path, absolute path)`` of every non-hidden file, sorted."""

    def _raise(err: OSError) -> None:
        raise err

    try:
        for dirpath, dirnames, filenames in os.walk(root, onerror=_raise):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            base = Path(dirpath)
            for name in sorted(filenames):
                if not name.startswith("."):
                    path = base / name
                    yield path.relative_to(root).as_posix(), path
    except OSError as exc:
        raise UnreadableFileError(
            f"cannot list {exc.filename or root}: {exc.strerror or exc}",
            fix="make the folder readable by this user, or stage another folder",
        ) from None


class _HashCache:
    """``{absolute path: [size, mtime_ns, md5]}`` in one JSON file; unreadable → empty."""

    _lock = threading.Lock()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: dict[str, list[int | str]] = {}
        self.dirty = False
        with contextlib.suppress(OSError, ValueError, TypeError, AttributeError):
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") == _CACHE_VERSION and isinstance(data.get("files"), dict):
                self.files = data["files"]

    def get(self, key: str, size: int, mtime_ns: int) -> str | None:
        hit = self.files.get(key)
        if isinstance(hit, list) and len(hit) == 3 and hit[0] == size and hit[1] == mtime_ns:
            return str(hit[2])
        return None

    def put(self, key: str, size: int, mtime_ns: int, md5: str) -> None:
        self.files[key] = [size, mtime_ns, md5]
        self.dirty = True

    def forget_missing(self, root: Path, seen: set[str]) -> None:
        """Drop entries under ``root`` for files the walk no longer saw."""
        under = str(root) + os.sep
        gone = [k for k in self.files if k.startswith(under) and k not in seen]
        for key in gone:
            del self.files[key]
        self.dirty = self.dirty or bool(gone)

    def save(self) -> None:
        if not self.dirty:
            return
        # A cache is an optimisation: failing to write it must not fail the manifest.
        with contextlib.suppress(OSError), self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{threading.get_ident()}")
            tmp.write_text(json.dumps({"version": _CACHE_VERSION, "files": self.files}))
            os.replace(tmp, self.path)


def _md5_of(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "md5").hexdigest()
    except OSError as exc:
        raise UnreadableFileError(
            f"cannot read {path}: {exc.strerror or exc}",
            fix="make the file readable by this user, or remove it from the folder",
        ) from None


def build_manifest(
    root: Path,
    *,
    extensions: Sequence[str] | None = None,
    hash_cache: Path | None = None,
) -> Manifest:
    """Build the manifest of ``root`` (a folder, or a single file such as a zip).

    Args:
        root: the folder (walked recursively, names starting with ``.`` skipped) or one file.
        extensions: include only these extensions (case-insensitive, with or without the dot).
        hash_cache: JSON file remembering hashes by (path, size, mtime); default
            ``.speechflows/hash-cache.json`` in the working directory.

    Raises:
        SourceNotFoundError: ``root`` does not exist.
        NothingToStageError: no file matches ``extensions``.
        UnreadableFileError: a file or folder cannot be read.
    """
    root = Path(root).expanduser().absolute()
    exts = _normalize_extensions(extensions)
    wanted = ", ".join(sorted(exts)) if exts else "any extension"
    if not root.exists() and root.is_symlink():
        raise SourceNotFoundError(
            f"{root} is a symbolic link to nothing (a loop, or its target is gone)",
            fix=f"point it at the data (ln -sfn /path/to/data '{root}') or give the real path",
        )
    if not root.exists():
        raise SourceNotFoundError(
            f"{root} does not exist",
            fix="check the path: give a folder of recordings and scripts, or a single file (e.g. a .zip)",
        )
    single = root.is_file()
    files = [(root.name, root)] if single else list(_walk(root))
    seen = {str(path) for _, path in files}
    if exts is not None:
        files = [(rel, path) for rel, path in files if path.suffix.lower() in exts]
    if not files:
        # The fix names no CLI option: callers differ (only `speechflows stage` has --ext).
        raise NothingToStageError(
            f"no file in {root} matches {wanted}",
            fix=(
                f"put the dataset's files ({wanted}) into {root}, or give the folder that holds them"
                if exts is not None
                else f"{root} is empty: put the dataset's files into it, or give the folder "
                "that holds them"
            ),
        )
    cache = _HashCache(hash_cache or DEFAULT_HASH_CACHE)
    entries = []
    for rel, path in files:
        try:
            st = path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UnreadableFileError(
                    f"symlink loop at {path}: the link points back to itself",
                    fix=f"break the loop: delete the link (rm '{path}') or point it at the real "
                    f"file (ln -sfn /path/to/real/file '{path}'), then run again",
                ) from None
            raise UnreadableFileError(
                f"cannot read {path}: {exc.strerror or exc}",
                fix="fix or remove the file (a broken link?), then run again",
            ) from None
        key = str(path)
        md5 = cache.get(key, st.st_size, st.st_mtime_ns)
        if md5 is None:
            md5 = _md5_of(path)
            cache.put(key, st.st_size, st.st_mtime_ns, md5)
        entries.append(ManifestEntry(path=rel, size=st.st_size, md5=md5))
    if not single:
        cache.forget_missing(root, seen)
    cache.save()
    return Manifest(root=root, entries=tuple(entries), single_file=single, location=str(root))
