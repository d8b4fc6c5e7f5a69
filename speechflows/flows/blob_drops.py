"""Blob drop locations: dataset folders under ``blob://<container>/<prefix>``.

A folder is a blob "directory" holding ``speechflows.json``. Its content hash comes from the blob
listing (name, size, Content-MD5 or ETag), so scanning downloads only descriptors. Nothing is
downloaded to build the parameters either: relative paths become ``blob://`` URLs of the folder's
blobs, which the onboardings read in place (no local cache, no shared disk between workers).
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath
from typing import Any

from azure.storage.blob import BlobServiceClient

from speechflows.flows.drops import (
    BLOB_SCHEME,
    DESCRIPTOR,
    DroppedDataset,
    read_descriptor,
)
from speechflows.location import DataLocation
from speechflows.settings import StorageSettings, default_azure_credential, load_storage_settings


def _container_client(settings: StorageSettings, container: str) -> Any:
    if settings.connection_string is not None:
        service = BlobServiceClient.from_connection_string(
            settings.connection_string.get_secret_value()
        )
    elif settings.account_key is not None:
        service = BlobServiceClient(
            settings.account_url or "", credential=settings.account_key.get_secret_value()
        )
    else:
        service = BlobServiceClient(
            settings.account_url or "", credential=default_azure_credential()
        )
    return service.get_container_client(container)


def scan_blob(
    location: DataLocation, *, settings: StorageSettings | None = None
) -> tuple[list[DroppedDataset], list[str]]:
    """Every dataset folder under a Blob prefix, with parameters that read its data in place.

    One listing and one descriptor read per folder; nothing else is downloaded, so any worker
    on any machine can run the onboardings (their paths are ``blob://`` URLs).

    Returns:
        The datasets, and one error message per folder whose descriptor is invalid.
    """
    container_name, prefix = location.container, location.prefix_dir
    settings = settings or load_storage_settings()
    container = _container_client(settings, container_name)
    blobs: dict[str, tuple[int, str]] = {}
    for blob in container.list_blobs(name_starts_with=prefix or None):
        md5 = blob.content_settings.content_md5
        fingerprint = bytes(md5).hex() if md5 else str(blob.etag).strip('"')
        blobs[blob.name] = (int(blob.size), fingerprint)
    folders = sorted(
        str(PurePosixPath(name).parent) for name in blobs if PurePosixPath(name).name == DESCRIPTOR
    )
    # A dataset folder's subfolders are data, not datasets.
    roots = [f for f in folders if not any(f != g and f.startswith(g + "/") for g in folders)]
    datasets: list[DroppedDataset] = []
    errors: list[str] = []
    for folder in roots:
        folder_prefix = "" if folder == "." else folder + "/"
        members = {n: v for n, v in blobs.items() if n.startswith(folder_prefix)}
        digest = hashlib.sha256()
        for name in sorted(members):
            size, fingerprint = members[name]
            digest.update(f"{name[len(folder_prefix) :]}\0{size}\0{fingerprint}\n".encode())
        content_hash = digest.hexdigest()
        source = f"{location.display}/{folder_prefix[len(prefix) :]}{DESCRIPTOR}"
        found = read_descriptor(
            container.download_blob(folder_prefix + DESCRIPTOR).readall(),
            errors,
            source=source,
            folder=DataLocation.staged(container_name, folder_prefix),
            configured_container=settings.container,
        )
        if found is None:
            continue
        datasets.append(
            DroppedDataset.of(
                *found,
                name=folder_prefix[len(prefix) :].rstrip("/") or ".",
                location=f"{BLOB_SCHEME}{container_name}/{folder_prefix}",
                content_hash=content_hash,
            )
        )
    return datasets, errors


__all__ = ["scan_blob"]
