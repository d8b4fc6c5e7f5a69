"""Code from git, pinned to the deployed commit: for process workers without the package.

The default deployments (``pull: []``) need the package installed on every worker host. A process
pool whose hosts have only the locked requirements (``pip install --no-deps -r requirements.txt``,
no wheel) gets its code from git instead: ``speechflows deploy --code-from-git URL`` applies the
deployments of ``prefect.yaml`` with one pull step, Prefect's own ``git_clone``, pinned to the
commit of the deploying checkout::

    pull:
      - prefect.deployments.steps.git_clone:
          repository: https://git.example.com/speechflows.git
          commit_sha: 0123456789abcdef0123456789abcdef01234567

Each flow run clones that commit into its working directory and imports the module entrypoints
from the clone, so a run always executes the code that was deployed, whatever the branch does
afterwards. The checkout must be clean (the commit is what runs) and the commit must be on the
repository (pushed) — :func:`pinned_checkout` refuses otherwise, before anything is deployed.
The workers read the repository with their own git access (public, a credential helper or an SSH
key of the host): no credential is written into the deployment.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from speechflows.deployments.tools import run_tool

GIT_CLONE_STEP = "prefect.deployments.steps.git_clone"


class GitCodeError(RuntimeError):
    """The checkout cannot be deployed as code from git; the message says why and what to do."""


@dataclass(frozen=True)
class GitCode:
    """The repository the workers clone and the commit they check out."""

    repository: str
    commit: str

    def pull_steps(self) -> list[dict[str, Any]]:
        """The deployments' ``pull`` section: one ``git_clone`` of :attr:`commit`."""
        return [{GIT_CLONE_STEP: {"repository": self.repository, "commit_sha": self.commit}}]


def _git(root: Path, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    return run_tool(["git", *args], cwd=root, timeout=timeout)


def pinned_checkout(root: Path, repository: str) -> GitCode:
    """The commit of the checkout at ``root``, checked to be what the workers will clone.

    Raises:
        GitCodeError: ``root`` is not a git checkout, has uncommitted changes to tracked files,
            or ``repository`` cannot be read or holds no branch or tag containing the commit.
    """
    head = _git(root, "rev-parse", "HEAD")
    if head.returncode != 0:
        raise GitCodeError(
            f"--code-from-git: {root} is not a git checkout ({head.stderr.strip()}); "
            "deploy from a clone of the repository the workers read"
        )
    commit = head.stdout.strip()
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    if dirty.stdout.strip():
        changed = ", ".join(line[3:] for line in dirty.stdout.splitlines()[:5])
        raise GitCodeError(
            f"--code-from-git: {root} has uncommitted changes ({changed}); the workers run commit "
            f"{commit[:12]}, not these files. Commit and push them (git commit -a && git push), "
            "or stash them (git stash), then deploy again"
        )
    remote = _git(root, "ls-remote", repository)
    if remote.returncode != 0:
        raise GitCodeError(
            f"--code-from-git: cannot read {repository} ({remote.stderr.strip()[-300:]}); give "
            "the URL the workers clone, readable from this machine too"
        )
    tips = {line.split()[0] for line in remote.stdout.splitlines() if line.strip()}
    if commit not in tips and not any(
        _git(root, "merge-base", "--is-ancestor", commit, tip).returncode == 0 for tip in tips
    ):
        raise GitCodeError(
            f"--code-from-git: commit {commit[:12]} is not on {repository} (no branch or tag "
            f"there contains it): push it first (git push {repository} HEAD), then deploy again"
        )
    return GitCode(repository=repository, commit=commit)


def prefect_file_with(code: GitCode, source: Path, target: Path) -> Path:
    """Write ``source`` (a ``prefect.yaml``) to ``target`` with ``code``'s pull step everywhere."""
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    spec["pull"] = code.pull_steps()
    for deployment in spec.get("deployments") or []:
        deployment.pop("pull", None)  # the top-level step applies to every deployment
    target.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    return target


__all__ = ["GIT_CLONE_STEP", "GitCode", "GitCodeError", "pinned_checkout", "prefect_file_with"]
