"""The import-time budget of docs/architecture.md, checked structurally (never a timed assertion).

A flow-run process imports its flow module before the first task can run. Each module below must
load without the parts of the optional steps (the release gate, the audio analysis and numpy):
they load in the run that takes that step. Each check runs in a fresh interpreter, as a worker's
flow-run process does, and reads ``sys.modules`` after the import.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

FLOW_MODULES = [
    "speechflows.flows.professional_voice",
    "speechflows.flows.personal_voice",
    "speechflows.flows.custom_speech",
    "speechflows.flows.sync",
    "speechflows.flows.inventory",
]

# Loaded only by the step that needs them.
DEFERRED = [
    "speechflows.tasks.release",
    "speechflows.flows.release",
    "speechflows.datasets.audio_analysis",
    "speechflows.datasets.audio_report",
    "numpy",
]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("module", FLOW_MODULES)
def test_flow_module_imports_no_optional_step(module: str) -> None:
    loaded = _loaded_after_import(module)
    assert module in loaded
    assert sorted(m for m in DEFERRED if m in loaded) == []
