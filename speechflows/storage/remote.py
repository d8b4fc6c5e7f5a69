"""Data that is already in Blob Storage: its manifest, and a local copy to validate.

For flows whose source is a blob prefix instead of a local folder. The manifest comes from one
listing (MD5 from our metadata, else the service's Content-MD5; ETag when neither is known), so
for blobs staged by :func:`~speechflows.storage.stage` the remote manifest's hash equals the
local one's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from speechflows.datasets.errors import NothingToStageError, StagingError, UnreadableFileError
from speechflows.datasets.manifest import Manifest, ManifestEntry
from speechflows.settings import StorageSettings
from speechflows.storage.account import Account
from speechflows.storage.errors import BlobNameError
from speechflows.storage.names import (
    blob_name_problem,
    check_container_name,
    normalize_prefix,
    relative_name,
)
from speechflows.storage.transfer import BlobTransport, RemoteBlob, run_coroutine

_READ_TOKEN_MINUTES = 60


async def _list(
    account: Account, container: str, prefix: str, transport: BlobTransport
) -> list[RemoteBlob]:
    blobs = await transport.list_blobs(f"{prefix}/" if prefix else "")
    if not blobs:
        raise NothingToStageError(
            f"no blob under {account.container_url(container)}/{prefix}",
            fix="check the container and the prefix (stage the data first?)",
        )
    for blob in blobs:
        rel = relative_name(prefix, blob.name)
        problem = blob_name_problem(rel)
        if problem:
            raise BlobNameError(
                f"blob {blob.name!r} cannot be used as a local file: its path {problem}",
                fix="rename the blob, or choose a prefix without it",
            )
    return blobs


def _open(settings: StorageSettings, container: str, credential: Any) -> tuple[Account, str]:
    account = Account.from_settings(settings, credential)
    if account.account_key is None and account.credential is None and account.sas_token:
        return account, account.sas_token
    token = account.sas_token_for(container, "rl", dt.timedelta(minutes=_READ_TOKEN_MINUTES))
    return account, token


def remote_manifest(
    settings: StorageSettings, container: str, prefix: str, *, credential: Any = None
) -> Manifest:
    """The manifest of the blobs under ``container/prefix`` (paths relative to the prefix)."""

    container = check_container_name(container)
    prefix = normalize_prefix(prefix)

    async def run() -> list[RemoteBlob]:
        account, token = await asyncio.to_thread(_open, settings, container, credential)
        async with BlobTransport(account.container_url(container), token) as transport:
            return await _list(account, container, prefix, transport)

    blobs = run_coroutine(run())
    location = f"{Account.from_settings(settings, credential).container_url(container)}/{prefix}"
    entries = tuple(
        ManifestEntry(
            path=relative_name(prefix, b.name),
            size=b.size,
            md5=b.md5 or "",
            etag=None if b.md5 else b.etag,
        )
        for b in sorted(blobs, key=lambda b: b.name)
    )
    return Manifest(root=Path(prefix or "."), entries=entries, location=location.rstrip("/"))


def _local_md5(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "md5").hexdigest()
    except OSError:
        return None


def download_prefix(
    settings: StorageSettings,
    container: str,
    prefix: str,
    dest: Path,
    *,
    concurrency: int | None = None,
    credential: Any = None,
) -> Path:
    """Download every blob under ``container/prefix`` into ``dest`` (paths relative to the prefix).

    Files already in ``dest`` with the same size and MD5 are kept. Each file is written to a
    hidden temporary name and renamed when complete and verified, so ``dest`` never holds a
    half-written file. Returns ``dest``.
    """
    container = check_container_name(container)
    prefix = normalize_prefix(prefix)
    dest = Path(dest)
    workers = max(1, concurrency or settings.max_concurrency)

    async def fetch(transport: BlobTransport, blob: RemoteBlob) -> None:
        target = dest / relative_name(prefix, blob.name)
        if (
            blob.md5
            and target.exists()
            and target.stat().st_size == blob.size
            and await asyncio.to_thread(_local_md5, target) == blob.md5
        ):
            return
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        except OSError as exc:
            raise UnreadableFileError(
                f"cannot write under {target.parent}: {exc.strerror or exc}",
                fix="choose a writable destination folder",
            ) from None
        try:
            with os.fdopen(fd, "wb") as out:
                md5 = await transport.get_blob(blob.name, out)
            if blob.md5 and md5 != blob.md5:
                raise StagingError(
                    f"blob {blob.name!r} changed while it was downloaded (MD5 differs)",
                    fix="download again once nothing writes to the prefix",
                )
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    async def run() -> None:
        account, token = await asyncio.to_thread(_open, settings, container, credential)
        async with BlobTransport(account.container_url(container), token, concurrency=workers) as t:
            blobs = iter(await _list(account, container, prefix, t))

            async def worker() -> None:
                for blob in blobs:
                    await fetch(t, blob)

            await asyncio.gather(*(worker() for _ in range(workers)))

    dest.mkdir(parents=True, exist_ok=True)
    run_coroutine(run())
    return dest
