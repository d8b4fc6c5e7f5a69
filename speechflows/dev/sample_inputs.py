"""Sample data in Blob Storage at the names the deployments' default parameters give (prefect.yaml).

``speechflows dev up`` (and ``speechflows samples upload`` against real storage) uploads them
when missing, so a user who opens the Prefect UI and presses *Run* on an onboarding deployment
gets a completed run on *any* worker of the pool: the defaults are ``blob://speechflows/samples/...``
and ``consent.audio_blob: samples/...``, read in place from the configured storage account, not
paths of the machine that applied the deployments. Existing blobs are never overwritten.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from azure.core.exceptions import ResourceExistsError

from speechflows.datasets import DataKind, write_sample
from speechflows.settings import StorageSettings
from speechflows.storage.account import Account

SAMPLES_CONTAINER = "speechflows"
"""The container the defaults name (``SPEECHFLOWS_STORAGE_CONTAINER``'s default)."""
SAMPLES_PREFIX = "samples/"


@dataclass(frozen=True)
class SampleInput:
    """One default input: its name under ``samples/``, its kind, and how many items."""

    name: str  # a folder when it ends with '/', else one file
    kind: DataKind
    count: int | None = None

    @property
    def blob_name(self) -> str:
        return SAMPLES_PREFIX + self.name

    @property
    def url(self) -> str:
        """The ``blob://`` URL a parameter gives for it."""
        return f"blob://{SAMPLES_CONTAINER}/{self.blob_name}"


DEFAULT_INPUTS: tuple[SampleInput, ...] = (
    SampleInput("my-voice/", DataKind.AUDIO_AND_SCRIPT, 20),
    SampleInput("my-voice-consent.wav", DataKind.CONSENT),
    SampleInput("prompt/", DataKind.PROMPT),
    SampleInput("consent.wav", DataKind.CONSENT),
    SampleInput("language.txt", DataKind.LANGUAGE),
)


def write_local(sample: SampleInput, target: Path) -> Path:
    """Write ``sample`` at ``target`` (a folder or one file); return ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        produced = write_sample(Path(scratch) / "sample", sample.kind, count=sample.count)
        if produced.is_dir() and not sample.name.endswith("/"):
            # A single-file default (consent.wav) from a kind that writes a folder.
            produced = next(p for p in sorted(produced.iterdir()) if p.is_file())
        shutil.move(str(produced), target)
    return target


def upload_default_inputs(settings: StorageSettings) -> list[str]:
    """Upload every default input missing from the ``speechflows`` container; return their names.

    A folder counts as present when any blob exists under its prefix (an operator may have put
    their own data there): nothing is overwritten.
    """
    account = Account.from_settings(settings)
    account.ensure_container(SAMPLES_CONTAINER)
    written: list[str] = []
    with account.service_client() as service:
        container = service.get_container_client(SAMPLES_CONTAINER)
        with tempfile.TemporaryDirectory(prefix="speechflows-samples-") as scratch:
            for sample in DEFAULT_INPUTS:
                if next(iter(container.list_blobs(name_starts_with=sample.blob_name)), None):
                    continue
                local = write_local(sample, Path(scratch) / sample.name.rstrip("/"))
                files = sorted(p for p in local.rglob("*") if p.is_file()) if local.is_dir() else []
                pairs = (
                    [(p, sample.blob_name + p.relative_to(local).as_posix()) for p in files]
                    if local.is_dir()
                    else [(local, sample.blob_name)]
                )
                for path, name in pairs:
                    # A concurrent upload of the same sample: keep theirs.
                    with path.open("rb") as data, contextlib.suppress(ResourceExistsError):
                        container.upload_blob(name, data, overwrite=False)
                written.append(sample.blob_name)
    return written


__all__ = [
    "DEFAULT_INPUTS",
    "SAMPLES_CONTAINER",
    "SAMPLES_PREFIX",
    "SampleInput",
    "upload_default_inputs",
    "write_local",
]
