"""Project setup on a Prefect server: the work pool, the Speech API rate limit, the deployments.

Nothing here is done by hand: ``speechflows setup`` (and ``speechflows dev up``) call
:func:`ensure_setup`, then :func:`deploy_all` applies ``prefect.yaml``. Both are idempotent.

It also sets up zombie detection: every flow run sends a heartbeat event
(``PREFECT_FLOWS_HEARTBEAT_FREQUENCY``, 180 s by default); the automation
:data:`ZOMBIE_AUTOMATION` (Prefect's proactive-trigger recipe) marks a run *Crashed* when no
heartbeat and no terminal state follows its last heartbeat within ``zombie_after_seconds``, so a
run whose process was killed does not stay *Running* forever.

>>> ensure_setup()                          # doctest: +SKIP  (uses PREFECT_API_URL)
SetupResult(work_pool='speechflows', pool_created=True, limit_created=True, zombie_automation_created=True)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from prefect import get_client
from prefect.client.orchestration import PrefectClient
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
    WorkPoolCreate,
)
from prefect.client.schemas.objects import StateType
from prefect.events.actions import ChangeFlowRunState
from prefect.events.schemas.automations import AutomationCore, EventTrigger, Posture
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.utilities.asyncutils import run_coro_as_sync
from prefect.workers.process import ProcessWorker

from speechflows.deployments.git_code import GitCode, prefect_file_with
from speechflows.deployments.tools import run_tool
from speechflows.tasks.throttle import (
    SPEECH_API_DECAY_PER_SECOND,
    SPEECH_API_LIMIT,
    SPEECH_API_LIMIT_SLOTS,
)

WORK_POOL = "speechflows"
PROJECT_ROOT = Path(__file__).resolve().parents[2]
ZOMBIE_AUTOMATION = "speechflows-crash-zombie-flow-runs"
ZOMBIE_AFTER_SECONDS = 600.0
"""Three missed heartbeats at Prefect's default 180 s, plus a margin."""
_TERMINAL_EVENTS = (
    "prefect.flow-run.Completed",
    "prefect.flow-run.Failed",
    "prefect.flow-run.Cancelled",
    "prefect.flow-run.Crashed",
    # A parked run (Suspended, tasks/parking.py) sends no heartbeat until it is resumed.
    "prefect.flow-run.Suspended",
)


class SetupError(RuntimeError):
    """The project could not be set up on the Prefect server; the message says why and what to do."""


@dataclass(frozen=True)
class SetupResult:
    """What :func:`ensure_setup` found or created."""

    work_pool: str
    pool_created: bool
    limit_created: bool
    zombie_automation_created: bool = False


def zombie_automation(after_seconds: float = ZOMBIE_AFTER_SECONDS) -> AutomationCore:
    """Mark a flow run *Crashed* when ``after_seconds`` pass after a heartbeat with nothing new.

    Prefect's recipe for zombie flow runs: a proactive trigger per flow run, armed by a heartbeat,
    expecting another heartbeat or a terminal state.
    """
    return AutomationCore(
        name=ZOMBIE_AUTOMATION,
        description="speechflows: flow runs whose process died (no heartbeat) become Crashed",
        trigger=EventTrigger(
            match={"prefect.resource.id": "prefect.flow-run.*"},
            after={"prefect.flow-run.heartbeat"},
            expect={"prefect.flow-run.heartbeat", *_TERMINAL_EVENTS},
            for_each={"prefect.resource.id"},
            posture=Posture.Proactive,
            threshold=1,
            within=timedelta(seconds=after_seconds),
        ),
        actions=[
            ChangeFlowRunState(
                state=StateType.CRASHED,
                message=f"no heartbeat for {after_seconds:.0f} s: the flow run's process died. "
                "Run the onboarding again: it re-attaches to what was created",
            )
        ],
    )


async def _ensure_zombie_automation(client: PrefectClient, after_seconds: float) -> bool:
    """Create or update :data:`ZOMBIE_AUTOMATION`; True when it was created."""
    wanted = zombie_automation(after_seconds)
    existing = await client.read_automations_by_name(ZOMBIE_AUTOMATION)
    if not existing:
        await client.create_automation(wanted)
        return True
    await client.update_automation(existing[0].id, wanted)
    for extra in existing[1:]:  # a race of two setups: keep one
        await client.delete_automation(extra.id)
    return False


