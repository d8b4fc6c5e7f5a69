"""The installable for a worker host: the wheel and, beside it, the locked requirements.

``pip install <wheel>`` alone does not resolve on a fresh machine: Prefect 3.9.1 declares
``certifi>=2026.10.19`` and the registry's newest certifi is 2026.10.18 (the lock carries the
override, pyproject ``[tool.uv] override-dependencies``). pip's ``--constraint`` cannot loosen a
requirement, so the override travels as ``requirements.txt``: every package pinned as in
``uv.lock`` (certifi at the override), installed without resolution::

    pip install --no-deps -r requirements.txt speechflows-0.1.0-py3-none-any.whl

(``uv pip install --no-deps -r requirements.txt speechflows-*.whl`` is the same, faster.)

``make wheel`` (= :func:`build`) writes both into ``dist/``; the Dockerfile installs them.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from speechflows.deployments.setup import PROJECT_ROOT, SetupError
from speechflows.deployments.tools import run_tool

REQUIREMENTS = "requirements.txt"
EXTRAS = ("entra",)
"""Extras a worker host gets: Entra ID (azure-identity) for keyless Speech and Storage."""


@dataclass(frozen=True)
class Distribution:
    """A built wheel and the locked requirements shipped beside it."""

    wheel: Path
    requirements: Path

    def install_argv(self, pip: list[str]) -> list[str]:
        """``pip`` (e.g. ``["uv", "pip"]``) + the one install command of the README."""
        return [*pip, "install", "--no-deps", "-r", str(self.requirements), str(self.wheel)]


def uv_bin(root: Path = PROJECT_ROOT) -> str:
    """The project's pinned uv (``make deps`` installs it), else one on PATH."""
    local = root / ".tools" / "bin" / "uv"
    if local.exists():
        return str(local)
    found = shutil.which("uv")
    if found is None:
        raise SetupError("uv was not found: run `make deps` (installs .tools/bin/uv)")
    return found


def _run(argv: list[str], root: Path, timeout: float) -> str:
    done = run_tool(argv, cwd=root, timeout=timeout)
    if done.returncode != 0:
        raise SetupError(f"`{' '.join(argv)}` failed: {(done.stderr or done.stdout)[-2000:]}")
    return done.stdout


def build(out_dir: Path, *, root: Path = PROJECT_ROOT, timeout: float = 300.0) -> Distribution:
    """Build the wheel into ``out_dir`` and write the locked ``requirements.txt`` beside it."""
    uv = uv_bin(root)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("speechflows-*.whl"):
        old.unlink()
    _run([uv, "build", "--wheel", "--out-dir", str(out_dir), str(root)], root, timeout)
    wheel = next(out_dir.glob("speechflows-*.whl"))
    requirements = out_dir / REQUIREMENTS
    extras = [a for e in EXTRAS for a in ("--extra", e)]
    _run(
        [
            uv,
            "export",
            "--frozen",
            "--no-emit-project",
            "--no-hashes",
            "--format",
            "requirements.txt",
            *extras,
            "--output-file",
            str(requirements),
        ],
        root,
        timeout,
    )
    return Distribution(wheel=wheel, requirements=requirements)


__all__ = ["EXTRAS", "REQUIREMENTS", "Distribution", "build", "uv_bin"]
