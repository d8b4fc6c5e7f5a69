"""Fixtures of the secrets audit: an isolated result store for the audited flow runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.prefect import local_results_in


@pytest.fixture(scope="session")
def audit_results_dir(
    prefect_server: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """Task and flow results of the audited runs persist here, and nowhere else."""
    with local_results_in(tmp_path_factory, "audit-results") as path:
        yield path
