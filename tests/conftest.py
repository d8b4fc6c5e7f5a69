"""Shared fixtures. Each fixture module under tests/fixtures/ owns one real service."""

from __future__ import annotations

pytest_plugins = [
    "tests.fixtures.azurite",
    "tests.fixtures.prefect",
    "tests.fixtures.emulator",
    "tests.fixtures.prefect_stack",
]
