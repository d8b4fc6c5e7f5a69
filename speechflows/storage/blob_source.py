"""Data read where it lives in Blob Storage: a data-source string, and a Source of ranged reads.

A data source is one string (the CLI and every onboarding take the same):

- a local folder or file (``data/jessica``, ``prompt.wav``);
- ``blob://<container>/<prefix>``: blobs in the configured storage account;
- ``https://<account>.blob.core.windows.net/<container>[/<prefix>]?<SAS>``: blobs in another
  account, read through the SAS the user gives (on loopback, Azurite's path-style
  ``http://127.0.0.1:10000/<account>/<container>/...`` too);
- a URL or ``blob://`` path naming one blob (a ``.zip``, ``.txt``, ``.md``, ``.wav`` or
  ``.mp3``, or a SAS with ``sr=b``): one file, e.g. a custom speech ``contentUrl``.

:class:`BlobSource` is a :class:`~speechflows.datasets.sources.Source` over the blobs one listing
found: the validators read it exactly as they read a folder, and each ``open`` returns a file
whose reads are ranged Get Blob requests. Audio is never downloaded: the first 4 KiB of the next
files are fetched ahead, concurrently (the RIFF/MPEG header probe reads 4 KiB and seeks to a
later chunk only when the header needs it); text files (scripts, transcripts) are read whole,
once; a zip is read through its central directory. Memory stays bounded by the read-ahead window,
whatever the number of blobs.

>>> parse_data_source("blob://speech-data/voice/jessica")
BlobLocation(service_url='', container='speech-data', prefix='voice/jessica', blob=None)
>>> parse_data_source("data/jessica")
PosixPath('data/jessica')
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

from speechflows.datasets.errors import NothingToStageError, StagingError
from speechflows.datasets.manifest import Manifest, ManifestEntry
from speechflows.datasets.report import ValidationReport
from speechflows.datasets.sources import Source, ZipSource, suffix
from speechflows.datasets.validator import validate_source
from speechflows.redaction import register_secret
from speechflows.settings import StorageSettings, is_loopback_host
from speechflows.storage.account import Account
from speechflows.storage.errors import BlobNameError
from speechflows.storage.names import blob_name_problem, check_container_name, normalize_prefix
from speechflows.storage.sas import SasError, check_sas
from speechflows.storage.transfer import BlobTransport, RemoteBlob

T = TypeVar("T")
HEAD_BYTES = 4096  # what the audio probe reads first (datasets.audio._HEAD)
MIN_FETCH = 4096  # smallest ranged read (a zip's 30-byte local header costs one request)
WHOLE_LIMIT = 8 << 20  # text files up to this size are read in one request
TEXT_CHUNK = 1 << 20  # text files above WHOLE_LIMIT are read in chunks of this size
WHOLE_CACHE = 16 << 20  # text files read whole are kept (validators open a script 3 times)
READ_AHEAD = 64  # files whose head is fetched ahead of the validator
SINGLE_SUFFIXES = frozenset({".zip", ".txt", ".md", ".tsv", ".wav", ".mp3"})
_TEXT_SUFFIXES = frozenset({".txt", ".tsv", ".md", ".csv"})
_LISTING_PAGE = 5000


class DataSourceError(StagingError):
    """A data-source string that names no usable data (the message says why, the fix how)."""


@dataclass(frozen=True)
class BlobLocation:
    """Blobs named by a data source: a container and a prefix (or one blob), and how to read them.

    ``service_url`` is empty for ``blob://`` (the configured account, resolved by
    :func:`resolve`). ``sas`` is the user's token (a secret: not in ``repr``); None means the
    configured account's credential mints one.
    """

    service_url: str
    container: str
    prefix: str
    blob: str | None = None
    sas: str | None = field(default=None, repr=False, compare=False)

    @property
    def container_url(self) -> str:
        return f"{self.service_url}/{self.container}"

    @property
    def display(self) -> str:
        """Where the data is, for people and logs (never the SAS)."""
        head = (
            f"{self.service_url}/{self.container}"
            if self.service_url
            else f"blob://{self.container}"
        )
        tail = self.blob if self.blob is not None else self.prefix
        return f"{head}/{tail}".rstrip("/")

    @property
    def single(self) -> bool:
        return self.blob is not None

    @property
    def name(self) -> str:
        """The base name of the one blob, or the last prefix segment (the dataset's label)."""
        return (self.blob or self.prefix or self.container).rsplit("/", 1)[-1]


def is_remote(text: str | Path) -> bool:
    """True when ``text`` names blobs (``blob://`` or an ``http(s)://`` URL), not a local path."""
    return isinstance(text, str) and text.split("://", 1)[0].lower() in ("blob", "https", "http")


def _split(container: str, rest: str, single: bool) -> tuple[str, str, str | None]:
    container = check_container_name(container)
    rest = unquote(rest)
    if single:
        problem = blob_name_problem(rest)
        if problem:
            raise BlobNameError(f"blob name {rest!r} {problem}", fix="give the blob's exact name")
        return container, "", rest
    return container, normalize_prefix(rest), None


def _is_single(path: str, sas_fields: dict[str, str]) -> bool:
    if sas_fields.get("sr") == "b":
        return True
    return bool(path) and not path.endswith("/") and suffix(path) in SINGLE_SUFFIXES


def parse_data_source(text: str | Path) -> Path | BlobLocation:
    """A local path, or the :class:`BlobLocation` a ``blob://`` / SAS URL names.

    Raises:
        DataSourceError: an ``http(s)`` URL without a SAS, or not a Blob URL.
        ContainerNameError, BlobNameError: names Azure would refuse.
    """
    if isinstance(text, Path) or not is_remote(text):
        return Path(text)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme == "blob":
        path = f"{parts.netloc}{parts.path}"
        container, _, rest = path.partition("/")
        container, prefix, blob = _split(container, rest, _is_single(rest, {}))
        return BlobLocation("", container, prefix, blob)
    fields = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    if "sig" not in fields:
        raise DataSourceError(
            f"{parts.scheme}://{parts.netloc}{parts.path}: a URL data source needs a SAS (its "
            "query string with sp, se and sig)",
            fix="append the SAS (`az storage container generate-sas --permissions rl`), or give "
            "blob://<container>/<prefix> for data in the configured storage account",
        )
    host = parts.hostname or ""
    segments = parts.path.lstrip("/").split("/")
    if is_loopback_host(host):  # Azurite: http://127.0.0.1:10000/<account>/<container>/...
        account, segments = segments[0], segments[1:]
        service = f"{scheme}://{parts.netloc}/{account}"
    elif host.endswith(".blob.core.windows.net") and scheme == "https":
        service = f"https://{parts.netloc}"
    else:
        raise DataSourceError(
            f"{scheme}://{parts.netloc}: not a Blob Storage URL",
            fix="give https://<account>.blob.core.windows.net/<container>/<prefix>?<SAS>",
        )
    if not segments or not segments[0]:
        raise DataSourceError(
            f"{service}: the URL names no container",
            fix="give https://<account>.blob.core.windows.net/<container>/<prefix>?<SAS>",
        )
    rest = "/".join(segments[1:])
    container, prefix, blob = _split(segments[0], rest, _is_single(rest, fields))
    register_secret(fields["sig"])
    return BlobLocation(service, container, prefix, blob, sas=parts.query)


def check_user_sas(location: BlobLocation, read_deadline: dt.timedelta) -> None:
    """Refuse a user's SAS the service could not read with: r (+ l for a prefix), ``se`` far enough.

    Raises:
        SasError: naming the missing permission or the expiry, and the fix (never the token).
    """
    if location.sas is None:
        return
    try:
        check_sas(location.sas, needs="r" if location.single else "rl", read_deadline=read_deadline)
    except SasError as exc:
        raise SasError(f"{location.display}: {exc.problem}", fix=exc.fix) from None


def resolve(
    location: BlobLocation,
    settings: StorageSettings | None,
    *,
    lifetime: dt.timedelta = dt.timedelta(hours=1),
    credential: Any = None,
) -> tuple[BlobLocation, str]:
    """The location with its account's URL, and a read + list token for it.

    A user's SAS is used as given; for the configured account a container SAS (read + list) is
    minted (or the settings' own SAS is used).
    """
    if location.sas is not None:
        return location, location.sas
    if settings is None:
        raise DataSourceError(
            f"{location.display}: blob:// names the configured storage account, and no storage "
            "settings are loaded",
            fix="set SPEECHFLOWS_STORAGE_CONNECTION_STRING (or _ACCOUNT_URL), or give a SAS URL",
        )
    account = Account.from_settings(settings, credential)
    if account.account_key is None and account.credential is None and account.sas_token:
        token = account.sas_token
    else:
        token = account.sas_token_for(location.container, "rl", lifetime)
    register_secret(token)
    return replace(location, service_url=account.service_url), token


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

    location: BlobLocation
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


def list_location(reader: BlobReader, location: BlobLocation) -> list[RemoteBlob]:
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
    reader: BlobReader, location: BlobLocation, blobs: list[RemoteBlob]
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
    location: BlobLocation, token: str, *, concurrency: int = 32
) -> Iterator[tuple[Source, InPlace]]:
    """List ``location`` once and yield it as a :class:`Source` read in place, plus the counters."""
    with BlobReader(location.container_url, token, concurrency=concurrency) as reader:
        blobs = list_location(reader, location)
        with source_of(reader, location, blobs) as src:
            yield src, InPlace(location, blobs, reader)


def validate_in_place(
    location: BlobLocation,
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


def manifest_of_blobs(location: BlobLocation, blobs: list[RemoteBlob]) -> Manifest:
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
    "BlobLocation",
    "BlobReader",
    "BlobSource",
    "DataSourceError",
    "InPlace",
    "RangeFile",
    "check_user_sas",
    "is_remote",
    "list_location",
    "manifest_of_blobs",
    "open_location",
    "parse_data_source",
    "resolve",
    "source_of",
    "validate_in_place",
]
