"""``speechflows deploy --code-from-git``: the pinned commit, its refusals, the derived prefect.yaml.

Real git repositories in a temporary folder (a bare "remote" and a clone); the multi-host test
runs a deployment through the pull step on a host without the package.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from speechflows.deployments.git_code import (
    GIT_CLONE_STEP,
    GitCode,
    GitCodeError,
    pinned_checkout,
    prefect_file_with,
)
from speechflows.deployments.setup import PROJECT_ROOT

ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "PATH": "/usr/bin:/bin",
    "HOME": "/nonexistent",
}


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.strip()


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """(a bare remote, a clone of it with one pushed commit)."""
    remote, clone = tmp_path / "remote.git", tmp_path / "clone"
    _git(tmp_path, "init", "--quiet", "--bare", str(remote))
    _git(tmp_path, "clone", "--quiet", str(remote), str(clone))
    (clone / "flow.py").write_text("x = 1\n")
    _git(clone, "add", "flow.py")
    _git(clone, "commit", "--quiet", "-m", "one")
    _git(clone, "push", "--quiet", "origin", "HEAD:main")
    return remote, clone


def test_a_clean_pushed_checkout_is_pinned_to_its_commit(repos: tuple[Path, Path]) -> None:
    remote, clone = repos
    code = pinned_checkout(clone, str(remote))
    assert code == GitCode(repository=str(remote), commit=_git(clone, "rev-parse", "HEAD"))
    assert code.pull_steps() == [
        {GIT_CLONE_STEP: {"repository": str(remote), "commit_sha": code.commit}}
    ]


def test_an_ancestor_of_a_pushed_branch_is_on_the_remote(repos: tuple[Path, Path]) -> None:
    remote, clone = repos
    first = _git(clone, "rev-parse", "HEAD")
    (clone / "flow.py").write_text("x = 2\n")
    _git(clone, "commit", "--quiet", "-am", "two")
    _git(clone, "push", "--quiet", "origin", "HEAD:main")
    _git(clone, "checkout", "--quiet", first)
    assert pinned_checkout(clone, str(remote)).commit == first


def test_uncommitted_changes_are_refused_with_the_files_and_the_fix(
    repos: tuple[Path, Path],
) -> None:
    remote, clone = repos
    (clone / "flow.py").write_text("x = 3\n")
    with pytest.raises(GitCodeError) as refused:
        pinned_checkout(clone, str(remote))
    assert "uncommitted changes (flow.py)" in str(refused.value)
    assert "git stash" in str(refused.value)


def test_a_commit_not_pushed_is_refused_with_the_push_command(repos: tuple[Path, Path]) -> None:
    remote, clone = repos
    (clone / "flow.py").write_text("x = 4\n")
    _git(clone, "commit", "--quiet", "-am", "local only")
    with pytest.raises(GitCodeError) as refused:
        pinned_checkout(clone, str(remote))
    commit = _git(clone, "rev-parse", "HEAD")
    assert f"commit {commit[:12]} is not on {remote}" in str(refused.value)
    assert f"git push {remote} HEAD" in str(refused.value)


def test_an_unreadable_repository_and_a_folder_without_git_are_refused(
    repos: tuple[Path, Path], tmp_path: Path
) -> None:
    _, clone = repos
    with pytest.raises(GitCodeError, match="cannot read"):
        pinned_checkout(clone, str(tmp_path / "missing.git"))
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitCodeError, match="is not a git checkout"):
        pinned_checkout(plain, str(tmp_path / "remote.git"))


def test_the_derived_prefect_file_keeps_every_deployment_and_pulls_from_git(
    tmp_path: Path,
) -> None:
    code = GitCode(repository="https://git.example.invalid/speechflows.git", commit="ab" * 20)
    derived = yaml.safe_load(
        prefect_file_with(code, PROJECT_ROOT / "prefect.yaml", tmp_path / "p.yaml").read_text()
    )
    original = yaml.safe_load((PROJECT_ROOT / "prefect.yaml").read_text())
    assert original["pull"] == []
    assert derived["pull"] == code.pull_steps()
    assert [d["name"] for d in derived["deployments"]] == [
        d["name"] for d in original["deployments"]
    ]
    assert [d["entrypoint"] for d in derived["deployments"]] == [
        d["entrypoint"] for d in original["deployments"]
    ]
    assert all("pull" not in d for d in derived["deployments"])