async def aensure_setup(
    *,
    work_pool: str = WORK_POOL,
    limit: int = SPEECH_API_LIMIT_SLOTS,
    slot_decay_per_second: float = SPEECH_API_DECAY_PER_SECOND,
    zombie_after_seconds: float = ZOMBIE_AFTER_SECONDS,
) -> SetupResult:
    """Create the work pool, the Speech API rate limit and the zombie automation (async)."""
    if limit < 1 or slot_decay_per_second <= 0:
        raise SetupError(
            f"the {SPEECH_API_LIMIT} rate limit needs limit >= 1 and slot_decay_per_second > 0 "
            f"(got {limit}, {slot_decay_per_second}); Prefect rate limits require a decay"
        )
    async with get_client() as client:
        pool_created = False
        try:
            pool = await client.read_work_pool(work_pool)
        except ObjectNotFound:
            await client.create_work_pool(
                WorkPoolCreate(
                    name=work_pool,
                    type="process",
                    description="speechflows onboardings (process worker: speechflows dev up)",
                    base_job_template=ProcessWorker.get_default_base_job_template(),
                )
            )
            pool_created = True
        else:
            if pool.type != "process":
                raise SetupError(
                    f"work pool {work_pool!r} exists with type {pool.type!r}; prefect.yaml needs a "
                    "'process' pool (delete it with `prefect work-pool delete` or choose another name)"
                )
        limit_created = False
        try:
            await client.read_global_concurrency_limit_by_name(SPEECH_API_LIMIT)
        except ObjectNotFound:
            await client.create_global_concurrency_limit(
                GlobalConcurrencyLimitCreate(
                    name=SPEECH_API_LIMIT, limit=limit, slot_decay_per_second=slot_decay_per_second
                )
            )
            limit_created = True
        else:
            await client.update_global_concurrency_limit(
                SPEECH_API_LIMIT,
                GlobalConcurrencyLimitUpdate(
                    limit=limit, slot_decay_per_second=slot_decay_per_second
                ),
            )
        zombie_created = await _ensure_zombie_automation(client, zombie_after_seconds)
    return SetupResult(
        work_pool=work_pool,
        pool_created=pool_created,
        limit_created=limit_created,
        zombie_automation_created=zombie_created,
    )


def ensure_setup(
    *,
    work_pool: str = WORK_POOL,
    limit: int = SPEECH_API_LIMIT_SLOTS,
    slot_decay_per_second: float = SPEECH_API_DECAY_PER_SECOND,
    api_url: str | None = None,
    zombie_after_seconds: float = ZOMBIE_AFTER_SECONDS,
) -> SetupResult:
    """Create the work pool, the Speech API rate limit and the zombie automation when missing.

    Uses ``api_url``, else the Prefect API of the current profile (``PREFECT_API_URL``).
    """
    updates = {PREFECT_API_URL: api_url} if api_url else {}
    with temporary_settings(updates=updates):
        result = run_coro_as_sync(
            aensure_setup(
                work_pool=work_pool,
                limit=limit,
                slot_decay_per_second=slot_decay_per_second,
                zombie_after_seconds=zombie_after_seconds,
            )
        )
    if result is None:  # pragma: no cover - run_coro_as_sync returns None only when cancelled
        raise SetupError("project setup was cancelled")
    return result


def deploy_all(
    *,
    api_url: str,
    root: Path = PROJECT_ROOT,
    env: dict[str, str] | None = None,
    names: list[str] | None = None,
    timeout: float = 300.0,
    code: GitCode | None = None,
    work_pool: str | None = None,
) -> str:
    """Apply every deployment in ``root/prefect.yaml`` (or only ``names``) to the server at ``api_url``.

    Runs ``prefect --no-prompt deploy --all`` in ``root``. The deployments name modules of the
    installed package and have no pull step, so nothing of ``root`` is recorded in them. With
    ``code`` (:func:`speechflows.deployments.git_code.pinned_checkout`) they get one pull step
    instead, a ``git_clone`` of that commit, for workers that have the requirements but not the
    package. ``work_pool`` sends them to another pool than prefect.yaml's.

    Returns:
        The command's output.

    Raises:
        SetupError: The command failed; the message carries its output.
    """
    prefect_bin = Path(sys.executable).with_name("prefect")
    argv = [str(prefect_bin), "--no-prompt", "deploy"]
    argv += [a for n in names for a in ("--name", n)] if names else ["--all"]
    argv += ["--pool", work_pool] if work_pool else []
    full_env = {**os.environ, **(env or {}), "PREFECT_API_URL": api_url, "PWD": str(root)}
    with tempfile.TemporaryDirectory(prefix="speechflows-deploy-") as scratch:
        if code is not None:
            derived = prefect_file_with(code, root / "prefect.yaml", Path(scratch) / "prefect.yaml")
            argv += ["--prefect-file", str(derived)]
        return _prefect_deploy(argv, root, full_env, timeout)


def _prefect_deploy(argv: list[str], root: Path, full_env: dict[str, str], timeout: float) -> str:
    try:
        done = run_tool(argv, cwd=root, env=full_env, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise SetupError(f"`prefect deploy --all` did not finish within {timeout:.0f} s") from exc
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise SetupError(
            f"`prefect deploy --all` in {root} failed with exit code {done.returncode}:\n"
            + output[-4000:]
        )
    return output


__all__ = [
    "PROJECT_ROOT",
    "WORK_POOL",
    "ZOMBIE_AFTER_SECONDS",
    "ZOMBIE_AUTOMATION",
    "SetupError",
    "SetupResult",
    "aensure_setup",
    "deploy_all",
    "ensure_setup",
    "zombie_automation",
]
