"""The SQLite (WAL) journal: runs, attempts with remote ids, events and commands — crash-safe and shared.

A second process (`scenetui watch`, `scenetui status`) reads the same file while a render writes it.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenetui.crashpoints import step
from scenetui.domain.events import Event
from scenetui.engine.journal_open import JournalError, connect_read_only, opening_error
from scenetui.errors import DiskFull
from scenetui.safeopen import open_own, own_folder, refuse_link

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY, script_id TEXT NOT NULL, backend TEXT NOT NULL, pid INTEGER, host TEXT,
    started_at REAL NOT NULL, finished_at REAL, exit_code INTEGER);
CREATE TABLE IF NOT EXISTS attempts (
    id INTEGER PRIMARY KEY, run_id INTEGER, script_id TEXT NOT NULL, scene_index INTEGER NOT NULL,
    backend TEXT NOT NULL, state TEXT NOT NULL, request TEXT, remote_id TEXT, cost_cents INTEGER,
    failure_reason TEXT, refunded INTEGER NOT NULL DEFAULT 0, remote_seconds REAL,
    created_at REAL NOT NULL, updated_at REAL NOT NULL, batch INTEGER, slot INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS batches (
    id INTEGER PRIMARY KEY, script_id TEXT NOT NULL, scene_index INTEGER NOT NULL, count INTEGER NOT NULL,
    created_at REAL NOT NULL, finished_at REAL, kind TEXT NOT NULL DEFAULT 'takes');
CREATE INDEX IF NOT EXISTS attempts_scene ON attempts (script_id, scene_index, id);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER, script_id TEXT, scene_index INTEGER,
    ts REAL NOT NULL, type TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY, script_id TEXT NOT NULL, scene_index INTEGER, verb TEXT NOT NULL, args TEXT,
    ts REAL NOT NULL, taken_at REAL);
"""

# Attempt states. "intent" is written before a paid request leaves, so a crash right after the POST is visible.
INTENT, CREATED, COMPLETED, FAILED, CANCELLED, LOST = "intent", "created", "completed", "failed", "cancelled", "lost"
OPEN_STATES = (INTENT, CREATED)
# A create that may have been accepted, which the person chose to pay for again (`render --resubmit N`): closed,
# kept in the ledger as possibly paid.
UNCONFIRMED = "unconfirmed"


@dataclass(frozen=True)
class Attempt:
    """One try at generating a scene's clip, as the journal holds it."""

    id: int
    run_id: int | None
    script_id: str
    scene_index: int
    backend: str
    state: str
    request: dict[str, Any] | None
    remote_id: str | None
    cost_cents: int | None
    failure_reason: str | None
    refunded: bool
    remote_seconds: float | None
    created_at: float
    updated_at: float
    batch: int | None = None  # the variants request (`render --takes N`) this attempt is one take of
    slot: int = 0  # which take of that request (1..count); 0 for a scene's ordinary attempt


@dataclass(frozen=True)
class Batch:
    """A request for several takes of one scene: finished when every one of its `count` slots has a clip."""

    id: int
    script_id: str
    scene_index: int
    count: int
    created_at: float
    finished_at: float | None
    kind: str = "takes"  # takes (render --takes N) | draft (render --draft) | final (render --final)


@dataclass(frozen=True)
class Command:
    """A request sent to a running render (from the TUI or `scenetui watch`): cancel, retry..."""

    id: int
    script_id: str
    scene_index: int | None
    verb: str
    args: dict[str, Any]
    ts: float


