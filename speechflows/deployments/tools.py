"""Running a tool (git, ``prefect deploy``, uv, PostgreSQL's) to completion, its output captured."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_tool(
    argv: Sequence[str],
    *,
    cwd: Path,
    timeout: float,
    env: Mapping[str, str] | None = None,
    user: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``argv`` in ``cwd`` with no stdin, stdout and stderr captured as text.

    The caller reads the exit code (nothing is raised for it). ``env`` replaces the environment
    (``None``: this process's); ``user`` runs it as that user.

    Raises:
        subprocess.TimeoutExpired: it did not finish within ``timeout`` seconds.
    """
    return subprocess.run(
        list(argv),
        cwd=cwd,
        env=env,
        user=user,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
