"""The emulator's state in one SQLite file under the data directory.

Tables: ``resources`` (one JSON body per API, collection and id, in creation order), ``jobs``
(background work: Custom Voice operations and Speech to text processing, with their schedule and
result), ``files`` (dataset reports and data files served through the emulator's own URLs),
``blocks`` (Speech to text block uploads) and ``creates`` (an audit of successful creates, for
tests that prove a re-run creates nothing).

Secrets: a job keeps the SAS URLs it needs in ``params`` only while it is not terminal (a restart
must be able to resume it); :meth:`Store.finish_job` erases them.

One connection, guarded by a lock: handlers and the background worker share it.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS resources (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    api TEXT NOT NULL, coll TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL,
    UNIQUE (api, coll, id));
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, api TEXT NOT NULL, kind TEXT NOT NULL, coll TEXT NOT NULL,
    resource_id TEXT NOT NULL, status TEXT NOT NULL, fingerprint TEXT NOT NULL,
    created REAL NOT NULL, next_at REAL NOT NULL, params TEXT NOT NULL, result TEXT,
    report TEXT, visible INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,
    created TEXT NOT NULL, duration_ms INTEGER, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (
    owner TEXT NOT NULL, block_id TEXT NOT NULL, seq INTEGER NOT NULL, data BLOB NOT NULL,
    PRIMARY KEY (owner, block_id));
CREATE TABLE IF NOT EXISTS creates (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, api TEXT NOT NULL, coll TEXT NOT NULL,
    id TEXT NOT NULL, name TEXT, at REAL NOT NULL);
"""

TERMINAL = frozenset({"Succeeded", "Failed"})


@dataclass
class Job:
    """Background work on one resource; a Custom Voice operation when ``visible``."""

    id: str
    api: str
    kind: str
    coll: str
    resource_id: str
    status: str = "NotStarted"
    fingerprint: str = ""
    created: float = field(default_factory=time.time)
    next_at: float = 0.0
    params: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    visible: bool = True

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class StoredFile:
    """A file the emulator produced (a dataset report, a data file, evaluation details)."""

    id: str
    owner: str
    name: str
    kind: str
    created: str
    duration_ms: int | None
    content: bytes