class Journal:
    """Durable record of everything the engine did; safe against kill -9 at any point."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.RLock()
        # Another user's workspace (what `watch` and `status` are for) is read, never "repaired".
        self.read_only = path.is_file() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))
        if not self.read_only:
            own_folder(path.parent)  # prompts and ids: the user's alone
        for part in ("", "-wal", "-shm", "-journal"):  # sqlite follows links; a planted one must not take our rows
            refuse_link(path.with_name(path.name + part))
        if path.exists() and not path.is_file():
            raise JournalError(f"journal {path} is not a file", hint="move it aside and run again; clips in the workspace are kept")
        try:
            if self.read_only:
                self._db = connect_read_only(path)
            else:
                if not path.exists():
                    os.close(open_own(path, os.O_WRONLY | os.O_CREAT))  # created private; sqlite keeps the mode
                self._db = sqlite3.connect(path, timeout=30, isolation_level=None, check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout=30000")
            self._check_version()  # before WAL and the schema: a journal we cannot read is left exactly as it is
            if self.read_only:
                self._db.execute("SELECT 1 FROM runs LIMIT 1")
                return
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: an attempt row must survive a crash right after the money-spending request.
            self._db.execute("PRAGMA synchronous=FULL")
            with self._lock:
                self._add_take_columns()  # a journal from before takes: the same version, two columns more
                self._db.executescript(_SCHEMA)  # idempotent; executescript commits on its own, so outside _tx
            with self._tx() as db:
                if db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() is None:
                    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        except sqlite3.DatabaseError as exc:
            raise opening_error(path, exc) from exc

    def _add_take_columns(self) -> None:
        for name, kind in (("batch", "INTEGER"), ("slot", "INTEGER NOT NULL DEFAULT 0")):
            cols = {r[1] for r in self._db.execute("PRAGMA table_info(attempts)")}
            if cols and name not in cols:
                try:
                    self._db.execute(f"ALTER TABLE attempts ADD COLUMN {name} {kind}")
                except sqlite3.OperationalError as exc:  # another process added it a moment ago
                    if "duplicate column" not in str(exc):
                        raise

    def _check_version(self) -> None:
        has_meta = self._db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
        if not has_meta:
            return
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if row is not None and str(row[0]) != str(SCHEMA_VERSION):
            self._db.close()
            raise JournalError(
                f"journal {self.path} has schema version {row[0]}, this scenetui reads version {SCHEMA_VERSION}",
                hint="use the scenetui version that wrote it, or move the journal aside",
            )

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                    self._db.execute("COMMIT")
                    step("journal")
                except BaseException:
                    if self._db.in_transaction:
                        self._db.execute("ROLLBACK")
                    raise
            except sqlite3.OperationalError as exc:
                if self.read_only or "readonly" in str(exc):
                    raise JournalError(f"the journal {self.path} is read-only for you",
                                       hint="ask the workspace's owner, or run where you can write") from exc
                if "full" in str(exc):
                    raise DiskFull(f"disk full while writing the journal {self.path.name}",
                                   hint="free space in the workspace and run again; finished clips are kept") from exc
                raise JournalError(f"journal {self.path} cannot be written ({exc})",
                                   hint="check the workspace's disk and permissions") from exc

    @classmethod
    def open_existing(cls, path: Path) -> Journal | None:
        """The journal at `path`, or None when no render has written one yet (nothing is created)."""
        return cls(path) if path.exists() else None

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # runs -----------------------------------------------------------------------------------------------
    def start_run(self, script_id: str, backend: str) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO runs (script_id, backend, pid, host, started_at) VALUES (?,?,?,?,?)",
                (script_id, backend, os.getpid(), socket.gethostname(), time.time()),
            )
            return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, exit_code: int) -> None:
        with self._tx() as db:
            db.execute("UPDATE runs SET finished_at=?, exit_code=? WHERE id=?", (time.time(), exit_code, run_id))

    def last_backend(self, script_id: str, among: tuple[str, ...]) -> str | None:
        """The backend of the script's newest run that used one of `among` (renders, not exports)."""
        marks = ",".join("?" * len(among))
        with self._lock:
            row = self._db.execute(f"SELECT backend FROM runs WHERE script_id=? AND backend IN ({marks}) "
                                   "ORDER BY id DESC LIMIT 1", (script_id, *among)).fetchone()
        return str(row[0]) if row else None

    def quick_check(self) -> str:
        """SQLite's own integrity check: "ok", or what is wrong."""
        with self._lock:
            return str(self._db.execute("PRAGMA quick_check").fetchone()[0])

    def stop_run(self, run_id: int, exit_code: int) -> None:
        """Record a run as stopped unless it already finished (the last resort of a process about to end)."""
        with self._tx() as db:
            db.execute("UPDATE runs SET finished_at=?, exit_code=? WHERE id=? AND finished_at IS NULL",
                       (time.time(), exit_code, run_id))

    # events ---------------------------------------------------------------------------------------------
    def record(self, event: Event, *, run_id: int | None, script_id: str | None) -> int:
        data = event.to_json()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO events (run_id, script_id, scene_index, ts, type, payload) VALUES (?,?,?,?,?,?)",
                (run_id, script_id, data.get("scene_index"), event.ts, event.kind, json.dumps(data)),
            )
            return int(cur.lastrowid or 0)

    def rows_since(self, seq: int, *, script_id: str, limit: int = 1000) -> list[tuple[int, int | None, dict[str, Any]]]:
        """Events after `seq` in order, as (seq, run id, json dict): followers skip the runs they drive themselves."""
        with self._lock:
            rows = self._db.execute("SELECT seq, run_id, payload FROM events WHERE seq > ? AND script_id = ? "
                                    "ORDER BY seq LIMIT ?", (seq, script_id, limit))
            return [(r["seq"], r["run_id"], json.loads(r["payload"])) for r in rows]

    def last_event(self, script_id: str, kind: str) -> dict[str, Any] | None:
        """The newest event of this type in the newest run of the script, as its JSON dict."""
        with self._lock:
            row = self._db.execute(
                "SELECT payload FROM events WHERE script_id=? AND type=? AND run_id=(SELECT MAX(id) FROM runs "
                "WHERE script_id=?) ORDER BY seq DESC LIMIT 1", (script_id, kind, script_id)).fetchone()
            return json.loads(row["payload"]) if row else None

    def last_seq(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0])

    def latest_run(self, script_id: str) -> tuple[int, float | None, int] | None:
        """(run id, finished_at or None while running/crashed, seq just before its first event) of the newest run."""
        with self._lock:
            row = self._db.execute("SELECT id, finished_at FROM runs WHERE script_id=? ORDER BY id DESC LIMIT 1",
                                   (script_id,)).fetchone()
            if row is None:
                return None
            first = self._db.execute("SELECT MIN(seq) FROM events WHERE run_id=?", (row["id"],)).fetchone()[0]
            return row["id"], row["finished_at"], (first - 1) if first is not None else self.last_seq()

    # attempts -------------------------------------------------------------------------------------------
    def begin_attempt(self, *, run_id: int | None, script_id: str, scene_index: int, backend: str,
                      state: str = INTENT, request: dict[str, Any] | None = None, batch: int | None = None,
                      slot: int = 0) -> int:
        now = time.time()
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO attempts (run_id, script_id, scene_index, backend, state, request, created_at, updated_at,"
                " batch, slot) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (run_id, script_id, scene_index, backend, state, json.dumps(request) if request else None, now, now,
                 batch, slot),
            )
            return int(cur.lastrowid or 0)

    def update_attempt(self, attempt_id: int, **changes: Any) -> None:
        allowed = {"state", "remote_id", "cost_cents", "failure_reason", "refunded", "request", "run_id", "remote_seconds"}
        bad = set(changes) - allowed
        if bad:
            raise ValueError(f"unknown attempt fields {bad}")
        if "request" in changes and changes["request"] is not None:
            changes["request"] = json.dumps(changes["request"])
        cols = ", ".join(f"{k}=?" for k in changes)
        with self._tx() as db:
            db.execute(f"UPDATE attempts SET {cols}, updated_at=? WHERE id=?", (*changes.values(), time.time(), attempt_id))

    def attempts(self, script_id: str, scene_index: int | None = None) -> list[Attempt]:
        q = "SELECT * FROM attempts WHERE script_id=?" + (" AND scene_index=?" if scene_index is not None else "") + " ORDER BY id"
        params: tuple[Any, ...] = (script_id, scene_index) if scene_index is not None else (script_id,)
        with self._lock:
            return [_attempt(r) for r in self._db.execute(q, params)]

    def open_attempt(self, script_id: str, scene_index: int, batch: int | None = None, slot: int = 0) -> Attempt | None:
        """The newest attempt of a scene (or of one take of a variants request) that may still have a live (paid)
        generation behind it."""
        found = [a for a in self.attempts(script_id, scene_index)
                 if a.state in OPEN_STATES and a.batch == batch and a.slot == slot]
        return found[-1] if found else None

    # variants -------------------------------------------------------------------------------------------
    def begin_batch(self, script_id: str, scene_index: int, count: int, kind: str = "takes") -> Batch:
        now = time.time()
        with self._tx() as db:
            cur = db.execute("INSERT INTO batches (script_id, scene_index, count, created_at, kind) VALUES (?,?,?,?,?)",
                             (script_id, scene_index, count, now, kind))
            return Batch(int(cur.lastrowid or 0), script_id, scene_index, count, now, None, kind)

    def open_batch(self, script_id: str, scene_index: int, kind: str = "takes") -> Batch | None:
        """The scene's newest request of this kind with takes still to make (a run stopped before it finished)."""
        with self._lock:
            try:
                row = self._db.execute("SELECT * FROM batches WHERE script_id=? AND scene_index=? AND kind=? AND "
                                       "finished_at IS NULL ORDER BY id DESC LIMIT 1",
                                       (script_id, scene_index, kind)).fetchone()
            except sqlite3.OperationalError:  # read-only and from before takes: it has no such table
                return None
        return Batch(row["id"], row["script_id"], row["scene_index"], row["count"], row["created_at"], None,
                     row["kind"]) if row else None

    def finish_batches(self, batch_ids: tuple[int, ...]) -> None:
        """Close requests whose takes are all made, in one commit."""
        if not batch_ids:
            return
        now = time.time()
        with self._tx() as db:
            for batch in batch_ids:
                db.execute("UPDATE batches SET finished_at=? WHERE id=? AND finished_at IS NULL", (now, batch))

    def remote_ids(self, script_id: str) -> set[str]:
        """Every remote generation id this workspace already knows for the script."""
        with self._lock:
            rows = self._db.execute("SELECT remote_id FROM attempts WHERE script_id=? AND remote_id IS NOT NULL", (script_id,))
            return {r[0] for r in rows}

    def remote_durations(self, backend: str, limit: int = 50) -> list[float]:
        """How long recent generations took remotely, newest first (for progress and polling)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT remote_seconds FROM attempts WHERE backend=? AND remote_seconds IS NOT NULL ORDER BY id DESC LIMIT ?",
                (backend, limit))
            return [float(r[0]) for r in rows]

    # commands -------------------------------------------------------------------------------------------
    def send_command(self, script_id: str, verb: str, scene_index: int | None = None, **args: Any) -> int:
        with self._tx() as db:
            cur = db.execute(
                "INSERT INTO commands (script_id, scene_index, verb, args, ts) VALUES (?,?,?,?,?)",
                (script_id, scene_index, verb, json.dumps(args), time.time()),
            )
            return int(cur.lastrowid or 0)

    def take_commands(self, script_id: str) -> list[Command]:
        """Commands not yet taken, marked taken in the same transaction so each runs once."""
        with self._tx() as db:
            rows = db.execute(
                "SELECT * FROM commands WHERE script_id=? AND taken_at IS NULL ORDER BY id", (script_id,)
            ).fetchall()
            if rows:
                db.execute(
                    f"UPDATE commands SET taken_at=? WHERE id IN ({','.join('?' * len(rows))})",
                    (time.time(), *[r["id"] for r in rows]),
                )
        return [Command(r["id"], r["script_id"], r["scene_index"], r["verb"], json.loads(r["args"] or "{}"), r["ts"]) for r in rows]


def _attempt(r: sqlite3.Row) -> Attempt:
    return Attempt(
        id=r["id"], run_id=r["run_id"], script_id=r["script_id"], scene_index=r["scene_index"], backend=r["backend"],
        state=r["state"], request=json.loads(r["request"]) if r["request"] else None, remote_id=r["remote_id"],
        cost_cents=r["cost_cents"], failure_reason=r["failure_reason"], refunded=bool(r["refunded"]),
        remote_seconds=r["remote_seconds"],
        created_at=r["created_at"], updated_at=r["updated_at"],
        # a journal opened read-only may be from before takes (no columns to add there)
        batch=r["batch"] if "batch" in r.keys() else None, slot=r["slot"] if "slot" in r.keys() else 0,
    )
