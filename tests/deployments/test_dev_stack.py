"""``speechflows dev up`` / ``status`` / ``down`` as a user runs them, on free ports in a temp root.

The temp root holds only a copy of prefect.yaml (module entrypoints: the flows come from the
installed package), so the real deployments are applied; *Run* with the default parameters of
each onboarding completes (the sample inputs are in Blob); everything started must be gone after
``down``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
import pytest

from speechflows.deployments.setup import PROJECT_ROOT, WORK_POOL
from speechflows.dev.prefect_api import PrefectAPI
from speechflows.dev.processes import free_port

pytestmark = pytest.mark.slow


def _cli(*args: str, root: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    exe = str(Path(sys.executable).with_name("speechflows"))
    return subprocess.run(
        [exe, "dev", *args, "--root", str(root)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "PWD": str(root)},
    )


def test_dev_up_serves_the_ui_with_deployments_and_a_worker_and_down_stops_everything(
    tmp_path: Path,
) -> None:
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "prefect.yaml").write_text((PROJECT_ROOT / "prefect.yaml").read_text())
    ports = {
        "--prefect-port": free_port(),
        "--azurite-port": free_port(),
        "--emulator-port": free_port(),
    }
    up = _cli("up", *[str(x) for kv in ports.items() for x in kv], root=root)
    try:
        assert up.returncode == 0, up.stdout + up.stderr
        ui = f"http://127.0.0.1:{ports['--prefect-port']}"
        assert httpx.get(ui, timeout=10).status_code == 200
        deployments = httpx.post(f"{ui}/api/deployments/filter", json={}, timeout=10).json()
        assert {
            "personal-voice",
            "professional-voice",
            "custom-speech",
            "sync",
            "inventory",
            "on-dataset-dropped",
        } <= {d["name"] for d in deployments}
        workers = httpx.post(
            f"{ui}/api/work_pools/{WORK_POOL}/workers/filter", json={}, timeout=10
        ).json()
        assert [w["name"] for w in workers] == ["speechflows-dev-worker"]
        env_file = root / ".speechflows" / "dev" / "env"
        assert env_file.stat().st_mode & 0o777 == 0o600
        assert f"127.0.0.1:{ports['--emulator-port']}" in env_file.read_text()
        status = _cli("status", root=root)
        assert status.stdout.count("running") == 4, status.stdout
        assert (root / ".prefect" / "prefect.db").exists()  # PREFECT_HOME in the checkout
        assert not (root / "data").exists()  # the defaults' inputs are in Blob, not on a disk
        with PrefectAPI(f"{ui}/api") as api:
            ids = []
            for name in (
                "professional-voice-onboarding/professional-voice",
                "personal-voice-onboarding/personal-voice",
                "custom-speech-onboarding/custom-speech",
            ):
                created = api.create_run(api.deployment(name)["id"], {})  # the UI's *Run*
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            runs = [api.wait_for_run(i, timeout=300) for i in ids]
            assert [r["state_type"] for r in runs] == ["COMPLETED"] * 3, [
                api.failure_logs(r["id"]) for r in runs if r["state_type"] != "COMPLETED"
            ]
    finally:
        state = root / ".speechflows" / "dev" / "stack.json"
        services = json.loads(state.read_text())["services"] if state.exists() else []
        pids = [s["pid"] for s in services]
        down = _cli("down", root=root)
    assert down.returncode == 0, down.stderr
    assert down.stdout.count("stopped") == 4, down.stdout
    assert pids and not [
        p
        for p in pids
        if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE
    ]
    assert "down" in _cli("status", root=root).stdout
