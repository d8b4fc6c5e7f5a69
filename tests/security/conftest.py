"""Fixtures of the secrets audit: an isolated result store for the audited flow runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def audit_results_dir(
    prefect_server: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Task and flow results of the audited runs persist here, and nowhere else."""
    from prefect.settings import PREFECT_RESULTS_LOCAL_STORAGE_PATH, temporary_settings

    path = tmp_path_factory.mktemp("audit-results")
    with temporary_settings(updates={PREFECT_RESULTS_LOCAL_STORAGE_PATH: path}):
        yield path
