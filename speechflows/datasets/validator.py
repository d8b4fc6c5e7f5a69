"""The entry point: ``validate(path, kind)`` picks the validator of the kind and runs it."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

from speechflows.datasets.kinds import DataKind
from speechflows.datasets.report import ReportBuilder, ValidationReport
from speechflows.datasets.sources import (
    FolderSource,
    Source,
    ZipSource,
    is_symlink_loop,
    open_source,
)
from speechflows.datasets.speech_audio import validate_acoustic, validate_audio_files_dataset
from speechflows.datasets.speech_text import (
    validate_formatting,
    validate_language,
    validate_markdown,
    validate_pronunciation,
)
from speechflows.datasets.voice import (
    AUDIO_ONLY,
    CONSENT,
    PROMPT,
    Options,
    Validator,
    validate_audio_and_script,
    validate_audio_files,
    validate_long_audio,
)

_VALIDATORS: dict[DataKind, Validator] = {
    DataKind.AUDIO_AND_SCRIPT: validate_audio_and_script,
    DataKind.LONG_AUDIO: validate_long_audio,
    DataKind.AUDIO_ONLY: validate_audio_files(DataKind.AUDIO_ONLY, AUDIO_ONLY, True),
    DataKind.CONSENT: validate_audio_files(DataKind.CONSENT, CONSENT, False),
    DataKind.PROMPT: validate_audio_files(DataKind.PROMPT, PROMPT, False),
    DataKind.ACOUSTIC: validate_acoustic,
    DataKind.AUDIO_FILES: validate_audio_files_dataset,
    DataKind.LANGUAGE: validate_language,
    DataKind.PRONUNCIATION: validate_pronunciation,
    DataKind.LANGUAGE_MARKDOWN: validate_markdown,
    DataKind.OUTPUT_FORMATTING: validate_formatting,
}


def validate(
    path: Path | str,
    kind: DataKind | str,
    *,
    locale: str = "en-US",
    min_utterances: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """Check a dataset against everything Azure checks, offline, before anything is uploaded.

    Args:
        path: a folder, a single file, or a ``.zip``.
        kind: the data kind (``DataKind`` or its name, e.g. ``"AudioAndScript"``).
        locale: the dataset locale; some rules depend on it (en-US ASCII, zh-CN encodings).
        min_utterances: AudioAndScript recipe minimum (default 300, 0 disables the warning).
        progress: called with ``(files_done, files_total)`` every 256 files and at the end.

    Returns:
        The report. Bad data never raises: every problem is a finding.

    Raises:
        ValueError: ``kind`` is not a data kind.

    Example:
        >>> report = validate("recordings/", "AudioAndScript")  # doctest: +SKIP
        >>> report.has_errors, report.counts_by_code()  # doctest: +SKIP
        (True, {'audio.sample_rate_too_low': 2})
    """
    path = Path(path)
    return validate_source(
        lambda: open_source(path),
        kind,
        label=path.name,
        where=str(path),
        is_zip=path.suffix.lower() == ".zip",
        locale=locale,
        min_utterances=min_utterances,
        progress=progress,
    )


def validate_source(
    open_: Callable[[], AbstractContextManager[Source]],
    kind: DataKind | str,
    *,
    label: str,
    where: str,
    is_zip: bool = False,
    locale: str = "en-US",
    min_utterances: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidationReport:
    """:func:`validate` over any :class:`Source` (e.g. blobs read in place by ranged reads).

    ``open_`` opens the source; ``label`` names the dataset in dataset-level findings (a file or
    folder name), ``where`` says where it is (no secrets: a path, or a URL without its query).
    The findings are the same as for the same files on disk.
    """
    kind = DataKind.parse(kind)
    b = ReportBuilder(kind, locale, progress)
    try:
        with open_() as src:
            _VALIDATORS[kind](src, b, Options(locale, min_utterances))
            if isinstance(src, FolderSource):
                for name, at in src.loops.items():
                    b.add("file.symlink_loop", name, value=f"symlink loop at {at}")
                    b.reject(name)
            if isinstance(src, ZipSource):
                b.report.total_bytes = src.total_bytes()
    except FileNotFoundError:
        b.add("dataset.not_found", label, value=where)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        if is_symlink_loop(exc):
            b.add("file.symlink_loop", label, value=f"symlink loop at {where}")
            b.reject(label)
            return b.build()
        b.add(
            "zip.invalid" if is_zip else "file.unreadable",
            label,
            value=f"{type(exc).__name__}: {exc}",
        )
        b.reject(label)
    return b.build()
