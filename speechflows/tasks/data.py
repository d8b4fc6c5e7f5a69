"""Tasks on local data: manifest, pre-flight validation, packaging, staging to Blob.

The manifest hash is the cache key of the validation (pure, offline work on content). Staging is
not cached: one listing of the prefix (names, sizes, Content-MD5) decides what to upload, so an
unchanged folder uploads nothing, a changed file uploads only that file, and blobs lost or changed
behind our back are staged again. Staging prunes: the prefix belongs to the onboarding, so a file
deleted or renamed locally disappears from it too (else the service would still import it).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task
from prefect.logging import get_run_logger

from speechflows.datasets import build_zip, validate
from speechflows.datasets.manifest import Manifest, build_manifest
from speechflows.settings import load_storage_settings
from speechflows.storage import stage
from speechflows.tasks.artifacts import LiveProgress, validation_table
from speechflows.tasks.caching import cached_task
from speechflows.tasks.locks import resource_lock
from speechflows.tasks.outcomes import StageOutcome, ValidationOutcome
from speechflows.tasks.retries import retry_options

# What each kind stages (the service filters the container listing by these extensions too).
AUDIO_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "AudioAndScript": (".wav",),
    "LongAudio": (".wav", ".mp3"),
    "AudioOnly": (".wav", ".mp3"),
}
SCRIPT_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "AudioAndScript": (".txt",),
    "LongAudio": (".txt",),
}
PROMPT_EXTENSIONS = (".wav", ".mp3")
TEXT_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "Language": (".txt",),
    "Pronunciation": (".txt",),
    "LanguageMarkdown": (".md",),
    "OutputFormatting": (".md", ".txt"),  # the accepted sample rule file is a .txt
}
WORK_DIR = Path(".speechflows/packages")


class DataError(ValueError):
    """Local data cannot be onboarded as asked (the message names the path and the fix)."""


def extensions_for(kind: str) -> tuple[str, ...]:
    """Every extension a professional-voice kind stages."""
    return AUDIO_EXTENSIONS.get(kind, ()) + SCRIPT_EXTENSIONS.get(kind, ())


def manifest_of(path: Path, extensions: Sequence[str] | None = None) -> Manifest:
    """Paths, sizes and MD5s of the data under ``path`` (hashes reused by (path, size, mtime)).

    A plain call, not a task: it is local, quick (~12 ms for 1,000 files with the hash cache)
    and neither cached nor retried, so a task run would only add Prefect overhead (and server
    writes) to every re-run. Its figures are logged.
    """
    manifest = build_manifest(Path(path), extensions=list(extensions) if extensions else None)
    get_run_logger().info(
        "manifest of %s: %d files, %d bytes, hash %s",
        path,
        len(manifest.entries),
        manifest.total_bytes,
        manifest.hash[:12],
    )
    return manifest


def restrict(manifest: Manifest, drop: Sequence[str]) -> Manifest:
    """The manifest without the files in ``drop`` (posix paths relative to its root)."""
    gone = set(drop)
    return manifest.model_copy(
        update={"entries": tuple(e for e in manifest.entries if e.path not in gone)}
    )


def _outcome(report: Any) -> ValidationOutcome:
    return ValidationOutcome(
        kind=str(report.kind),
        locale=str(report.locale),
        files_checked=int(report.files_checked),
        accepted_files=[str(f) for f in report.accepted_files],
        rejected_files=[str(f) for f in report.rejected_files],
        utterance_count=int(report.utterance_count),
        rejected_count=int(report.rejected_count),
        total_audio_seconds=float(report.total_audio_seconds),
        error_count=int(report.error_count),
        warning_count=int(report.warning_count),
        counts_by_code=dict(report.counts_by_code()),
        rows=list(report.to_rows()),
        text=str(report.to_text()),
    )


@cached_task(
    "Validate data",
    "validate {kind} {path}",
    ("manifest_hash", "kind", "locale", "min_utterances", "table_key"),
    target=(),
    retried=False,
)
def validate_data(
    path: Path,
    kind: str,
    *,
    locale: str,
    manifest_hash: str,
    min_utterances: int | None = None,
    table_key: str | None = None,
) -> ValidationOutcome:
    """Pre-flight validation (pure, offline); cached on the manifest hash.

    The findings table artifact (``table_key``) is written when the validation is computed: a
    cache hit (same content, same key) leaves the identical table already under that key alone,
    which spares an unchanged re-run an API write.

    Example:
        >>> validate_data(Path("data/jess"), "AudioAndScript", locale="en-US",
        ...               manifest_hash=m.hash)                       # doctest: +SKIP
    """
    report = validate(Path(path), kind, locale=locale, min_utterances=min_utterances)
    outcome = _outcome(report)
    if table_key:
        validation_table(outcome, table_key)
    get_run_logger().info(
        "validated %s as %s: %d files, %d accepted utterances, %d errors, %d warnings",
        path,
        kind,
        outcome.files_checked,
        outcome.utterance_count,
        outcome.error_count,
        outcome.warning_count,
    )
    return outcome


@task(name="Package dataset", task_run_name="package {path}")
def package_dataset(
    path: Path, kind: str, drop: Sequence[str] = (), work_dir: Path = WORK_DIR
) -> Path:
    """The single file custom speech imports: a deterministic zip for Acoustic/AudioFiles, else the file.

    ``drop`` names files to leave out (``force`` with validation errors).
    """
    src = Path(path)
    log = get_run_logger()
    if kind in ("Acoustic", "AudioFiles"):
        if src.is_file():
            if src.suffix.lower() != ".zip":
                raise DataError(f"{src}: a {kind} dataset is a folder or a .zip of wav files")
            if drop:
                log.warning("%s: force cannot filter inside a given zip; uploading it whole", src)
            return src
        if not src.is_dir():
            raise DataError(f"{src}: no such folder (a {kind} dataset is a folder or a .zip)")
        work_dir.mkdir(parents=True, exist_ok=True)
        source = src
        tmp: Path | None = None
        if drop:
            # Copy the kept files aside, so the zip holds exactly the valid ones.
            tmp = Path(tempfile.mkdtemp(prefix="sf-pack-", dir=work_dir))
            gone = set(drop)
            for f in sorted(src.rglob("*")):
                rel = f.relative_to(src).as_posix()
                if f.is_file() and rel not in gone:
                    (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(f, tmp / rel)
            source = tmp
        try:
            staged = build_zip(source, work_dir / f"{_safe(src.name)}-{kind.lower()}.zip")
        finally:
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)
        log.info("packaged %s into %s (%d bytes)", src, staged, staged.stat().st_size)
        return staged
    if src.is_dir():
        exts = TEXT_EXTENSIONS.get(kind, ())
        files = sorted(f for f in src.iterdir() if f.is_file() and f.suffix.lower() in exts)
        if len(files) != 1:
            raise DataError(
                f"{src}: a {kind} dataset is ONE {'/'.join(exts)} file; found {len(files)} "
                "(give the file's path instead of the folder)"
            )
        return files[0]
    if not src.is_file():
        raise DataError(f"{src}: no such file")
    return src


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in name) or "data"


@task(
    name="Stage to Blob",
    task_run_name="stage {prefix}",
    **retry_options(),
)
def stage_data(
    manifest: Manifest,
    *,
    manifest_hash: str,
    prefix: str,
    container: str | None = None,
    prune: bool = True,
    progress_key: str | None = None,
) -> StageOutcome:
    """Make ``prefix`` hold the manifest: upload missing or changed files, delete stale blobs.

    Not cached: :func:`~speechflows.storage.stage` decides from ONE listing of the prefix
    (names, sizes, Content-MD5) what is missing, changed or stale, so a complete prefix costs
    one listing and no upload, and blobs lost behind our back are staged again. A cached result
    would trust a record instead of the container. ``manifest_hash`` must be ``manifest.hash``.

    The work runs under the per-name lock of ``container/prefix`` (held on the Prefect server),
    so identical runs started together stage the prefix once: the later ones wait, then find it
    complete by their one listing and upload nothing.
    """
    if manifest_hash != manifest.hash:
        raise ValueError("stage_data: manifest_hash does not match the manifest")
    settings = load_storage_settings()
    log = get_run_logger()
    bar = (
        LiveProgress(progress_key, f"staging {len(manifest.entries)} files to {prefix}")
        if progress_key
        else None
    )
    total_bytes = max(1, manifest.total_bytes)

    def on_progress(p: Any) -> None:
        if bar is None:
            return
        done = getattr(p, "bytes_done", None)
        if done is None:
            done = getattr(p, "uploaded_bytes", 0) + getattr(p, "skipped_bytes", 0)
        files = getattr(p, "files_done", None)
        bar.update(
            float(done) / total_bytes, f"{files if files is not None else '?'} files, {done} bytes"
        )

    started = time.monotonic()
    with resource_lock("stage", container or settings.container, prefix.strip("/")):
        result = stage(
            manifest,
            settings=settings,
            prefix=prefix,
            container=container,
            progress=on_progress,
            prune=prune,
        )
    seconds = time.monotonic() - started
    if bar is not None:
        bar.done(
            f"staged: {len(result.uploaded)} uploaded, {len(result.skipped)} unchanged, "
            f"{len(result.deleted)} stale deleted"
        )
    log.info(
        "staged %s to %s/%s: %d uploaded (%d bytes), %d unchanged, %d stale deleted, %.2f s",
        manifest.location or manifest.root,
        result.container,
        prefix,
        len(result.uploaded),
        result.uploaded_bytes,
        len(result.skipped),
        len(result.deleted),
        seconds,
    )
    if result.deleted:
        log.info("deleted stale blobs (not in the manifest): %s", ", ".join(result.deleted[:20]))
    return StageOutcome(
        container=result.container,
        prefix=prefix,
        manifest_hash=manifest.hash,
        files=len(manifest.entries),
        uploaded_files=len(result.uploaded),
        skipped_files=len(result.skipped),
        uploaded_bytes=result.uploaded_bytes,
        skipped_bytes=result.skipped_bytes,
        seconds=round(seconds, 3),
        deleted_files=len(result.deleted),
        deleted_bytes=result.deleted_bytes,
        deleted=result.deleted[:100],
    )


__all__ = [
    "AUDIO_EXTENSIONS",
    "PROMPT_EXTENSIONS",
    "SCRIPT_EXTENSIONS",
    "TEXT_EXTENSIONS",
    "DataError",
    "extensions_for",
    "manifest_of",
    "package_dataset",
    "restrict",
    "stage_data",
    "validate_data",
]
