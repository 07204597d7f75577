"""The lifeline ends a process whose shutdown is stuck (as Textual's was, on a full output queue) once asked to stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STUCK = """
import queue, sys
from pathlib import Path
from scenetui.tui.lifeline import Lifeline
marker = Path(sys.argv[1])
closing = []
life = Lifeline(lambda: closing.append(1), lambda: marker.write_text("stopped"), grace=1.0)
life.install()
print("ready", flush=True)
q = queue.Queue(1)
q.put(1)
q.put(2)  # blocks for good: the clean close that was requested can never run
"""


def test_a_stuck_shutdown_still_ends_within_the_grace_period(tmp_path: Path) -> None:
    marker = tmp_path / "abandoned"
    proc = subprocess.Popen([sys.executable, "-c", STUCK, str(marker)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    started = time.monotonic()
    os.kill(proc.pid, signal.SIGHUP)
    assert proc.wait(timeout=10) == 130
    assert 0.9 <= time.monotonic() - started < 8
    assert marker.read_text() == "stopped"  # the render was recorded as stopped before the end


def test_a_second_sigterm_ends_at_once(tmp_path: Path) -> None:
    marker = tmp_path / "abandoned"
    script = STUCK.replace("grace=1.0", "grace=60.0")
    proc = subprocess.Popen([sys.executable, "-c", script, str(marker)], stdout=subprocess.PIPE, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    os.kill(proc.pid, signal.SIGTERM)
    time.sleep(0.3)
    assert proc.poll() is None  # the first one waits for the clean close (60 s here)
    os.kill(proc.pid, signal.SIGTERM)
    assert proc.wait(timeout=10) == 130 and marker.read_text() == "stopped"
