"""The errors of Blob staging: the cases of the upload, under one base :class:`StagingError`.

The base and the local-input cases (:class:`~speechflows.datasets.errors.SourceError` and its
subclasses) belong to the dataset layer, which raises them while building a manifest; they are
defined in :mod:`speechflows.datasets.errors` and re-exported by ``speechflows.storage``.

Every message names the thing (file, blob, container, account URL without query) and the fix.
No message ever carries a key or a SAS token (the base redacts problem and fix).

::

    StagingError                      anything that stops a manifest or a stage
    ├── SourceError                   the local input (speechflows.datasets.errors)
    │   ├── SourceNotFoundError       the folder or file does not exist
    │   ├── NothingToStageError       no file matches the extensions
    │   └── UnreadableFileError       a file cannot be read, or changed while staging
    ├── BlobNameError                 a blob name (or prefix) Azure forbids
    ├── ContainerNameError            an invalid container name
    ├── StorageUnreachableError       connection refused/reset, timeouts, 5xx after retries
    ├── CredentialRefusedError        the storage account refused the credential (401/403)
    ├── BlobNotFoundError             a blob the parameters name is not in the container
    └── UploadRefusedError            any other refusal by the service (e.g. 409 store full)

An interrupted stage raises one of these with :attr:`StagingError.uploaded` set to the blobs that
the service confirmed before the failure; re-running ``stage`` uploads only the rest.
"""

from __future__ import annotations

from speechflows.datasets.errors import StagingError


class BlobNameError(StagingError):
    """A blob name or prefix that Azure Blob Storage forbids."""


class ContainerNameError(StagingError):
    """A container name that Azure Blob Storage forbids."""


class StorageUnreachableError(StagingError):
    """The storage endpoint did not answer, or kept failing with transient errors."""


class CredentialRefusedError(StagingError):
    """The storage account refused the credential (key, SAS or Entra token)."""


class BlobNotFoundError(StagingError):
    """A blob the parameters name (e.g. a consent recording) is not in the container."""


class UploadRefusedError(StagingError):
    """The service refused a request for another reason (the message carries its error code)."""
