"""What every part of a running emulator shares: configuration, state, faults, the worker."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from speechflows.emulator.core.blob import BlobReader
from speechflows.emulator.core.config import EmulatorConfig
from speechflows.emulator.core.engine import Engine
from speechflows.emulator.core.faults import Faults
from speechflows.emulator.core.store import Job, Store


@dataclass
class Context:
    """The shared parts of one emulator instance (one per :func:`create_app`)."""

    config: EmulatorConfig
    store: Store
    faults: Faults
    engine: Engine | None = field(default=None)
    withdrawn_locales: frozenset[str] = field(default=frozenset())
    """Locales the service no longer offers (admin ``PUT /_emulator/locales/withdrawn``),
    casefolded: left out of every supported-locales answer, refused on every create."""

    def offered(self, locales: list[str]) -> list[str]:
        """``locales`` less the withdrawn ones."""
        return [x for x in locales if x.casefold() not in self.withdrawn_locales]

    def withdrawn(self, locale: str | None) -> bool:
        return locale is not None and locale.casefold() in self.withdrawn_locales

    @property
    def data_dir(self) -> Path:
        return self.config.data_dir

    @property
    def key(self) -> str:
        return self.config.key.get_secret_value()

    def reader(self) -> BlobReader:
        """A new loopback-only blob reader (close it when done)."""
        return BlobReader(max_bytes=self.config.max_download_bytes)

    def upload_dir(self, owner: str) -> Path:
        """Where multipart uploads for ``owner`` (an operation id) wait for their job."""
        path = self.data_dir / "uploads" / owner
        path.mkdir(parents=True, exist_ok=True)
        return path

    def work_dir(self, job_id: str) -> Path:
        """A fresh scratch folder for one job's downloads."""
        path = self.data_dir / "work" / job_id
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        return path

    def clean(self, job_id: str) -> None:
        shutil.rmtree(self.data_dir / "work" / job_id, ignore_errors=True)
        shutil.rmtree(self.data_dir / "uploads" / job_id, ignore_errors=True)

    def submit(self, job: Job) -> None:
        assert self.engine is not None, "the engine starts with the app"
        self.engine.submit(job)
