"""The one error type of staging, and its cases.

Every message names the thing (file, blob, container, account URL without query) and the fix.
No message ever carries a key or a SAS token: text that may embed one goes through
:func:`speechflows.redaction.redact_text`.

::

    StagingError                      anything that stops a manifest or a stage
    ├── SourceError                   the local input
    │   ├── SourceNotFoundError       the folder or file does not exist
    │   ├── NothingToStageError       no file matches the extensions
    │   └── UnreadableFileError       a file cannot be read, or changed while staging
    ├── BlobNameError                 a blob name (or prefix) Azure forbids
    ├── ContainerNameError            an invalid container name
    ├── StorageUnreachableError       connection refused/reset, timeouts, 5xx after retries
    ├── CredentialRefusedError        the storage account refused the credential (401/403)
    └── UploadRefusedError            any other refusal by the service (e.g. 409 store full)

An interrupted stage raises one of these with :attr:`StagingError.uploaded` set to the blobs that
the service confirmed before the failure; re-running ``stage`` uploads only the rest.
"""

from __future__ import annotations

from speechflows.redaction import redact_text


class StagingError(Exception):
    """A manifest or a stage failed. ``str(err)`` says what and how to fix it.

    Attributes:
        fix: what to do about it, in one sentence.
        uploaded: blob names the service confirmed before the failure (interrupted stages).
    """

    def __init__(self, message: str, *, fix: str, uploaded: tuple[str, ...] = ()) -> None:
        self.problem = redact_text(message)
        self.fix = redact_text(fix)
        self.uploaded = uploaded
        super().__init__(f"{self.problem}. Fix: {self.fix}")


class SourceError(StagingError):
    """The local input cannot be used."""


class SourceNotFoundError(SourceError):
    """The folder or file to stage does not exist."""


class NothingToStageError(SourceError):
    """No file under the root matches the extensions."""


class UnreadableFileError(SourceError):
    """A file cannot be read, or its content changed between the manifest and the upload."""


class BlobNameError(StagingError):
    """A blob name or prefix that Azure Blob Storage forbids."""


class ContainerNameError(StagingError):
    """A container name that Azure Blob Storage forbids."""


class StorageUnreachableError(StagingError):
    """The storage endpoint did not answer, or kept failing with transient errors."""


class CredentialRefusedError(StagingError):
    """The storage account refused the credential (key, SAS or Entra token)."""


class UploadRefusedError(StagingError):
    """The service refused a request for another reason (the message carries its error code)."""
