"""A throwaway PostgreSQL cluster on 127.0.0.1, for a Prefect server shared by several workers.

``initdb`` + ``pg_ctl`` from the Debian ``postgresql`` package (reference/prefect.md §6), in a
fresh temp dir, trust auth on loopback only. PostgreSQL refuses to run as root, so when we are
root the cluster is owned by and run as the ``postgres`` system user.

Example:
    >>> with Postgres.start() as pg:                          # doctest: +SKIP
    ...     pg.create_database("prefect")
    ...     url = pg.async_url("prefect")   # postgresql+asyncpg://postgres@127.0.0.1:PORT/prefect
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from speechflows.deployments.tools import run_tool
from speechflows.dev.processes import ServiceStartError, StopOnExit, free_port
from speechflows.redaction import register_secret

_LIVE: set[Postgres] = set()


def postgres_bin_dir() -> Path:
    """The newest ``/usr/lib/postgresql/<ver>/bin`` with ``initdb``, or ``$SPEECHFLOWS_PG_BIN``."""
    env = os.environ.get("SPEECHFLOWS_PG_BIN")
    if env and (Path(env) / "initdb").exists():
        return Path(env)
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise ServiceStartError(
        "PostgreSQL's initdb was not found: install the Debian package `postgresql` "
        "(`make test` does it via scripts/system-deps.sh) or set SPEECHFLOWS_PG_BIN"
    )


@dataclass(eq=False)
class Postgres(StopOnExit):
    """A running PostgreSQL cluster in its own temp dir."""

    port: int
    base_dir: Path
    bin_dir: Path
    user: str | None = None
    host: str = "127.0.0.1"
    password: str | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_path(self) -> Path:
        return self.base_dir / "postgres.log"

    @classmethod
    def start(
        cls,
        *,
        port: int | None = None,
        timeout: float = 60.0,
        host: str = "127.0.0.1",
        password: str | None = None,
    ) -> Postgres:
        """Create a cluster in a new temp dir and start it on ``host:port``.

        With ``password``, the ``postgres`` role has it and every TCP connection must give it
        (``scram-sha-256``): what a server reachable from other hosts needs. Without, trust auth
        on loopback only.
        """
        register_secret(password)
        if password is None and host not in ("127.0.0.1", "localhost"):
            raise ServiceStartError(
                f"PostgreSQL on {host} needs a password (Postgres.start(password=...)): "
                "trust authentication is for loopback only"
            )
        bin_dir = postgres_bin_dir()
        user = "postgres" if os.geteuid() == 0 else None
        base = Path(tempfile.mkdtemp(prefix="speechflows-pg-"))
        if user is not None:
            entry = pwd.getpwnam(user)
            os.chown(base, entry.pw_uid, entry.pw_gid)
        pg = cls(
            port=port or free_port(),
            base_dir=base,
            bin_dir=bin_dir,
            user=user,
            host=host,
            password=password,
        )
        try:
            auth = ["--auth=trust"]
            if password is not None:
                pwfile = base / "pwfile"
                pwfile.write_text(password + "\n")
                if user is not None:
                    entry = pwd.getpwnam(user)
                    os.chown(pwfile, entry.pw_uid, entry.pw_gid)
                pwfile.chmod(0o600)
                auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
            pg._run(
                "initdb",
                "-D",
                str(pg.data_dir),
                "-U",
                "postgres",
                *auth,
                "-E",
                "UTF8",
                "--no-sync",
                timeout=timeout,
            )
            if password is not None:
                (base / "pwfile").unlink()
                with (pg.data_dir / "pg_hba.conf").open("a") as hba:
                    hba.write("host all all 0.0.0.0/0 scram-sha-256\n")
            _LIVE.add(pg)
            options = f"-c listen_addresses={host} -p {pg.port} -k {base} -c fsync=off"
            pg._run(
                "pg_ctl",
                "-D",
                str(pg.data_dir),
                "-l",
                str(pg.log_path),
                "-o",
                options,
                "-w",
                "-t",
                str(int(timeout)),
                "start",
                timeout=timeout + 10,
            )
        except BaseException:
            pg.stop()
            raise
        return pg

    def _run(self, tool: str, *args: str, timeout: float) -> str:
        argv = [str(self.bin_dir / tool), *args]
        try:
            done = run_tool(argv, cwd=self.base_dir, timeout=timeout, user=self.user)
        except subprocess.TimeoutExpired as exc:
            raise ServiceStartError(
                f"PostgreSQL {tool} did not finish within {timeout:.0f} s"
            ) from exc
        if done.returncode != 0:
            log = ""
            if self.log_path.exists():
                log = "\n" + "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])
            raise ServiceStartError(
                f"PostgreSQL {tool} failed (exit {done.returncode}): "
                f"{(done.stderr or done.stdout).strip()[-2000:]}{log}"
            )
        return done.stdout

    def create_database(self, name: str) -> None:
        """Create database ``name`` owned by the ``postgres`` superuser (over the unix socket)."""
        self._run(
            "createdb",
            "-h",
            str(self.base_dir),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
            timeout=30,
        )

    def async_url(self, database: str) -> str:
        """SQLAlchemy URL for asyncpg (the driver Prefect ships with), with the password if set."""
        auth = "postgres" if self.password is None else f"postgres:{quote(self.password, safe='')}"
        return f"postgresql+asyncpg://{auth}@{self.host}:{self.port}/{database}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster's directory."""
        if self._stopped:
            return
        self._stopped = True
        _LIVE.discard(self)
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(ServiceStartError):
                self._run(
                    "pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop", timeout=60
                )
        shutil.rmtree(self.base_dir, ignore_errors=True)


@atexit.register
def _stop_all() -> None:
    for pg in list(_LIVE):
        pg.stop()


__all__ = ["Postgres", "postgres_bin_dir"]
