"""Hosts on one machine: network namespaces on a bridge, running from venvs without the checkout.

The multi-host test (``tests/deployments/test_multi_host.py``) and ``benchmarks/scale.py --hosts``
rehearse the README's "Scaling out" recipe with these: the server host is the root namespace on
the bridge's address (10.231.<n>.1); each worker host is a network namespace (10.231.<n>.10+i)
whose worker runs in a mount namespace where the checkout is an empty tmpfs, from a venv made
outside the checkout by the README's install command. Needs root (``ip netns``, ``unshare``).

Only addresses of the namespaces created here are used; :meth:`Network.destroy` removes them.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from speechflows.deployments import wheel
from speechflows.dev.prefect_server import QUIET_ENV, worker_registered
from speechflows.dev.processes import ManagedProcess


def _sh(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, timeout=60)


@dataclass
class Network:
    """A bridge in the root namespace (the server host) and one namespace per worker host."""

    bridge: str
    server_ip: str
    hosts: dict[str, str]  # namespace -> its address

    @classmethod
    def create(cls, workers: int) -> Network:
        tag = secrets.token_hex(2)
        subnet = 200 + int(tag, 16) % 50
        bridge = f"sfbr{tag}"
        net = cls(bridge, f"10.231.{subnet}.1", {})
        try:
            _sh("ip", "link", "add", bridge, "type", "bridge")
            _sh("ip", "addr", "add", f"{net.server_ip}/24", "dev", bridge)
            _sh("ip", "link", "set", bridge, "up")
            for i in range(workers):
                ns, veth = f"sfw{i}{tag}", f"sfv{i}{tag}"
                _sh("ip", "netns", "add", ns)
                net.hosts[ns] = f"10.231.{subnet}.{10 + i}"
                _sh("ip", "link", "add", veth, "type", "veth", "peer", "name", f"{veth}p")
                _sh("ip", "link", "set", f"{veth}p", "netns", ns)
                _sh("ip", "link", "set", veth, "master", bridge)
                _sh("ip", "link", "set", veth, "up")
                run = ("ip", "netns", "exec", ns, "ip")
                _sh(*run, "addr", "add", f"{net.hosts[ns]}/24", "dev", f"{veth}p")
                _sh(*run, "link", "set", f"{veth}p", "up")
                _sh(*run, "link", "set", "lo", "up")
        except BaseException:
            net.destroy()
            raise
        return net

    @property
    def namespaces(self) -> list[str]:
        return list(self.hosts)

    def pids(self, ns: str) -> list[int]:
        """Every process living in namespace ``ns`` (the host's processes)."""
        done = subprocess.run(
            ["ip", "netns", "pids", ns], capture_output=True, text=True, timeout=30, check=False
        )
        return [int(p) for p in done.stdout.split()]

    def kill_host(self, ns: str) -> list[int]:
        """SIGKILL every process of host ``ns`` (a machine that dies); return their pids."""
        killed = self.pids(ns)
        for pid in killed:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return killed

    def destroy(self) -> None:
        for ns in self.hosts:
            self.kill_host(ns)
            subprocess.run(["ip", "netns", "delete", ns], check=False, capture_output=True)
        subprocess.run(["ip", "link", "delete", self.bridge], check=False, capture_output=True)


def worker_venv(dist: wheel.Distribution, where: Path, *, package: bool = True) -> Path:
    """A venv at ``where`` with the README's install command (uv's pip, same arguments).

    ``package=False`` installs the locked requirements only (``--no-deps -r requirements.txt``):
    a host that gets the code from git (``speechflows deploy --code-from-git``).
    """
    uv = wheel.uv_bin()
    subprocess.run(
        [uv, "venv", "--quiet", "--python", sys.executable, str(where)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    argv = dist.install_argv([uv, "pip"])
    if not package:
        argv.remove(str(dist.wheel))
    done = subprocess.run(
        [*argv, "--quiet", "--python", str(where / "bin" / "python")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"installing into {where} failed: {done.stderr[-2000:]}")
    _link_bytecode(where)
    return where


def _site_packages(prefix: Path) -> Path:
    return prefix / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def _link_bytecode(venv: Path) -> int:
    """Hard-link into ``venv`` the bytecode this interpreter's venv compiled for the same files.

    uv links both venvs' files from its cache, so a source file here and there is one inode and
    its ``.pyc`` (which records the source's mtime and size) is valid for both: the host's
    processes then do not each compile Prefect again on their first import (what
    ``--compile-bytecode`` would do, without compiling anything). Returns the count linked.
    """
    ours, theirs = _site_packages(Path(sys.prefix)), _site_packages(venv)
    linked = 0
    for pyc in ours.glob("**/__pycache__/*.pyc"):
        rel = pyc.parent.parent.relative_to(ours)
        source = theirs / rel / f"{pyc.name.split('.', 1)[0]}.py"
        target = theirs / rel / "__pycache__" / pyc.name
        try:
            if target.exists() or not source.samefile(ours / rel / source.name):
                continue
            target.parent.mkdir(exist_ok=True)
            os.link(pyc, target)
        except OSError:  # not installed there, or another file: the host compiles it itself
            continue
        linked += 1
    return linked


def in_host(ns: str, hide: Path, command: str) -> list[str]:
    """The argv running shell ``command`` on host ``ns`` with ``hide`` (the checkout) empty."""
    script = f"mount -t tmpfs none {shlex.quote(str(hide))} && {command}"
    return ["ip", "netns", "exec", ns, "unshare", "-m", "--", "sh", "-c", script]


def host_worker(
    ns: str,
    venv: Path,
    home: Path,
    *,
    hide: Path,
    pool: str,
    name: str,
    api_url: str,
    auth_string: str,
    limit: int = 4,
    env: Mapping[str, str] | None = None,
    log_path: Path | None = None,
) -> ManagedProcess:
    """A process worker on host ``ns`` (not started): only the Prefect client settings + ``env``."""
    home.mkdir(parents=True, exist_ok=True)
    full = {
        **QUIET_ENV,
        "PATH": f"{venv}/bin:/usr/bin:/bin",
        "HOME": str(home),
        "PREFECT_HOME": str(home),
        "PREFECT_API_URL": api_url,
        "PREFECT_API_AUTH_STRING": auth_string,
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_PREFETCH_SECONDS": "1",
        **(env or {}),
    }
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in full.items())
    command = (
        f"cd {shlex.quote(str(home))} && exec env -i {exports} {venv}/bin/prefect worker start "
        f"--pool {shlex.quote(pool)} --name {shlex.quote(name)} --type process --limit {limit}"
    )
    return ManagedProcess(
        f"worker {name}",
        in_host(ns, hide, command),
        port=0,
        log_path=log_path,
        ready=lambda: worker_registered(api_url, pool, name, auth_string),
        start_timeout=180,
        reset_sigint=True,
    )


__all__ = ["Network", "host_worker", "in_host", "worker_venv"]
