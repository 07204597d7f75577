"""What the crash-point proofs share: running the command, reading the steps a run passed, choosing where to kill.

Every durable step of a render or an export is numbered (scenetui.crashpoints); a proof kills the process with
SIGKILL exactly at step N and resumes with the same command. The suite runs every step that touches money or a
file plus a spread of journal commits; SCENETUI_CRASH_FULL=1 runs every step (about 15 minutes here).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

from scenetui.media.probe import probe

FULL = bool(os.environ.get("SCENETUI_CRASH_FULL"))
SCENES = 3 if FULL else 2  # the suite's short form: two scenes still render concurrently
TIMEOUT = 3600 if FULL else 300


# The proofs' fakes finish a generation in a quarter of a second: the first look at it comes then, not after the
# two seconds a real clip's minute makes sensible (every run of every kill point waited them out).
FIRST_LOOK = {"SCENETUI_LUMA_FIRST_LOOK": "0.3"}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`scenetui ARGS` in a process of its own, with ENV over this one's."""
    return subprocess.run([sys.executable, "-m", "scenetui", *args], capture_output=True, text=True,
                          env={**os.environ, **FIRST_LOOK, **env}, timeout=240)


def enumerated(args: list[str], env: dict[str, str], log: Path) -> list[str]:
    """Run `scenetui ARGS` once to the end with SCENETUI_CRASH_LOG=LOG: the durable steps it passed, in order."""
    r = run(args, {**env, "SCENETUI_CRASH_LOG": str(log)})
    assert r.returncode == 0, r.stderr
    return [line.split(" ", 1)[1].strip() for line in log.read_text().splitlines()] if log.exists() else []


def targets(steps: list[str]) -> list[str]:
    """`NAME#K` of every step (the full form), or of one of each kind and a spread of journal commits."""
    seen: Counter[str] = Counter()
    every = []
    for name in steps:
        seen[name] += 1
        every.append(f"{name}#{seen[name]}")
    if FULL:
        return every
    journal = [t for t in every if t.startswith("journal#")]
    picked = {t.rsplit("#", 1)[0]: t for t in every if not t.startswith("journal#")}  # the last of each kind
    creates = [t for t in every if t.startswith("luma create")]
    # two or three journal commits spread over the run (the full form has every one): the suite keeps its budget
    return sorted(set(picked.values()) | set(creates[:2]) | set(journal[:: max(1, len(journal) // 2)]))


def film_ok(ws: Path, scenes: int = SCENES) -> None:
    """Every clip whole at its size and length, the film their sum, no temporary file left behind."""
    for i in range(scenes):
        info = probe(ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4", decode=True)
        assert info.resolution == "1280x720" and abs(info.duration - 5.0) < 0.1
    film = probe(ws / "videos" / "scripts" / "test" / "final.mp4", decode=True)
    assert abs(film.duration - 5.0 * scenes) < 0.2
    leftovers = [p for p in ws.rglob("*") if p.is_file() and (p.name.endswith(".part") or p.name.endswith(".tmp"))]
    assert leftovers == []


def events(out: str) -> list[dict]:
    """The JSON objects a `--json` run printed."""
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def request_closed(ws: Path) -> bool:
    """Whether the journal has closed a takes request (it does so only after the summary is told)."""
    path = ws / ".scenetui" / "journal.db"
    if not path.is_file():
        return False
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM batches WHERE kind='takes' AND finished_at IS NOT NULL").fetchone()[0] > 0
    finally:
        db.close()


def takes(ws: Path, script: Path) -> list[dict]:
    """Scene 0's takes as `scenetui takes --json` lists them."""
    r = run(["takes", str(script), "--workspace", str(ws), "--json"], {})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["scenes"][0]["takes"]
