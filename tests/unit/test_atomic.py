"""Whole-or-absent writes: a writer killed mid-write leaves a temp file that the next render clears."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from scenetui.storage.atomic import clear_dead_temps, write_json_atomic


def test_temp_files_of_dead_writers_are_cleared_live_ones_kept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    orphan = tmp_path / f".test.json.{dead_pid}.abcd1234.tmp"
    live = tmp_path / f".test.json.{os.getpid()}.efgh5678.tmp"
    other = tmp_path / ".notes.tmp"  # not ours: never touched
    for f in (orphan, live, other):
        f.write_text("{")
    write_json_atomic(tmp_path / "test.json", {"a": 1})
    clear_dead_temps(tmp_path)
    assert not orphan.exists() and live.exists() and other.exists()
    assert (tmp_path / "test.json").read_text().strip().startswith("{")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([live.name, other.name, "test.json"])
