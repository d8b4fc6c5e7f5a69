"""The chaos tests use the flow tests' fixtures (settings in the environment, emulator state)."""

from __future__ import annotations

from tests.flows.conftest import emulator_state, flow_env, flow_results_dir

__all__ = ["emulator_state", "flow_env", "flow_results_dir"]
