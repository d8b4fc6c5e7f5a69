"""Packaging a folder into the zip Azure expects (Acoustic, AudioFiles), byte for byte stable.

Identical input gives identical bytes, so the archive's hash is a stable cache key: members are
sorted, timestamps fixed at 1980-01-01, permissions fixed, audio stored and text deflated at a
fixed level. Files are copied in 1 MB blocks, so memory stays flat for any size.

>>> import tempfile; d = Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("x"); z1 = build_zip(d, d.parent / "z1.zip")
>>> z1.read_bytes() == build_zip(d, d.parent / "z2.zip").read_bytes()
True
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Iterable
from pathlib import Path

from speechflows.datasets.sources import FolderSource, suffix

_EPOCH = (1980, 1, 1, 0, 0, 0)
_STORED = frozenset({".wav", ".mp3", ".zip", ".flac", ".ogg"})
_ZIP64_FROM = 0x7FFFFFFF
_BLOCK = 1 << 20


def build_zip(folder: Path, dest: Path, *, files: Iterable[str] | None = None) -> Path:
    """Write the files of ``folder`` into the zip ``dest`` and return ``dest``.

    Args:
        folder: the dataset folder; member names are posix paths relative to it.
        dest: the archive to write (replaced atomically; may be inside ``folder``, it is
            never packed into itself).
        files: only these relative paths (e.g. ``report.accepted_files`` in force mode);
            default: every file below ``folder``.

    Raises:
        NotADirectoryError: ``folder`` is not a folder.
        FileNotFoundError: a name in ``files`` does not exist.
    """
    folder, dest = Path(folder), Path(dest)
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder}: build_zip packs a folder; pass the dataset folder")
    skip = _relative(dest, folder)
    names = sorted(set(files) if files is not None else FolderSource(folder).names())
    tmp = dest.with_name(f".{dest.name}.partial")
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for name in names:
                if name in (skip, _relative(tmp, folder)):
                    continue
                _add(zf, folder / name, name)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _relative(path: Path, folder: Path) -> str | None:
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix()
    except ValueError:
        return None


def _add(zf: zipfile.ZipFile, path: Path, name: str) -> None:
    size = path.stat().st_size
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.create_system = 3  # unix, whatever the host, so bytes match across machines
    info.external_attr = 0o100644 << 16
    info.file_size = size
    if suffix(name) in _STORED:
        info.compress_type = zipfile.ZIP_STORED
    else:
        info.compress_type = zipfile.ZIP_DEFLATED  # zlib's default level: stable output
    with path.open("rb") as src, zf.open(info, "w", force_zip64=size > _ZIP64_FROM) as out:
        shutil.copyfileobj(src, out, _BLOCK)
