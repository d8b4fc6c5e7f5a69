"""Tasks on data that stays where it is in Blob Storage: its manifest (one listing) and validation.

Nothing is downloaded and nothing is uploaded: the manifest comes from the listing (name, size,
MD5 or ETag), and validation reads headers by ranged requests (see
:mod:`speechflows.storage.blob_source`). The validation is cached on the manifest hash like a
local one, so an unchanged in-place re-run costs the listing and nothing else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from prefect.logging import get_run_logger

from speechflows.datasets.errors import NothingToStageError
from speechflows.datasets.manifest import Manifest
from speechflows.location import DataLocation
from speechflows.speech.schemas.custom_voice import AzureBlobContentSource
from speechflows.storage.blob_source import (
    listed_manifest,
    resolve,
    service_url,
    validate_in_place,
)
from speechflows.tasks.artifacts import LiveProgress, validation_table
from speechflows.tasks.caching import cached_task
from speechflows.tasks.data import _outcome
from speechflows.tasks.outcomes import StageOutcome, ValidationOutcome


def blob_manifest(location: DataLocation, extensions: Sequence[str] | None = None) -> Manifest:
    """The manifest of the blobs ``location`` names, from ONE listing (nothing read).

    A plain call, not a task (like :func:`~speechflows.tasks.data.manifest_of`).

    Raises:
        NothingToStageError: the prefix is empty, or holds no file with ``extensions``.
    """
    where, manifest, listed, requests = listed_manifest(location, extensions)
    if not manifest.entries:
        wanted = sorted({e.lower() for e in extensions or ()})
        raise NothingToStageError(
            f"no {'/'.join(wanted)} blob under {where.display}/ "
            f"({listed} other blobs): the prefix holds data of another kind",
            fix="check the prefix and the data kind",
        )
    get_run_logger().info(
        "manifest of %s from %d listing request(s): %d blobs, %d bytes, hash %s (nothing read)",
        where.display,
        requests,
        len(manifest.entries),
        manifest.total_bytes,
        manifest.hash[:12],
    )
    return manifest


@cached_task(
    "Validate data in place",
    "validate {kind} in place",
    ("manifest_hash", "kind", "locale", "min_utterances", "table_key"),
    target=(),
    retried=False,
)
def validate_blobs(
    location: DataLocation,
    kind: str,
    *,
    locale: str,
    manifest_hash: str,
    min_utterances: int | None = None,
    table_key: str | None = None,
    progress_key: str | None = None,
) -> ValidationOutcome:
    """Pre-flight validation of blobs where they are (ranged reads); cached on the manifest hash."""
    where, token = resolve(location)
    bar = (
        LiveProgress(progress_key, f"validating {where.display} in place") if progress_key else None
    )

    def on_progress(done: int, total: int) -> None:
        if bar is not None:
            bar.update(done / max(1, total), f"{done} of {total} files")

    report, cost = validate_in_place(
        where, token, kind, locale=locale, min_utterances=min_utterances, progress=on_progress
    )
    outcome = _outcome(report)
    if bar is not None:
        bar.done(f"validated {outcome.files_checked} files in place")
    if table_key:
        validation_table(outcome, table_key)
    get_run_logger().info(
        "validated %s in place as %s: %d files, %d errors, %d warnings; %d ranged reads, "
        "%d bytes read of %d",
        where.display,
        kind,
        outcome.files_checked,
        outcome.error_count,
        outcome.warning_count,
        cost.read_requests,
        cost.bytes_read,
        report.total_bytes,
    )
    return outcome


def service_source(
    location: DataLocation, extensions: Sequence[str], read_deadline_minutes: float
) -> AzureBlobContentSource:
    """What the service reads the data in place from: a read + list container SAS and the prefix.

    The configured account's container gets a SAS minted for the read deadline; a user's SAS is
    passed through after the same check (r + l, expiry past the deadline).
    """
    url = service_url(location, dt.timedelta(minutes=read_deadline_minutes), container=True)
    prefix = location.blob or location.prefix_dir
    return AzureBlobContentSource(container_url=url, prefix=prefix, extensions=list(extensions))


def in_place_outcome(manifest: Manifest, location: DataLocation) -> StageOutcome:
    """What "staging" is for data read in place: nothing uploaded, nothing pruned."""
    return StageOutcome(
        container=location.container,
        prefix=location.prefix_dir,
        manifest_hash=manifest.hash,
        files=len(manifest.entries),
        uploaded_files=0,
        skipped_files=len(manifest.entries),
        uploaded_bytes=0,
        skipped_bytes=manifest.total_bytes,
        seconds=0.0,
    )


__all__ = [
    "blob_manifest",
    "in_place_outcome",
    "service_source",
    "validate_blobs",
]
