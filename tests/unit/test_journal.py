from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from scenetui.domain.events import SceneStage, event_from_json
from scenetui.engine import journal as J
from scenetui.engine.journal import Journal, JournalError


def test_attempt_lifecycle_and_open_attempt(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.db")
    run = j.start_run("s", "luma")
    a = j.begin_attempt(run_id=run, script_id="s", scene_index=0, backend="luma", state="started")
    j.update_attempt(a, state=J.INTENT, request={"prompt": "hi"})
    assert j.open_attempt("s", 0).request == {"prompt": "hi"}
    j.update_attempt(a, state=J.CREATED, remote_id="gen-1", cost_cents=80)
    assert j.open_attempt("s", 0).remote_id == "gen-1"
    j.update_attempt(a, state=J.COMPLETED)
    assert j.open_attempt("s", 0) is None
    assert [x.state for x in j.attempts("s", 0)] == [J.COMPLETED]
    with pytest.raises(ValueError):
        j.update_attempt(a, bogus=1)


def test_events_are_readable_from_another_process(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    j = Journal(path)
    seq = j.record(SceneStage(3, "dreaming", "hello"), run_id=None, script_id="s")
    code = (
        "from pathlib import Path; from scenetui.engine.journal import Journal;"
        f"print(Journal(Path({str(path)!r})).rows_since(0, script_id='s')[0][2]['stage'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "dreaming"
    ((got_seq, run_id, data),) = j.rows_since(0, script_id="s")
    assert got_seq == seq and run_id is None and event_from_json(data) == SceneStage(3, "dreaming", "hello", ts=data["ts"])
    assert j.rows_since(seq, script_id="s") == []


def test_commands_are_taken_once(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.db")
    j.send_command("s", "cancel", 2)
    j.send_command("other", "retry", 1)
    (cmd,) = j.take_commands("s")
    assert (cmd.verb, cmd.scene_index) == ("cancel", 2)
    assert j.take_commands("s") == []
    assert len(j.take_commands("other")) == 1


def test_corrupt_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(JournalError, match="unreadable"):
        Journal(path)


def test_journal_from_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "j.db"
    Journal(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    db.commit()
    db.close()
    with pytest.raises(JournalError, match="schema version 99"):
        Journal(path)


def test_a_journal_from_before_takes_gains_the_take_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        INSERT INTO meta VALUES ('schema_version', '1');
        CREATE TABLE attempts (
            id INTEGER PRIMARY KEY, run_id INTEGER, script_id TEXT NOT NULL, scene_index INTEGER NOT NULL,
            backend TEXT NOT NULL, state TEXT NOT NULL, request TEXT, remote_id TEXT, cost_cents INTEGER,
            failure_reason TEXT, refunded INTEGER NOT NULL DEFAULT 0, remote_seconds REAL,
            created_at REAL NOT NULL, updated_at REAL NOT NULL);
        INSERT INTO attempts (script_id, scene_index, backend, state, remote_id, created_at, updated_at)
            VALUES ('s', 0, 'luma', 'created', 'gen-old', 1, 1);
    """)
    db.commit()
    db.close()
    j = Journal(path)
    old = j.open_attempt("s", 0)
    assert old is not None and old.remote_id == "gen-old" and old.batch is None and old.slot == 0
    batch = j.begin_batch("s", 0, 3)
    a = j.begin_attempt(run_id=None, script_id="s", scene_index=0, backend="luma", state="created",
                        batch=batch.id, slot=2)
    assert j.open_attempt("s", 0).remote_id == "gen-old"  # a take's attempt is not the scene's
    assert j.open_attempt("s", 0, batch.id, 2).id == a and j.open_attempt("s", 0, batch.id, 1) is None
    assert j.open_batch("s", 0) == batch
    j.finish_batches((batch.id,))
    assert j.open_batch("s", 0) is None
    j.close()
