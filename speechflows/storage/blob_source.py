"""Data read where it lives in Blob Storage: a Source of ranged reads over a DataLocation.

The location itself (what the user typed, parsed once) is a :class:`~speechflows.location.
DataLocation`; this module does what needs the storage account: :func:`resolve` fills in the
account and a read + list token, :func:`list_location` lists it once, :func:`open_location` and
:func:`validate_in_place` read it in place, :func:`manifest_of_blobs` is its manifest, and
:func:`service_url` is the URL the Speech service reads it from.

:class:`BlobSource` is a :class:`~speechflows.datasets.sources.Source` over the blobs one listing
found: the validators read it exactly as they read a folder, and each ``open`` returns a file
whose reads are ranged Get Blob requests. Audio is never downloaded: the first 4 KiB of the next
files are fetched ahead, concurrently (the RIFF/MPEG header probe reads 4 KiB and seeks to a
later chunk only when the header needs it); text files (scripts, transcripts) are read whole,
once; a zip is read through its central directory. Memory stays bounded by the read-ahead window,
whatever the number of blobs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from speechflows.datasets.errors import NothingToStageError
from speechflows.datasets.manifest import Manifest, ManifestEntry
from speechflows.datasets.report import ValidationReport
from speechflows.datasets.sources import Source, ZipSource, suffix
from speechflows.datasets.validator import validate_source
from speechflows.location import DataLocation
from speechflows.redaction import register_secret
from speechflows.settings import StorageSettings, load_storage_settings
from speechflows.storage.account import Account
from speechflows.storage.sas import blob_sas_url, container_sas_url
from speechflows.storage.transfer import BlobTransport, RemoteBlob

T = TypeVar("T")
HEAD_BYTES = 4096  # what the audio probe reads first (datasets.audio._HEAD)
MIN_FETCH = 4096  # smallest ranged read (a zip's 30-byte local header costs one request)
WHOLE_LIMIT = 8 << 20  # text files up to this size are read in one request
TEXT_CHUNK = 1 << 20  # text files above WHOLE_LIMIT are read in chunks of this size
WHOLE_CACHE = 16 << 20  # text files read whole are kept (validators open a script 3 times)
READ_AHEAD = 64  # files whose head is fetched ahead of the validator
_TEXT_SUFFIXES = frozenset({".txt", ".tsv", ".md", ".csv"})
_LISTING_PAGE = 5000


def resolve(
    location: DataLocation,
    settings: StorageSettings | None = None,
    *,
    lifetime: dt.timedelta = dt.timedelta(hours=1),
    credential: Any = None,
) -> tuple[DataLocation, str]:
    """The location with its account's URL, and a read + list token for it.

    A user's SAS is used as given; for the configured account (``settings``, loaded from the
    environment when not given) a container SAS (read + list) is minted (or the settings' own
    SAS is used).

    Raises:
        SettingsError: ``blob://`` and no storage settings in the environment.
    """
    if location.sas is not None:
        return location, location.sas
    account = Account.from_settings(settings or load_storage_settings(), credential)
    if account.account_key is None and account.credential is None and account.sas_token:
        token = account.sas_token
    else:
        token = account.sas_token_for(location.container, "rl", lifetime)
    register_secret(token)
    return replace(location, service_url=account.service_url), token


def service_url(
    location: DataLocation,
    read_deadline: dt.timedelta,
    *,
    container: bool = False,
    settings: StorageSettings | None = None,
) -> str:
    """The URL (with its SAS) the Speech service reads ``location`` from until ``read_deadline``.

    A user's SAS is passed through once :meth:`~speechflows.location.DataLocation.check_sas`
    passed; for the configured account a SAS lasting past the deadline is minted: read-only on
    the one blob, or read + list on the container. ``container``: the container's URL even for
    one blob (a content source names the blob as its prefix). A secret: pass it only inside
    requests.

    Raises:
        SasError: the user's SAS lacks read (+ list) or expires before the deadline.
    """
    one_blob = location.blob is not None and not container
    if location.sas is not None:
        location.check_sas(read_deadline)
        return location.signed_url() if one_blob else replace(location, blob=None).signed_url()
    settings = settings or load_storage_settings()
    if one_blob:
        assert location.blob is not None
        return blob_sas_url(
            settings, location.container, location.blob, read_deadline=read_deadline
        )
    return container_sas_url(
        settings, location.container, permissions="rl", read_deadline=read_deadline
    )


class _Loop:
    """A private event loop on a daemon thread: sync callers submit coroutines to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def submit(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.submit(coro).result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class BlobReader:
    """Ranged reads and listings of one container through a SAS, from sync code.

    Counts what it asks: ``list_requests``, ``read_requests`` and ``bytes_read``.
    """

    def __init__(self, container_url: str, token: str, *, concurrency: int = 32) -> None:
        self._loop = _Loop()
        self._transport = BlobTransport(container_url, token, concurrency=concurrency)
        self._slots = asyncio.Semaphore(concurrency)
        self._lock = threading.Lock()
        self._pending: set[concurrent.futures.Future[bytes]] = set()
        self.list_requests = 0
        self.read_requests = 0
        self.bytes_read = 0

    def __enter__(self) -> BlobReader:
        self._loop.run(self._transport.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        for future in list(self._pending):
            future.cancel()  # read-ahead nobody will open
        try:
            self._loop.run(self._transport.__aexit__(None, None, None))
        finally:
            self._loop.close()

    def list(self, prefix: str) -> list[RemoteBlob]:
        blobs = self._loop.run(self._transport.list_blobs(prefix))
        self.list_requests += 1 + len(blobs) // _LISTING_PAGE
        return blobs

    async def _read(self, blob: str, start: int, length: int) -> bytes:
        async with self._slots:
            body = await self._transport.get_range(blob, start, length)
        with self._lock:
            self.read_requests += 1
            self.bytes_read += len(body)
        return body

    def read(self, blob: str, start: int, length: int) -> bytes:
        return self._loop.run(self._read(blob, start, length))

    def read_ahead(self, blob: str, start: int, length: int) -> concurrent.futures.Future[bytes]:
        future = self._loop.submit(self._read(blob, start, length))
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)
        return future


class RangeFile(io.RawIOBase):
    """A read-only, seekable file over one blob; every read beyond what it holds is a ranged GET.

    ``head`` holds bytes already fetched from offset 0; ``whole`` makes the first read fetch the
    entire blob in one request (text files).
    """

    def __init__(
        self,
        reader: BlobReader,
        blob: str,
        size: int,
        *,
        head: bytes = b"",
        whole: bool = False,
        on_whole: Any = None,
    ) -> None:
        super().__init__()
        self.name = blob
        self._reader, self._blob, self._size = reader, blob, size
        self._buf, self._buf_at, self._pos = head, 0, 0
        self._whole = whole and size <= WHOLE_LIMIT
        self._chunk = TEXT_CHUNK if whole else MIN_FETCH  # a big text file: 1 MiB per request
        self._on_whole = on_whole

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def _fill(self, want: int) -> None:
        """Make the buffer cover ``[pos, pos + want)`` as far as the blob goes."""
        end = min(self._size, self._pos + want)
        if self._buf_at <= self._pos and end <= self._buf_at + len(self._buf):
            return
        if self._whole:
            self._buf, self._buf_at = self._reader.read(self._blob, 0, self._size), 0
            if self._on_whole is not None:
                self._on_whole(self._buf)
            return
        length = min(self._size - self._pos, max(want, self._chunk))
        self._buf, self._buf_at = self._reader.read(self._blob, self._pos, length), self._pos

    def read(self, size: int | None = -1) -> bytes:
        if self._pos >= self._size:
            return b""
        want = self._size - self._pos if size is None or size < 0 else size
        self._fill(want)
        rel = self._pos - self._buf_at
        out = bytes(self._buf[rel : rel + want])
        self._pos += len(out)
        return out

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


class BlobSource:
    """The blobs under a prefix as a :class:`Source`: names relative to the prefix, read in place."""

    def __init__(self, reader: BlobReader, prefix: str, blobs: list[RemoteBlob]) -> None:
        self._reader = reader
        cut = len(prefix) + 1 if prefix else 0
        self._blobs = {b.name[cut:]: b for b in blobs}
        self._names = sorted(self._blobs)
        self._index = {n: i for i, n in enumerate(self._names)}
        self._ahead: dict[str, concurrent.futures.Future[bytes]] = {}
        self._scheduled = 0  # names below this index were read ahead (or skipped)
        self._texts: OrderedDict[str, bytes] = OrderedDict()
        self._text_bytes = 0
        self._read_ahead(-1)  # the first heads are on their way while the validator starts

    def names(self) -> list[str]:
        return self._names

    def size(self, name: str) -> int:
        return self._blobs[name].size

    def total_bytes(self) -> int:
        return sum(b.size for b in self._blobs.values())

    def blob(self, name: str) -> RemoteBlob:
        return self._blobs[name]

    def _read_ahead(self, index: int) -> None:
        """Fetch the heads of the files after ``index`` (the validators read in name order)."""
        start = max(self._scheduled, index + 1)
        stop = min(len(self._names), index + 1 + READ_AHEAD)
        for i in range(start, stop):
            name = self._names[i]
            blob = self._blobs[name]
            if blob.size and suffix(name) not in _TEXT_SUFFIXES:
                self._ahead[name] = self._reader.read_ahead(
                    blob.name, 0, min(blob.size, HEAD_BYTES)
                )
        self._scheduled = max(self._scheduled, stop)
        for gone in [n for n in self._ahead if self._index[n] < index - READ_AHEAD]:
            self._ahead.pop(gone).cancel()  # never opened: bounded memory all the same

    def _keep_text(self, name: str, data: bytes) -> None:
        if len(data) > WHOLE_CACHE // 4:
            return
        self._texts[name] = data
        self._text_bytes += len(data)
        while self._text_bytes > WHOLE_CACHE:
            _, old = self._texts.popitem(last=False)
            self._text_bytes -= len(old)

    def open(self, name: str) -> BinaryIO:
        blob = self._blobs[name]
        if name in self._texts:
            return io.BytesIO(self._texts[name])
        self._read_ahead(self._index[name])
        ahead = self._ahead.pop(name, None)
        head = ahead.result() if ahead is not None else b""
        text = suffix(name) in _TEXT_SUFFIXES
        return io.BufferedReader(
            RangeFile(
                self._reader,
                blob.name,
                blob.size,
                head=head,
                whole=text,
                on_whole=(lambda data: self._keep_text(name, data)) if text else None,
            ),
            buffer_size=MIN_FETCH,
        )


class SingleBlobSource(BlobSource):
    """One blob (not a zip) as a source of one file, named by its base name."""

    def __init__(self, reader: BlobReader, blob: RemoteBlob) -> None:
        super().__init__(reader, "", [])
        base = blob.name.rsplit("/", 1)[-1]
        self._blobs = {base: blob}
        self._names = [base]
        self._index = {base: 0}


@dataclass
class InPlace:
    """What an in-place read found and cost (for the run report and the benchmark)."""

    location: DataLocation
    blobs: list[RemoteBlob]
    reader: BlobReader

    @property
    def list_requests(self) -> int:
        return self.reader.list_requests

    @property
    def read_requests(self) -> int:
        return self.reader.read_requests

    @property
    def bytes_read(self) -> int:
        return self.reader.bytes_read


def list_location(reader: BlobReader, location: DataLocation) -> list[RemoteBlob]:
    """The blobs a location names (one listing); an empty prefix is refused with its fix."""
    if location.blob is not None:
        blobs = [b for b in reader.list(location.blob) if b.name == location.blob]
        if not blobs:
            raise NothingToStageError(
                f"no blob {location.display}",
                fix="check the container and the blob name (and that the SAS is for them)",
            )
        return blobs
    blobs = reader.list(f"{location.prefix}/" if location.prefix else "")
    if not blobs:
        raise NothingToStageError(
            f"no blob under {location.display}/ : the prefix is empty",
            fix="check the container and the prefix (upload the data there first, or give the "
            "local folder instead)",
        )
    return blobs


@contextmanager
def source_of(
    reader: BlobReader, location: DataLocation, blobs: list[RemoteBlob]
) -> Iterator[Source]:
    """The listed blobs as a :class:`Source`; a single ``.zip`` blob yields its members (read
    through its central directory; a broken archive raises ``zipfile.BadZipFile``)."""
    if location.blob is None:
        yield BlobSource(reader, location.prefix, blobs)
        return
    blob = blobs[0]
    if suffix(blob.name) != ".zip":
        yield SingleBlobSource(reader, blob)
        return
    archive = io.BufferedReader(RangeFile(reader, blob.name, blob.size), buffer_size=MIN_FETCH)
    src = ZipSource(archive, blob.size)
    try:
        yield src
    finally:
        src.close()


@contextmanager
def open_location(
    location: DataLocation, token: str, *, concurrency: int = 32
) -> Iterator[tuple[Source, InPlace]]:
    """List ``location`` once and yield it as a :class:`Source` read in place, plus the counters."""
    with BlobReader(location.container_url, token, concurrency=concurrency) as reader:
        blobs = list_location(reader, location)
        with source_of(reader, location, blobs) as src:
            yield src, InPlace(location, blobs, reader)


def validate_in_place(
    location: DataLocation,
    token: str,
    kind: str,
    *,
    locale: str = "en-US",
    min_utterances: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    concurrency: int = 32,
) -> tuple[ValidationReport, InPlace]:
    """Validate the blobs of ``location`` where they are; the report and what reading cost.

    The findings are the same as :func:`speechflows.datasets.validate` gives for the same files
    on disk (a broken zip is a ``zip.invalid`` finding, as on disk). An empty prefix raises
    :class:`NothingToStageError`, a refused listing its storage error (no report).
    """
    with BlobReader(location.container_url, token, concurrency=concurrency) as reader:
        blobs = list_location(reader, location)
        report = validate_source(
            lambda: source_of(reader, location, blobs),
            kind,
            label=location.name,
            where=location.display,
            is_zip=suffix(location.blob or "") == ".zip",
            locale=locale,
            min_utterances=min_utterances,
            progress=progress,
        )
        return report, InPlace(location, blobs, reader)


def listed_manifest(
    location: DataLocation,
    extensions: Sequence[str] | None = None,
    *,
    settings: StorageSettings | None = None,
) -> tuple[DataLocation, Manifest, int, int]:
    """The manifest of the blobs ``location`` names with one of ``extensions`` (all for one
    blob), from ONE listing; nothing is read.

    Returns:
        The resolved location, the manifest, the blobs listed and the listing requests made.
    """
    where, token = resolve(location, settings)
    with BlobReader(where.container_url, token) as reader:
        blobs = list_location(reader, where)
    wanted = {e.lower() for e in extensions} if extensions and not where.single else None
    kept = [b for b in blobs if wanted is None or suffix(b.name) in wanted]
    return where, manifest_of_blobs(where, kept), len(blobs), reader.list_requests


def manifest_of_blobs(location: DataLocation, blobs: list[RemoteBlob]) -> Manifest:
    """The manifest of listed blobs: name, size and MD5 (ours, else Content-MD5; else ETag).

    Paths are relative to the prefix (a single blob: its base name), so the hash is the same as
    for the same files staged from disk when the blobs carry their MD5.
    """
    cut = len(location.prefix) + 1 if location.prefix else 0
    entries = []
    for b in sorted(blobs, key=lambda b: b.name):
        path = b.name.rsplit("/", 1)[-1] if location.single else b.name[cut:]
        entries.append(
            ManifestEntry(path=path, size=b.size, md5=b.md5 or "", etag=None if b.md5 else b.etag)
        )
    return Manifest(
        root=Path(location.blob or location.prefix or "."),
        entries=tuple(entries),
        single_file=location.single,
        location=location.display,
    )


__all__ = [
    "BlobReader",
    "BlobSource",
    "InPlace",
    "RangeFile",
    "list_location",
    "listed_manifest",
    "manifest_of_blobs",
    "open_location",
    "resolve",
    "service_url",
    "source_of",
    "validate_in_place",
]
