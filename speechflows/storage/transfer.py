"""Raw Blob REST over aiohttp with a SAS token: list, Put Blob, Put Block (List), Get Blob.

Why not the SDK for the bulk path: on this kind of machine a raw aiohttp PUT costs ~0.7 ms of
client CPU per file, the aio SDK ~1.8 ms and the threaded sync SDK ~2.7 ms
(reference/azurite.md §3); against real Azure, where the service is not the ceiling, client CPU
is the limit. A SAS token authenticates every request (no per-request signing), the same way for
account keys and Entra identities (user-delegation SAS).

Retries: connection errors, timeouts and 408/429/500/502/503/504 are retried with exponential
backoff, ``Retry-After`` first; every request here is idempotent (Put Blob overwrites, Put Block
re-stages the same id). Anything else becomes a typed :class:`~speechflows.datasets.errors.StagingError`.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import hashlib
import os
import random
import ssl
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Container, Coroutine, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote

import aiohttp
from yarl import URL

from speechflows.datasets.errors import StagingError, UnreadableFileError
from speechflows.redaction import redact_text
from speechflows.storage.errors import (
    BlobNameError,
    ContainerNameError,
    CredentialRefusedError,
    StorageUnreachableError,
    UploadRefusedError,
)

API_VERSION = "2024-11-04"
MD5_METADATA = "speechflowsmd5"
_TRANSIENT = frozenset({408, 429, 500, 502, 503, 504})
T = TypeVar("T")
P = ParamSpec("P")


def run_coroutine(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion from sync code, even in a thread whose event loop is running."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    # asyncio.run refuses to nest: run on a private loop in a private thread and wait for it.
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="speechflows-io") as pool:
        return pool.submit(asyncio.run, coro).result()


def blocking(fn: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """The blocking form of the coroutine function ``fn`` (same arguments, run by
    :func:`run_coroutine`)."""

    @functools.wraps(fn)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        return run_coroutine(fn(*args, **kwargs))

    return run


def _ssl_context() -> ssl.SSLContext | bool:
    """Trust the CA bundle the SDK's transport trusts (``REQUESTS_CA_BUNDLE``), else the default.

    Same trust for control plane (SDK, requests) and data plane (aiohttp): a private CA or a
    TLS-inspecting proxy configured once works for both.
    """
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE")
    return ssl.create_default_context(cafile=bundle) if bundle else True


def b64_md5(md5_hex: str) -> str:
    return base64.b64encode(bytes.fromhex(md5_hex)).decode("ascii")


@dataclass(frozen=True)
class RemoteBlob:
    """A blob as one listing shows it; ``md5`` is hex, ours (metadata) first, else Content-MD5."""

    name: str
    size: int
    md5: str | None
    etag: str | None


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_delay: float = 0.25
    max_delay: float = 8.0


class BlobTransport:
    """An aiohttp session bound to one container URL and a SAS token (never shown anywhere).

    With ``renew`` (a function minting a fresh token, run in a thread), the token is replaced once
    ``renew_after`` seconds have passed since it was minted, before the next request: a short-lived
    SAS then serves an upload of any length. Checking costs one clock read per request, and the
    renewal (an offline signature; one user-delegation key request with Entra) happens once per
    period, not per block.

    Example:
        >>> async with BlobTransport(url, token, concurrency=8) as t:   # doctest: +SKIP
        ...     blobs = await t.list_blobs("voice/ds1/")
    """

    def __init__(
        self,
        container_url: str,
        sas_token: str,
        *,
        concurrency: int = 8,
        retry: RetryPolicy | None = None,
        request_timeout: float = 300.0,
        renew: Callable[[], str] | None = None,
        renew_after: float | None = None,
    ) -> None:
        self.container_url = container_url.rstrip("/")
        self._token = sas_token.lstrip("?")
        self._renew = renew
        self._renew_after = renew_after if renew is not None else None
        self._renew_at = (
            time.monotonic() + self._renew_after if self._renew_after is not None else None
        )
        self._renewing: asyncio.Lock | None = None
        self.renewals = 0
        self._concurrency = concurrency
        self._retry = retry or RetryPolicy()
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=15, sock_read=request_timeout
        )
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> BlobTransport:
        connector = aiohttp.TCPConnector(
            limit=2 * self._concurrency, ttl_dns_cache=300, ssl=_ssl_context()
        )
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=self._timeout, skip_auto_headers=("Content-Type",)
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._session is not None:
            await self._session.close()

    async def _fresh(self) -> None:
        """Replace the token when its renewal time has come (one renewal for all waiters)."""
        if self._renew_at is None or time.monotonic() < self._renew_at:
            return
        if self._renewing is None:
            self._renewing = asyncio.Lock()
        async with self._renewing:
            if time.monotonic() < self._renew_at:
                return  # another request renewed it meanwhile
            assert self._renew is not None and self._renew_after is not None
            minted = time.monotonic()
            self._token = (await asyncio.to_thread(self._renew)).lstrip("?")
            self._renew_at = minted + self._renew_after
            self.renewals += 1

    def _url(self, blob: str | None, query: str) -> URL:
        path = (
            self.container_url if blob is None else f"{self.container_url}/{quote(blob, safe='/')}"
        )
        sep = "&" if query else ""
        return URL(f"{path}?{query}{sep}{self._token}", encoded=True)

    async def request(
        self,
        method: str,
        blob: str | None,
        query: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | memoryview | None = None,
        what: str,
        accept: Container[int] = (),
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one request with retries; return ``(status, headers, body)`` of a 2xx answer.

        Statuses in ``accept`` (e.g. 404 for a delete) are returned as answers, not raised.
        """
        assert self._session is not None, "use BlobTransport as an async context manager"
        base = {"x-ms-version": API_VERSION}
        all_headers = {**base, **headers} if headers else base
        delay = self._retry.first_delay
        for attempt in range(1, self._retry.attempts + 1):
            retry_after: float | None = None
            await self._fresh()
            url = self._url(blob, query)
            try:
                async with self._session.request(
                    method, url, headers=all_headers, data=data
                ) as resp:
                    body = await resp.read()
                    if resp.status < 300 or resp.status in accept:
                        return resp.status, resp.headers, body
                    if resp.status not in _TRANSIENT:
                        raise self._refusal(resp.status, resp.headers, body, what)
                    failure = f"{resp.status} {resp.headers.get('x-ms-error-code', '')}".strip()
                    retry_after = _retry_after(resp.headers)
            except aiohttp.ClientSSLError as exc:
                raise StorageUnreachableError(
                    f"{what}: TLS with {self.container_url} failed ({redact_text(str(exc))})",
                    fix="check the endpoint's certificate; for a private CA set REQUESTS_CA_BUNDLE "
                    "to its PEM bundle",
                ) from None
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError) as exc:
                failure = f"{type(exc).__name__}: {exc}"
            if attempt == self._retry.attempts:
                break
            wait = retry_after if retry_after is not None else delay * (0.5 + random.random())
            await asyncio.sleep(min(wait, 30.0))
            delay = min(delay * 2, self._retry.max_delay)
        raise StorageUnreachableError(
            f"{what}: {self.container_url} kept failing after {self._retry.attempts} attempts "
            f"({redact_text(failure)})",
            fix="check that the storage service is running and reachable, then run the same "
            "stage again: what is already uploaded is skipped",
        )

    def _refusal(
        self, status: int, headers: Mapping[str, str], body: bytes, what: str
    ) -> StagingError:
        code = headers.get("x-ms-error-code", "")
        where = f"{what}: {self.container_url} answered {status} {code}".rstrip()
        if status in (401, 403):
            return CredentialRefusedError(
                where,
                fix="check the storage credential and its permissions (read, write, list; "
                "delete to prune stale blobs)",
            )
        if code == "Md5Mismatch":
            return UnreadableFileError(
                f"{what}: the file changed after its manifest was built ({code})",
                fix="rebuild the manifest (run the stage again) once the file stops changing",
            )
        if code in ("InvalidResourceName", "OutOfRangeInput", "InvalidUri"):
            error = BlobNameError if "blob" in what else ContainerNameError
            return error(where, fix="rename it following Azure's naming rules")
        if code == "ContainerNotFound":
            return UploadRefusedError(
                where, fix="create the container, or use settings that may create it (account key)"
            )
        detail = redact_text(body[:300].decode("utf-8", "replace")) if body else ""
        message = _xml_message(detail)
        return UploadRefusedError(
            f"{where}{': ' + message if message else ''}",
            fix="see the service's error code; fix the cause and run the same stage again",
        )

    async def list_blobs(self, prefix: str) -> list[RemoteBlob]:
        """Every blob under ``prefix`` with its size and hash, from one listing (paged by 5000)."""
        blobs: list[RemoteBlob] = []
        marker = ""
        base = f"restype=container&comp=list&include=metadata&maxresults=5000&prefix={quote(prefix, safe='')}"
        while True:
            query = base + (f"&marker={quote(marker, safe='')}" if marker else "")
            _, _, body = await self.request("GET", None, query, what=f"list {prefix!r}")
            page, marker = _parse_listing(body)
            blobs.extend(page)
            if not marker:
                return blobs

    async def put_blob(self, blob: str, data: bytes, md5_hex: str) -> None:
        """Put Blob in one request; the service checks ``Content-MD5`` against the bytes."""
        headers = {
            "x-ms-blob-type": "BlockBlob",
            "Content-MD5": b64_md5(md5_hex),
            f"x-ms-meta-{MD5_METADATA}": md5_hex,
            "Content-Type": "application/octet-stream",
        }
        await self.request("PUT", blob, headers=headers, data=data, what=f"upload blob {blob!r}")

    async def put_block(self, blob: str, block_id: str, data: bytes | memoryview) -> None:
        """Stage one uncommitted block (invisible until :meth:`put_block_list`)."""
        query = f"comp=block&blockid={quote(block_id, safe='')}"
        await self.request("PUT", blob, query, data=data, what=f"upload blob {blob!r}")

    async def put_block_list(self, blob: str, block_ids: list[str], md5_hex: str) -> None:
        """Commit the blocks: the blob appears atomically, with our MD5 in properties and metadata."""
        xml = "".join(f"<Latest>{block_id}</Latest>" for block_id in block_ids)
        body = f'<?xml version="1.0" encoding="utf-8"?><BlockList>{xml}</BlockList>'.encode()
        headers = {
            "x-ms-blob-content-md5": b64_md5(md5_hex),
            f"x-ms-meta-{MD5_METADATA}": md5_hex,
            "x-ms-blob-content-type": "application/octet-stream",
            "Content-Type": "application/xml",
        }
        await self.request(
            "PUT", blob, "comp=blocklist", headers=headers, data=body, what=f"commit blob {blob!r}"
        )

    async def delete_blob(self, blob: str) -> bool:
        """Delete ``blob`` and its snapshots; False when it was already gone (a concurrent prune)."""
        status, _, _ = await self.request(
            "DELETE",
            blob,
            headers={"x-ms-delete-snapshots": "include"},
            what=f"delete blob {blob!r}",
            accept=(404,),
        )
        return status != 404

    async def get_range(self, blob: str, start: int, length: int) -> bytes:
        """Bytes ``[start, start + length)`` of ``blob`` by one ranged Get Blob (retried)."""
        headers = {"Range": f"bytes={start}-{start + length - 1}"}
        _, _, body = await self.request("GET", blob, headers=headers, what=f"read blob {blob!r}")
        return body

    async def get_blob(self, blob: str, out: Any, chunk: int = 1 << 20) -> str:
        """Stream blob ``blob`` into the binary file ``out``; return the MD5 hex of what was read."""
        assert self._session is not None
        digest = hashlib.md5()
        delay = self._retry.first_delay
        for attempt in range(1, self._retry.attempts + 1):
            out.seek(0)
            out.truncate()
            digest = hashlib.md5()
            await self._fresh()
            try:
                async with self._session.get(
                    self._url(blob, ""), headers={"x-ms-version": API_VERSION}
                ) as resp:
                    if resp.status >= 300 and resp.status not in _TRANSIENT:
                        raise self._refusal(
                            resp.status, resp.headers, await resp.read(), f"download blob {blob!r}"
                        )
                    if resp.status < 300:
                        async for piece in resp.content.iter_chunked(chunk):
                            digest.update(piece)
                            out.write(piece)
                        return digest.hexdigest()
            except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, TimeoutError):
                pass
            if attempt < self._retry.attempts:
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, self._retry.max_delay)
        raise StorageUnreachableError(
            f"download blob {blob!r}: {self.container_url} kept failing",
            fix="check that the storage service is running and reachable, then try again",
        )


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _xml_message(text: str) -> str:
    start, end = text.find("<Message>"), text.find("</Message>")
    if start < 0 or end < 0:
        return ""
    return text[start + 9 : end].split("\n")[0].strip()


def _parse_listing(body: bytes) -> tuple[list[RemoteBlob], str]:
    root = ET.fromstring(body)
    blobs = []
    for item in root.iterfind("./Blobs/Blob"):
        name = item.findtext("Name") or ""
        props = item.find("Properties")
        size = int(props.findtext("Content-Length") or 0) if props is not None else 0
        content_md5 = props.findtext("Content-MD5") if props is not None else None
        etag = props.findtext("Etag") if props is not None else None
        md5 = None
        meta = item.find("Metadata")
        if meta is not None:
            for child in meta:
                if child.tag.lower() == MD5_METADATA and child.text:
                    md5 = child.text.strip().lower()
        if md5 is None and content_md5:
            try:
                md5 = base64.b64decode(content_md5).hex()
            except ValueError:
                md5 = None
        blobs.append(RemoteBlob(name=name, size=size, md5=md5, etag=etag))
    return blobs, root.findtext("NextMarker") or ""
