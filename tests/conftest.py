"""Shared fixtures, and how ``make test`` spreads the suite over pytest-xdist workers.

Each fixture module under tests/fixtures/ owns one real service. Session fixtures are per
worker, so each worker starts its own Azurite, emulator and Prefect test server (a few seconds
each). The scheduler below (``--dist loadgroup``) hands out work in units:

- the modules on the deployment stack (a Prefect server, every deployment, a worker: the
  slowest fixture) form two units, API and UI, so two workers carry them side by side, each
  with its own stack (one stack when both land on one worker, or without xdist);
- a module with a module- or class-scoped fixture of ours (a cluster of network namespaces, a
  PostgreSQL stack, a browser) is one unit, so that fixture starts once;
- every other test is a unit of its own (a long one is named in :data:`LONGEST_FIRST` by its
  node id, e.g. the two chaos tests).

The longest units are queued first (:data:`LONGEST_FIRST`, measured with ``--durations``) and a
worker running one of them is handed only short tests from the end of the queue in advance (not
the next long unit), so the run does not end waiting on a long test that started last.

The units are named by module path, because the controller process that schedules never
collects the tests (and xdist's own ``xdist_group`` renaming of node ids is lost on pytest 9).
Collection checks the tables: a test on ``deploy_stack`` or on a module-scoped fixture outside
them is refused with the line to add.
"""

from __future__ import annotations

from typing import Any

import pytest

pytest_plugins = [
    "tests.fixtures.azurite",
    "tests.fixtures.prefect",
    "tests.fixtures.emulator",
    "tests.fixtures.prefect_stack",
]

# Unit -> module path prefixes: the modules on the session `deploy_stack`.
DEPLOY_STACK_UNITS = {
    "deploy-stack-ui": ("tests/browser/",),
    "deploy-stack-api": (
        "tests/deployments/test_deployments.py",
        "tests/deployments/test_release_deployment_run.py",
        "tests/deployments/test_sync_in_place.py",
    ),
}

# Modules with a module- or class-scoped fixture of ours: each module is one unit.
MODULE_UNITS = (
    "tests/cli/test_bad_input_matrix.py",
    "tests/datasets/test_datasets_packaging.py",
    "tests/datasets/test_datasets_report.py",
    "tests/deployments/test_multi_host.py",
    "tests/deployments/test_multi_worker.py",
    "tests/deployments/test_parking.py",
    "tests/deployments/test_release_deployment.py",
    "tests/deployments/test_zombies.py",
    "tests/emulator/test_emulator_examples.py",
    "tests/emulator/test_emulator_wire_contract.py",
    "tests/speech/test_speech_contract.py",
    "tests/storage/test_user_delegation.py",
)

# The longest units, longest first (one run on 3 workers at load ~9 on 2 cores: each deployment
# stack unit ~450 s, the parking stack 300, `speechflows dev up` 260, the 2 GB staging 140, the
# PostgreSQL stack 125, the import budget 120, the zombie automation 100, the demo scan 95, the
# dataset versions 150 with the session start; measured alone, benchmarks/README.md "test
# suite": the multi-host cluster 182 s / 153 CPU-s at load ~3.5, 242 s / 201 CPU-s before its
# hosts shared bytecode and a venv; the two chaos tests side by side 193 s and 234 s at load ~6,
# 424 s one after the other; the demo then `dev up` 235 s at load ~10).
LONGEST_FIRST = (
    "deploy-stack-api",
    "deploy-stack-ui",
    "tests/deployments/test_parking.py",
    "tests/deployments/test_dev_stack.py",
    "tests/deployments/test_demo_then_dev_up.py",
    "tests/deployments/test_multi_host.py",
    # The chaos module's two tests start their own emulator, Azurite (and Prefect server): two
    # units, so two workers can carry them side by side.
    "tests/chaos/test_chaos.py::test_every_fault_kind_at_a_seeded_moment_then_a_plain_rerun_keeps_the_invariants",
    "tests/chaos/test_chaos.py::test_sigkill_of_the_prefect_server_and_of_the_cli_then_a_plain_rerun_keeps_the_invariants",
    "tests/storage/test_big_file.py",
    "tests/deployments/test_multi_worker.py",
    "tests/test_import_budget.py",
    "tests/deployments/test_zombies.py",
    "tests/security/test_dev_stack_files.py",
    "tests/chaos/test_case_versions.py",
)
_RANK = {unit: i for i, unit in enumerate(LONGEST_FIRST)}


def unit_of(nodeid: str) -> str:
    """The work unit of a test: its shared unit or module, or the test itself."""
    module = nodeid.split("::", 1)[0]
    for unit, prefixes in DEPLOY_STACK_UNITS.items():
        if module.startswith(prefixes):
            return unit
    if module in MODULE_UNITS or module in _RANK:
        return module
    return nodeid


def _check_units(item: pytest.Item) -> None:
    unit, module = unit_of(item.nodeid), item.nodeid.split("::", 1)[0]
    if "deploy_stack" in getattr(item, "fixturenames", ()) and unit not in DEPLOY_STACK_UNITS:
        raise pytest.UsageError(
            f"{module} uses deploy_stack but is in no unit of DEPLOY_STACK_UNITS "
            f'(tests/conftest.py): add "{module}", to "deploy-stack-api"'
        )
    info = getattr(item, "_fixtureinfo", None)
    for defs in info.name2fixturedefs.values() if info is not None else ():
        ours = defs and getattr(defs[-1].func, "__module__", "").startswith("tests.")
        if ours and defs[-1].scope in ("module", "class", "package") and unit == item.nodeid:
            raise pytest.UsageError(
                f"{module} has a {defs[-1].scope}-scoped fixture ({defs[-1].argname}) but is "
                f'not in MODULE_UNITS (tests/conftest.py): add "{module}", so it starts once'
            )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        _check_units(item)


class _LongestFirst:
    @pytest.hookimpl(trylast=True)  # after pytest's own reordering by fixture scope
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        # Stable: within a rank (and among the rest) the collection order stays.
        items.sort(key=lambda item: _RANK.get(unit_of(item.nodeid), len(_RANK)))


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(_LongestFirst(), "speechflows-longest-first")


@pytest.hookimpl(tryfirst=True, optionalhook=True)  # before xdist's own; absent without xdist
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadgroup`` by :func:`unit_of`, in collection order, long units alone."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class Units(LoadGroupScheduling):
        def __init__(self, config: pytest.Config, log: Any = None) -> None:
            super().__init__(config, log)
            config.option.loadscopereorder = False  # the queue keeps the collection order

        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

        def _reschedule(self, node: Any) -> None:
            running = self.assigned_work.get(node, {})
            long_unit = any(
                scope in _RANK and not all(done.values()) for scope, done in running.items()
            )
            if not long_unit or not self.workqueue or node.shutting_down:
                super()._reschedule(node)
            elif self._pending_of(running) <= 1:
                # A worker starts its last queued test only once it knows the next one: give it
                # a short unit from the end of the queue, not the next long one.
                scope, work_unit = self.workqueue.popitem(last=True)
                running[scope] = work_unit
                collection = self.registered_collections[node]
                node.send_runtest_some([collection.index(i) for i in work_unit])

    return Units(config, log)