class Store:
    """SQLite-backed state. Every method is atomic and thread-safe."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.RLock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock across several calls and commit them together."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # resources ---------------------------------------------------------------------------
    def get(self, api: str, coll: str, rid: str) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM resources WHERE api=? AND coll=? AND id=?", (api, coll, rid)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def put(self, api: str, coll: str, rid: str, body: dict[str, Any]) -> None:
        """Insert or replace (keeping the creation order of an existing resource)."""
        text = json.dumps(body, separators=(",", ":"))
        with self._lock:
            cur = self._db.execute(
                "UPDATE resources SET body=? WHERE api=? AND coll=? AND id=?",
                (text, api, coll, rid),
            )
            if cur.rowcount == 0:
                self._db.execute(
                    "INSERT INTO resources (api, coll, id, body) VALUES (?, ?, ?, ?)",
                    (api, coll, rid, text),
                )

    def update(self, api: str, coll: str, rid: str, **changes: Any) -> dict[str, Any] | None:
        """Shallow-merge ``changes`` into a resource (``properties`` merges one level deeper)."""
        with self._lock:
            body = self.get(api, coll, rid)
            if body is None:
                return None
            for key, value in changes.items():
                if key == "properties" and isinstance(value, dict):
                    merged = dict(body.get("properties") or {})
                    merged.update(value)
                    body["properties"] = {k: v for k, v in merged.items() if v is not None}
                elif value is None:
                    body.pop(key, None)
                else:
                    body[key] = value
            self.put(api, coll, rid, body)
            return body

    def delete(self, api: str, coll: str, rid: str) -> bool:
        with self._lock:
            cur = self._db.execute(
                "DELETE FROM resources WHERE api=? AND coll=? AND id=?", (api, coll, rid)
            )
        return cur.rowcount > 0

    def list_resources(self, api: str, coll: str) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT body FROM resources WHERE api=? AND coll=? ORDER BY seq", (api, coll)
            ).fetchall()
        return [dict(json.loads(r[0])) for r in rows]

    def ids(self) -> dict[str, dict[str, list[str]]]:
        out: dict[str, dict[str, list[str]]] = {}
        with self._lock:
            rows = self._db.execute("SELECT api, coll, id FROM resources ORDER BY seq").fetchall()
        for api, coll, rid in rows:
            out.setdefault(api, {}).setdefault(coll, []).append(rid)
        return out

    # creates audit -------------------------------------------------------------------------
    def record_create(self, api: str, coll: str, rid: str, name: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO creates (api, coll, id, name, at) VALUES (?, ?, ?, ?, ?)",
                (api, coll, rid, name, time.time()),
            )

    def creates(self) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT api, coll, id, name, at FROM creates ORDER BY seq"
            ).fetchall()
        return [{"api": a, "collection": c, "id": i, "name": n, "at": t} for a, c, i, n, t in rows]

    # jobs --------------------------------------------------------------------------------
    def put_job(self, job: Job) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO jobs VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    job.id,
                    job.api,
                    job.kind,
                    job.coll,
                    job.resource_id,
                    job.status,
                    job.fingerprint,
                    job.created,
                    job.next_at,
                    json.dumps(job.params),
                    None if job.result is None else json.dumps(job.result),
                    None if job.report is None else json.dumps(job.report),
                    int(job.visible),
                ),
            )

    def get_job(self, job_id: str) -> Job | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id=?", (job_id,)).fetchone()
        return None if row is None else _job(row)

    def jobs(self, *, active_only: bool = False) -> list[Job]:
        sql = "SELECT * FROM jobs"
        if active_only:
            sql += " WHERE status NOT IN ('Succeeded', 'Failed')"
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY created").fetchall()
        return [_job(r) for r in rows]

    def jobs_for(self, coll: str, resource_id: str) -> list[Job]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs WHERE coll=? AND resource_id=? ORDER BY created",
                (coll, resource_id),
            ).fetchall()
        return [_job(r) for r in rows]

    def finish_job(self, job: Job, status: str, report: dict[str, Any] | None = None) -> None:
        """Mark ``job`` terminal and forget its parameters (they may hold SAS URLs)."""
        job.status = status
        job.params = {"done": True}
        if report is not None:
            job.report = report
        self.put_job(job)

    # files -------------------------------------------------------------------------------
    def put_file(self, f: StoredFile) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO files VALUES (?,?,?,?,?,?,?)",
                (f.id, f.owner, f.name, f.kind, f.created, f.duration_ms, f.content),
            )

    def get_file(self, file_id: str) -> StoredFile | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM files WHERE id=?", (file_id,)).fetchone()
        return None if row is None else StoredFile(*row)

    def files_of(self, owner: str) -> list[StoredFile]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM files WHERE owner=? ORDER BY rowid", (owner,)
            ).fetchall()
        return [StoredFile(*r) for r in rows]

    def delete_files_of(self, owner: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM files WHERE owner=?", (owner,))
            self._db.execute("DELETE FROM blocks WHERE owner=?", (owner,))

    # blocks ------------------------------------------------------------------------------
    def put_block(self, owner: str, block_id: str, data: bytes) -> None:
        with self._lock:
            seq = self._db.execute(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM blocks WHERE owner=?", (owner,)
            ).fetchone()[0]
            self._db.execute(
                "INSERT OR REPLACE INTO blocks VALUES (?,?,?,?)", (owner, block_id, seq, data)
            )

    def blocks(self, owner: str) -> list[tuple[str, bytes]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT block_id, data FROM blocks WHERE owner=? ORDER BY seq", (owner,)
            ).fetchall()
        return [(str(b), bytes(d)) for b, d in rows]

    def reset(self) -> None:
        """Forget everything (admin route, for tests)."""
        with self._lock:
            for table in ("resources", "jobs", "files", "blocks", "creates"):
                self._db.execute(f"DELETE FROM {table}")


def _job(row: tuple[Any, ...]) -> Job:
    (jid, api, kind, coll, rid, status, fp, created, next_at, params, result, report, visible) = row
    return Job(
        id=jid,
        api=api,
        kind=kind,
        coll=coll,
        resource_id=rid,
        status=status,
        fingerprint=fp,
        created=created,
        next_at=next_at,
        params=json.loads(params),
        result=None if result is None else json.loads(result),
        report=None if report is None else json.loads(report),
        visible=bool(visible),
    )
