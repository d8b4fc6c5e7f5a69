"""Blob staging: upload a manifest to ``container/prefix`` once, and mint SAS URLs for it.

>>> from speechflows.datasets.manifest import build_manifest          # doctest: +SKIP
>>> result = stage(build_manifest(folder), settings=settings, prefix="voice/ds1")  # doctest: +SKIP
>>> url = container_sas_url(settings)                                  # doctest: +SKIP
"""

from __future__ import annotations

from speechflows.storage.errors import (
    BlobNameError,
    ContainerNameError,
    CredentialRefusedError,
    NothingToStageError,
    SourceError,
    SourceNotFoundError,
    StagingError,
    StorageUnreachableError,
    UnreadableFileError,
    UploadRefusedError,
)
from speechflows.storage.remote import download_prefix, remote_manifest
from speechflows.storage.sas import blob_sas_url, container_sas_url
from speechflows.storage.staging import StageProgress, StageResult, stage, stage_async

__all__ = [
    "BlobNameError",
    "ContainerNameError",
    "CredentialRefusedError",
    "NothingToStageError",
    "SourceError",
    "SourceNotFoundError",
    "StageProgress",
    "StageResult",
    "StagingError",
    "StorageUnreachableError",
    "UnreadableFileError",
    "UploadRefusedError",
    "blob_sas_url",
    "container_sas_url",
    "download_prefix",
    "remote_manifest",
    "stage",
    "stage_async",
]
