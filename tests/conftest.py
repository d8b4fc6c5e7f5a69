"""Shared fixtures. Each fixture module under tests/fixtures/ owns one real service.

``make test`` runs the suite on pytest-xdist workers (``--dist loadgroup``). Session fixtures are
per worker, so each worker starts its own Azurite, emulator and Prefect test server (cheap, a few
seconds). The deployment stack (a Prefect server, every deployment, a worker: the slowest fixture)
is started once: every test that asks for ``deploy_stack`` joins one xdist group and runs on the
same worker, while the other workers take the rest.
"""

from __future__ import annotations

import pytest

pytest_plugins = [
    "tests.fixtures.azurite",
    "tests.fixtures.prefect",
    "tests.fixtures.emulator",
    "tests.fixtures.prefect_stack",
]

# Fixtures whose tests share one worker, so the service starts once per run, not once per worker.
SHARED_ON_ONE_WORKER = {"deploy_stack": "deploy-stack"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = getattr(item, "fixturenames", ())
        for fixture, group in SHARED_ON_ONE_WORKER.items():
            if fixture in names:
                item.add_marker(pytest.mark.xdist_group(group))
                break
