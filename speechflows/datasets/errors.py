"""The errors of a dataset on disk: the base :class:`StagingError` and the local-input cases.

Staging starts with a manifest, so the manifest's errors are the root of staging's errors:
:mod:`speechflows.storage.errors` subclasses :class:`StagingError` for the upload cases and
``speechflows.storage`` re-exports these. This module imports nothing of ``storage/``.

Every message names the thing (file, folder) and the fix. No message ever carries a key or a SAS
token: text that may embed one goes through :func:`speechflows.redaction.redact_text`.

::

    StagingError                      anything that stops a manifest or a stage
    └── SourceError                   the local input
        ├── SourceNotFoundError       the folder or file does not exist
        ├── NothingToStageError       no file matches the extensions
        └── UnreadableFileError       a file cannot be read, or changed while staging
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
