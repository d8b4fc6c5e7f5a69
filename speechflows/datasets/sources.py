"""Where a dataset's files come from: a folder, a single file, or a .zip archive.

Every source lists posix paths relative to its root (sorted, so findings come out in a stable
order) and opens them for reading; validators never care which kind of source they read.
"""

from __future__ import annotations

import errno
import os
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Protocol


class Source(Protocol):
    """The files of a dataset."""

    def names(self) -> list[str]:
        """Sorted posix paths of the files, relative to the root."""
        ...

    def open(self, name: str) -> BinaryIO:
        """Open ``name`` for binary reading (the caller closes it)."""
        ...

    def size(self, name: str) -> int:
        """Size of ``name`` in bytes."""
        ...

    def total_bytes(self) -> int:
        """Size of the dataset as uploaded (the archive size for a zip)."""
        ...


def is_symlink_loop(exc: BaseException) -> bool:
    """True when ``exc`` is "too many levels of symbolic links" (a link pointing back to itself)."""
    return isinstance(exc, OSError) and exc.errno == errno.ELOOP


class FolderSource:
    """All regular files below a folder (symlinked files included, folders not followed).

    Symbolic link loops are not files: they are left out of :meth:`names` and listed in
    :attr:`loops` (relative path → absolute path), for the validator to report.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._root = str(root)
        self._names: list[str] | None = None
        self.loops: dict[str, str] = {}

    def names(self) -> list[str]:
        if self._names is None:
            found: list[str] = []
            self._walk(self._root, "", found)
            found.sort()
            self._names = found
        return self._names

    def _walk(self, path: str, prefix: str, out: list[str]) -> None:
        with os.scandir(path) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    self._walk(entry.path, f"{prefix}{entry.name}/", out)
                else:
                    try:
                        regular = entry.is_file()
                    except OSError as exc:
                        if not is_symlink_loop(exc):
                            raise
                        self.loops[prefix + entry.name] = entry.path
                        continue
                    if regular:
                        out.append(prefix + entry.name)

    def open(self, name: str) -> BinaryIO:
        return open(os.path.join(self._root, name), "rb")

    def size(self, name: str) -> int:
        return os.stat(os.path.join(self._root, name)).st_size

    def total_bytes(self) -> int:
        return sum(self.size(n) for n in self.names())


class FileSource:
    """One file, named by its base name."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def names(self) -> list[str]:
        return [self.path.name]

    def open(self, name: str) -> BinaryIO:
        return open(self.path, "rb")

    def size(self, name: str) -> int:
        return self.path.stat().st_size

    def total_bytes(self) -> int:
        return self.path.stat().st_size


class ZipSource:
    """The members of a zip archive (directories left out)."""

    def __init__(self, path: Path | BinaryIO, size: int | None = None) -> None:
        """``path``: the archive, or a seekable binary file of it (then ``size`` is its size)."""
        self.path = path
        self._size = size
        self._zip = zipfile.ZipFile(path)
        self._infos = {i.filename: i for i in self._zip.infolist() if not i.is_dir()}

    def names(self) -> list[str]:
        return sorted(self._infos)

    def open(self, name: str) -> BinaryIO:
        return self._zip.open(self._infos[name])  # type: ignore[return-value]

    def size(self, name: str) -> int:
        return self._infos[name].file_size

    def total_bytes(self) -> int:
        if self._size is not None or not isinstance(self.path, Path):
            return self._size or 0
        return self.path.stat().st_size

    def close(self) -> None:
        self._zip.close()


@contextmanager
def open_source(path: Path) -> Iterator[Source]:
    """Open ``path`` as a source.

    Raises:
        FileNotFoundError: nothing at ``path``.
        zipfile.BadZipFile: a ``.zip`` that is not a readable archive.
    """
    if path.is_dir():
        yield FolderSource(path)
    elif not path.exists():
        if path.is_symlink():
            os.stat(path)  # a link loop raises ELOOP here (a dangling link: FileNotFoundError)
        raise FileNotFoundError(str(path))
    elif path.suffix.lower() == ".zip":
        src = ZipSource(path)
        try:
            yield src
        finally:
            src.close()
    else:
        yield FileSource(path)


def suffix(name: str) -> str:
    """Lower-case extension of a posix path (``".wav"``)."""
    base = name.rsplit("/", 1)[-1]
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def base_name(name: str) -> str:
    """Last component of a posix path."""
    return name.rsplit("/", 1)[-1]


def stem(name: str) -> str:
    """Base name without its extension."""
    return PurePosixPath(name).stem
