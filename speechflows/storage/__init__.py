"""Blob staging: upload a manifest to ``container/prefix`` once, and mint SAS URLs for it.

Storage sits on top of ``speechflows.datasets`` (the manifest and the base
:class:`StagingError` come from there) and never imports Prefect. Upload and download go in
``staging`` / ``transfer``, blob naming rules in ``names``, SAS minting in ``sas``, data that is
already in Blob Storage in ``remote``; a new error case subclasses ``StagingError`` in ``errors``.

>>> from speechflows.datasets.manifest import build_manifest          # doctest: +SKIP
>>> result = stage(build_manifest(folder), settings=settings, prefix="voice/ds1")  # doctest: +SKIP
>>> url = container_sas_url(settings)                                  # doctest: +SKIP
"""

from __future__ import annotations

from speechflows.datasets.errors import (
    NothingToStageError,
    SourceError,
    SourceNotFoundError,
    StagingError,
    UnreadableFileError,
)
from speechflows.storage.errors import (
    BlobNameError,
    ContainerNameError,
    CredentialRefusedError,
    StorageUnreachableError,
    UploadRefusedError,
)
from speechflows.storage.remote import download_prefix, remote_manifest
from speechflows.storage.sas import (
    SasError,
    blob_sas_url,
    check_sas,
    container_sas_url,
    sas_lifetime,
)
from speechflows.storage.staging import StageProgress, StageResult, stage, stage_async

__all__ = [
    "BlobNameError",
    "ContainerNameError",
    "CredentialRefusedError",
    "NothingToStageError",
    "SasError",
    "SourceError",
    "SourceNotFoundError",
    "StageProgress",
    "StageResult",
    "StagingError",
    "StorageUnreachableError",
    "UnreadableFileError",
    "UploadRefusedError",
    "blob_sas_url",
    "check_sas",
    "container_sas_url",
    "download_prefix",
    "remote_manifest",
    "sas_lifetime",
    "stage",
    "stage_async",
]
