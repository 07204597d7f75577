"""Opening the journal file: a reader's connection, and what went wrong when it cannot be opened (said so that
"move it aside", which throws away what stops paying twice, is only said of a damaged file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from scenetui.errors import DiskFull, UserError


class JournalError(UserError):
    """The journal file is unreadable, corrupt, or from another version."""


def connect_read_only(path: Path) -> sqlite3.Connection:
    """A reader's connection; `immutable` only when sqlite cannot even make its shared-memory file beside it."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, isolation_level=None,
                             check_same_thread=False)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1")
        return db
    except sqlite3.OperationalError:
        return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, isolation_level=None,
                               check_same_thread=False)


def opening_error(path: Path, exc: sqlite3.DatabaseError) -> UserError:
    """What went wrong opening the journal. "Move it aside" throws away what stops paying twice, so it is said only
    when sqlite's own check finds the file damaged."""
    if "full" in str(exc):
        return DiskFull(f"disk full while opening the journal {path.name}",
                        hint="free space in the workspace and run again; finished clips are kept")
    try:
        probe = connect_read_only(path)
        try:
            healthy = str(probe.execute("PRAGMA quick_check").fetchone()[0]) == "ok"
        finally:
            probe.close()
    except sqlite3.DatabaseError:
        healthy = False
    if healthy:
        return JournalError(f"journal {path} could not be opened ({exc}); the file itself is intact",
                            hint="check the workspace's permissions and free space, then run again")
    return JournalError(f"journal {path} is unreadable ({exc})",
                        hint="move it aside and run again; clips in the workspace are kept")
