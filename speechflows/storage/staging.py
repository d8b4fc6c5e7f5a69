"""Stage a manifest to ``container/prefix``: upload only what is missing or changed.

What is already there is learned from ONE listing of the prefix with metadata (one request per
5,000 blobs, not one per blob). A blob counts as staged when its size and MD5 match the manifest:
our own MD5 in metadata (``speechflowsmd5``), else the service's ``Content-MD5``. Trusting only
the listing is what makes an interrupted stage resume correctly, even when the service lost its
last writes (Azurite after ``kill -9``): nothing is remembered locally.

How files go up (measured, see benchmarks/README.md "## staging"):

* Files up to :data:`SINGLE_PUT_LIMIT` (8 MiB): one raw Put Blob over aiohttp with a SAS token,
  ``Content-MD5`` set to the manifest's MD5, so the *service* verifies that the bytes are those
  the manifest describes (400 ``Md5Mismatch`` otherwise) at no client CPU cost.
  Measured by benchmarks/staging.py (1,000 × 300 KB, 2 shared cores): 0.6–1.0 ms of client
  CPU per file, against 2.2–3.0 ms for the aio SDK and 2.1–3.5 ms for the sync SDK, and it
  keeps up with raw PUTs at Azurite's ceiling. Against real Azure, where the service is not the
  ceiling, client CPU per file is what bounds throughput.
* Larger files (zip archives up to and beyond 2 GB): Put Block in :data:`BLOCK_SIZE` blocks,
  read from the file as they are sent (TLS guards each block in transit, as with the SDK); a shared pool of
  ``concurrency`` block buffers bounds memory to ``concurrency × BLOCK_SIZE`` (64 MiB by default)
  whatever the file count or size. The whole-file MD5 is computed while reading and compared to
  the manifest before Put Block List, so a file that changed mid-upload is never committed. The
  SDK's block upload would do the same with more CPU and no such check before the commit.

Both commit atomically (Put Blob, Put Block List): a blob is either complete or absent, never
half-written, and only blobs the service confirmed are reported as uploaded.

``prune=True`` makes the prefix mirror the manifest: blobs under ``prefix/`` that the manifest
does not name (a file deleted or renamed locally, or left out by ``force``) are deleted, learned
from the same listing, and only after every upload succeeded (a failed stage deletes nothing).
Only the exact prefix is touched (``voice/ds1/``, never ``voice/ds10/``); pruning the container
root is refused.

>>> result = stage(manifest, settings=settings, prefix="voice/ds1")   # doctest: +SKIP
>>> result.uploaded_bytes, len(result.skipped)                        # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import io
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from speechflows.datasets.errors import StagingError, UnreadableFileError
from speechflows.datasets.manifest import Manifest, ManifestEntry
from speechflows.settings import StorageSettings
from speechflows.storage.account import Account
from speechflows.storage.names import blob_name, check_container_name, normalize_prefix
from speechflows.storage.transfer import BlobTransport, RemoteBlob, blocking

SINGLE_PUT_LIMIT = 8 * 1024 * 1024
BLOCK_SIZE = 8 * 1024 * 1024
# The private write + list token never leaves this process. It lives minutes, and the transport
# mints the next one TRANSFER_TOKEN_RENEW_BEFORE ahead of expiry, so a stage of hours works while
# a token that escaped would be useless soon after.
TRANSFER_TOKEN_LIFETIME = dt.timedelta(minutes=15)
TRANSFER_TOKEN_RENEW_BEFORE = dt.timedelta(minutes=5)
_T = TypeVar("_T")


class StageResult(BaseModel):
    """What a stage did. ``uploaded``/``skipped`` are blob names; no secrets in here."""

    model_config = ConfigDict(frozen=True)

    container: str
    prefix: str
    container_url: str
    uploaded: list[str]
    skipped: list[str]
    uploaded_bytes: int
    skipped_bytes: int
    manifest_hash: str
    seconds: float
    deleted: list[str] = []
    deleted_bytes: int = 0

    @property
    def files(self) -> int:
        return len(self.uploaded) + len(self.skipped)


@dataclass(frozen=True)
class StageProgress:
    """A progress snapshot: counts and bytes done (uploaded + skipped) against the totals."""

    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int
    uploaded_files: int
    skipped_files: int
    current: str | None = None


ProgressCallback = Callable[[StageProgress], None]


class _Tally:
    def __init__(
        self, files_total: int, bytes_total: int, progress: ProgressCallback | None
    ) -> None:
        self.files_total, self.bytes_total = files_total, bytes_total
        self.progress = progress
        self.uploaded: list[str] = []
        self.skipped: list[str] = []
        self.uploaded_bytes = self.skipped_bytes = self.partial_bytes = 0

    def report(self, current: str | None = None) -> None:
        if self.progress is not None:
            self.progress(
                StageProgress(
                    files_done=len(self.uploaded) + len(self.skipped),
                    files_total=self.files_total,
                    bytes_done=self.uploaded_bytes + self.skipped_bytes + self.partial_bytes,
                    bytes_total=self.bytes_total,
                    uploaded_files=len(self.uploaded),
                    skipped_files=len(self.skipped),
                    current=current,
                )
            )


def _read(manifest: Manifest, entry: ManifestEntry) -> bytes:
    path = manifest.local_path(entry)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UnreadableFileError(
            f"cannot read {path}: {exc.strerror or exc}",
            fix="make the file readable again (or rebuild the manifest without it) and stage again",
        ) from None
    if len(data) != entry.size:
        raise UnreadableFileError(
            f"{path} changed after its manifest was built ({len(data)} bytes, manifest says {entry.size})",
            fix="rebuild the manifest (run the stage again) once the file stops changing",
        )
    return data


class _BlockBuffers:
    """Block buffers reused across blocks and files: at most one per slot in use.

    A fresh 8 MiB ``bytes`` per block left peak RSS to the allocator: the reading threads each grow
    their own malloc arena, and a 2 GB upload peaked anywhere between 180 and 480 MB. Reused
    ``bytearray`` buffers filled with ``readinto`` keep it at ``concurrency × BLOCK_SIZE`` plus the
    interpreter.
    """

    def __init__(self) -> None:
        self._free: list[bytearray] = []

    def take(self) -> bytearray:
        return self._free.pop() if self._free else bytearray(BLOCK_SIZE)

    def give(self, buf: bytearray) -> None:
        self._free.append(buf)


async def _put_blocks(
    transport: BlobTransport,
    manifest: Manifest,
    entry: ManifestEntry,
    name: str,
    slots: asyncio.Semaphore,
    buffers: _BlockBuffers,
    tally: _Tally,
) -> None:
    path = manifest.local_path(entry)
    digest = hashlib.md5()
    block_ids: list[str] = []
    tasks: list[asyncio.Task[None]] = []
    errors: list[BaseException] = []

    def read_block(fh: io.BufferedReader, buf: bytearray) -> memoryview:
        view = memoryview(buf)[: fh.readinto(buf)]
        digest.update(view)  # releases the GIL: hashing overlaps the uploads
        return view

    async def send(block_id: str, buf: bytearray, view: memoryview) -> None:
        try:
            await transport.put_block(name, block_id, view)
            tally.partial_bytes += len(view)
            tally.report(name)
        except Exception as exc:
            errors.append(exc)
        finally:
            view.release()
            buffers.give(buf)
            slots.release()

    try:
        with open(path, "rb") as fh:
            while not errors:
                await slots.acquire()
                buf = buffers.take()
                try:
                    view = await asyncio.to_thread(read_block, fh, buf)
                except BaseException:
                    buffers.give(buf)
                    slots.release()
                    raise
                if not view:
                    view.release()
                    buffers.give(buf)
                    slots.release()
                    break
                # Fixed-length ids (Azure requires equal lengths within a blob).
                block_id = base64.b64encode(f"{len(block_ids):010d}".encode()).decode("ascii")
                block_ids.append(block_id)
                tasks.append(asyncio.create_task(send(block_id, buf, view)))
        await asyncio.gather(*tasks)
    except OSError as exc:
        raise UnreadableFileError(
            f"cannot read {path}: {exc.strerror or exc}",
            fix="make the file readable again (or rebuild the manifest without it) and stage again",
        ) from None
    finally:
        for task in tasks:
            task.cancel()
    if errors:
        raise errors[0]
    if digest.hexdigest() != entry.md5:
        raise UnreadableFileError(
            f"{path} changed after its manifest was built (MD5 differs); it was not committed",
            fix="rebuild the manifest (run the stage again) once the file stops changing",
        )
    await transport.put_block_list(name, block_ids, entry.md5)


async def _run_pool(
    items: list[_T], act: Callable[[_T], Awaitable[None]], concurrency: int, tally: _Tally
) -> None:
    """Run ``act`` on every item with ``concurrency`` workers; stop at the first failure and
    raise it, naming the uploads that did complete."""
    queue: Iterator[_T] = iter(items)
    failures: list[Exception] = []

    async def worker() -> None:
        for item in queue:
            if failures:
                return
            try:
                await act(item)
            except Exception as exc:
                failures.append(exc)
                return

    await asyncio.gather(*(worker() for _ in range(min(concurrency, len(items)))))
    if failures:
        first = failures[0]
        if isinstance(first, StagingError):
            first.uploaded = tuple(tally.uploaded)  # the uploads did complete
        raise first


async def _upload_all(
    transport: BlobTransport,
    manifest: Manifest,
    todo: list[tuple[str, ManifestEntry]],
    concurrency: int,
    tally: _Tally,
) -> None:
    slots = asyncio.Semaphore(concurrency)
    buffers = _BlockBuffers()

    async def upload(item: tuple[str, ManifestEntry]) -> None:
        name, entry = item
        if entry.size <= SINGLE_PUT_LIMIT:
            await transport.put_blob(name, _read(manifest, entry), entry.md5)
        else:
            await _put_blocks(transport, manifest, entry, name, slots, buffers, tally)
            tally.partial_bytes -= entry.size
        tally.uploaded.append(name)
        tally.uploaded_bytes += entry.size
        tally.report(name)

    await _run_pool(todo, upload, concurrency, tally)


async def _delete_all(
    transport: BlobTransport, stale: list[RemoteBlob], concurrency: int, tally: _Tally
) -> list[RemoteBlob]:
    deleted: list[RemoteBlob] = []

    async def delete(blob: RemoteBlob) -> None:
        if await transport.delete_blob(blob.name):
            deleted.append(blob)

    await _run_pool(stale, delete, concurrency, tally)
    return deleted


async def stage_async(
    manifest: Manifest,
    *,
    settings: StorageSettings,
    prefix: str,
    container: str | None = None,
    concurrency: int | None = None,
    progress: ProgressCallback | None = None,
    credential: Any = None,
    prune: bool = False,
) -> StageResult:
    """Upload the files of ``manifest`` that are missing or changed under ``container/prefix``.

    Idempotent: a second call with the same manifest uploads nothing. :func:`stage` is the
    blocking form, for callers that do not run an event loop.
    With ``prune``, blobs under ``prefix/`` that the manifest does not name are deleted
    afterwards (``StageResult.deleted``), so the prefix holds exactly the manifest.

    Args:
        manifest: from :func:`speechflows.datasets.manifest.build_manifest`.
        settings: where the storage account is and how to authenticate.
        prefix: the blob "folder" (``""`` for the container root); surrounding slashes ignored.
        container: default ``settings.container``; created when missing.
        concurrency: parallel requests (and block buffers); default ``settings.max_concurrency``.
        progress: called after the listing and after every file (and block), on the I/O
            thread's event loop: it must return quickly (record the value, draw elsewhere).
        credential: an Entra ``TokenCredential`` overriding DefaultAzureCredential (use_entra).
        prune: delete stale blobs under the prefix (refused for the container root; the
            credential needs delete permission).

    Raises:
        StagingError: a typed subclass naming the problem and the fix.
    """
    started = time.monotonic()
    container = check_container_name(container or settings.container)
    prefix = normalize_prefix(prefix)
    if prune and not prefix:
        raise StagingError(
            f"refusing to prune the root of container {container!r}: every blob in it that is "
            "not in the manifest would be deleted",
            fix="stage under a prefix that belongs to this data (e.g. 'voice/talent-1'), or "
            "stage without prune",
        )
    concurrency = max(1, concurrency or settings.max_concurrency)
    wanted = {blob_name(prefix, e.path): e for e in manifest.entries}

    lifetime = TRANSFER_TOKEN_LIFETIME

    def prepare() -> tuple[Account, str]:
        account = Account.from_settings(settings, credential)
        account.ensure_container(container)
        return account, account.transfer_token(container, lifetime, delete=prune)

    account, token = await asyncio.to_thread(prepare)
    tally = _Tally(len(wanted), manifest.total_bytes, progress)
    container_url = account.container_url(container)
    renew_after = (lifetime - TRANSFER_TOKEN_RENEW_BEFORE).total_seconds()
    async with BlobTransport(
        container_url,
        token,
        concurrency=concurrency,
        renew=partial(account.transfer_token, container, lifetime, delete=prune)
        if account.can_sign()
        else None,
        renew_after=max(0.0, renew_after),
    ) as transport:
        remote = {b.name: b for b in await transport.list_blobs(f"{prefix}/" if prefix else "")}
        todo: list[tuple[str, ManifestEntry]] = []
        for name, entry in wanted.items():
            have = remote.get(name)
            if have is not None and have.size == entry.size and have.md5 == entry.md5:
                tally.skipped.append(name)
                tally.skipped_bytes += entry.size
            else:
                todo.append((name, entry))
        tally.report()
        # Largest first: a big archive starts early instead of becoming the long tail.
        todo.sort(key=lambda item: -item[1].size)
        await _upload_all(transport, manifest, todo, concurrency, tally)
        stale = [b for name, b in remote.items() if name not in wanted] if prune else []
        deleted = await _delete_all(transport, stale, concurrency, tally) if stale else []
    return StageResult(
        container=container,
        prefix=prefix,
        container_url=container_url,
        uploaded=sorted(tally.uploaded),
        skipped=sorted(tally.skipped),
        uploaded_bytes=tally.uploaded_bytes,
        skipped_bytes=tally.skipped_bytes,
        manifest_hash=manifest.hash,
        seconds=round(time.monotonic() - started, 3),
        deleted=sorted(b.name for b in deleted),
        deleted_bytes=sum(b.size for b in deleted),
    )


stage = blocking(stage_async)
"""The blocking form of :func:`stage_async` (same arguments): safe to call from a thread whose
event loop is running (it then runs on a private loop in a private thread)."""
