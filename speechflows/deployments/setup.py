"""Project setup on a Prefect server: the work pool, the Speech API rate limit, the deployments.

Nothing here is done by hand: ``speechflows setup`` (and ``speechflows dev up``) call
:func:`ensure_setup`, then :func:`deploy_all` applies ``prefect.yaml``. Both are idempotent.

>>> ensure_setup()                          # doctest: +SKIP  (uses PREFECT_API_URL)
SetupResult(work_pool='speechflows', pool_created=True, limit_created=True)
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from prefect import get_client
from prefect.client.schemas.actions import (
    GlobalConcurrencyLimitCreate,
    GlobalConcurrencyLimitUpdate,
    WorkPoolCreate,
)
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.utilities.asyncutils import run_coro_as_sync
from prefect.workers.process import ProcessWorker

from speechflows.tasks.throttle import (
    SPEECH_API_DECAY_PER_SECOND,
    SPEECH_API_LIMIT,
    SPEECH_API_LIMIT_SLOTS,
)

WORK_POOL = "speechflows"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


class SetupError(RuntimeError):
    """The project could not be set up on the Prefect server; the message says why and what to do."""


@dataclass(frozen=True)
class SetupResult:
    """What :func:`ensure_setup` found or created."""

    work_pool: str
    pool_created: bool
    limit_created: bool


async def aensure_setup(
    *,
    work_pool: str = WORK_POOL,
    limit: int = SPEECH_API_LIMIT_SLOTS,
    slot_decay_per_second: float = SPEECH_API_DECAY_PER_SECOND,
) -> SetupResult:
    """Create the process work pool and the Speech API rate limit when missing (async)."""
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
    return SetupResult(work_pool=work_pool, pool_created=pool_created, limit_created=limit_created)


def ensure_setup(
    *,
    work_pool: str = WORK_POOL,
    limit: int = SPEECH_API_LIMIT_SLOTS,
    slot_decay_per_second: float = SPEECH_API_DECAY_PER_SECOND,
    api_url: str | None = None,
) -> SetupResult:
    """Create the process work pool and the Speech API rate limit when missing.

    Uses ``api_url``, else the Prefect API of the current profile (``PREFECT_API_URL``).
    """
    updates = {PREFECT_API_URL: api_url} if api_url else {}
    with temporary_settings(updates=updates):
        result = run_coro_as_sync(
            aensure_setup(
                work_pool=work_pool, limit=limit, slot_decay_per_second=slot_decay_per_second
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
) -> str:
    """Apply every deployment in ``root/prefect.yaml`` (or only ``names``) to the server at ``api_url``.

    Runs ``prefect --no-prompt deploy --all`` in ``root``; ``PWD`` is set to ``root`` because the
    pull step's working directory is templated from it.

    Returns:
        The command's output.

    Raises:
        SetupError: The command failed; the message carries its output.
    """
    prefect_bin = Path(sys.executable).with_name("prefect")
    argv = [str(prefect_bin), "--no-prompt", "deploy"]
    argv += [a for n in names for a in ("--name", n)] if names else ["--all"]
    full_env = {**os.environ, **(env or {}), "PREFECT_API_URL": api_url, "PWD": str(root)}
    try:
        done = subprocess.run(
            argv,
            cwd=root,
            env=full_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
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
    "SetupError",
    "SetupResult",
    "aensure_setup",
    "deploy_all",
    "ensure_setup",
]
