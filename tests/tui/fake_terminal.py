"""A terminal played by the test: the real `scenetui` on a pseudo-terminal, answering the graphics queries the way
kitty (new or before 0.28), a sixel terminal (one that says only DA1, or xterm -ti vt340 with its 16 colour
registers and 1000×1000 largest picture) or a plain one does, and recording every byte it is sent."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DA1 = {"sixel": "\x1b[?62;4;22c", "vt340": "\x1b[?63;1;2;4;6;9;15;16;22;28c",
       "xterm": "\x1b[?63;1;2;4;6;9;15;16;22;28c", "kitty": "\x1b[?62;22c", "kitty-0.26": "\x1b[?62;22c",
       "plain": "\x1b[?62;22c"}
# XTVERSION's answer, and XTSMGRAPHICS' for colour registers (1) and the largest sixel picture (2), where given;
# "xterm" answers what Debian 12's xterm -ti vt340 answers (measured under Xvfb), "vt340" as the real one would.
VERSION = {"xterm": "XTerm(379)", "kitty": "kitty(0.35.2)", "kitty-0.26": "kitty(0.26.5)"}
SMGRAPHICS = {"vt340": {"1": "16", "2": "800;480"}, "xterm": {"1": "1024", "2": "1000;1000"}}
KITTY = ("kitty", "kitty-0.26")
# kitty's graphics query; device attributes; XTVERSION; XTSMGRAPHICS read
QUERY = re.compile(r"\x1b_G([^;\x1b]*a=q[^;\x1b]*);[^\x1b]*\x1b\\|\x1b\[c|\x1b\[>0?q|\x1b\[\?([12]);[14];0S")


class FakeTerminal:
    """`speaks` is what this terminal claims: "sixel", "vt340", "xterm", "kitty", "kitty-0.26" or "plain" (answers only the
    device-attributes query)."""

    def __init__(self, speaks: str, cols: int = 140, rows: int = 44, cell: tuple[int, int] = (10, 20)) -> None:
        self.speaks, self.cols, self.rows, self.cell = speaks, cols, rows, cell
        self.output = ""
        self._lock = threading.Lock()
        self._answered = 0  # how far into the output the queries have been answered
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
        master, slave = os.openpty()
        # Rows, columns and the window's size in pixels: what a graphics terminal reports (cell size = pixels/cells).
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols,
                                                            self.cols * self.cell[0], self.rows * self.cell[1]))
        # A crash in native code (PyAV, a decoder) prints every thread's stack here instead of vanishing.
        full_env = {**os.environ, "TERM": "xterm-256color", "PYTHONPATH": str(ROOT), "PYTHONFAULTHANDLER": "1",
                    **(env or {})}
        full_env.pop("TEXTUAL_DRIVER", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "scenetui", *args], stdin=slave, stdout=slave,
                                     stderr=slave, cwd=cwd, env=full_env, start_new_session=True)
        os.close(slave)
        self.master = master
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        while True:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    if self.proc is not None and self.proc.poll() is not None:
                        return
                    continue
                chunk = os.read(self.master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk.decode("utf-8", "replace")
                self._answer()

    def _answer(self) -> None:
        fresh = self.output[self._answered:]
        consumed = 0
        for match in QUERY.finditer(fresh):
            consumed = match.end()
            if match.group(0) == "\x1b[c":
                os.write(self.master, DA1[self.speaks].encode())
            elif match.group(0).startswith("\x1b[>"):
                if self.speaks in VERSION:
                    os.write(self.master, f"\x1bP>|{VERSION[self.speaks]}\x1b\\".encode())
            elif match.group(2):
                item = match.group(2)
                if item in SMGRAPHICS.get(self.speaks, {}):
                    os.write(self.master, f"\x1b[?{item};0;{SMGRAPHICS[self.speaks][item]}S".encode())
            elif self.speaks in KITTY:
                ident = re.search(r"i=(\d+)", match.group(1) or "")
                os.write(self.master, f"\x1b_Gi={ident.group(1) if ident else 0};OK\x1b\\".encode())
        # Keep an unfinished query's start for the next read; never rescan more than its length.
        self._answered += consumed if consumed else max(0, len(fresh) - 256)

    def type(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def wait_for(self, test: str | re.Pattern[str], timeout: float = 60.0, since: int = 0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = self.output[since:]
            if (test in seen) if isinstance(test, str) else test.search(seen):
                return seen
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{test!r} never reached the terminal; the last bytes were {self.output[-400:]!r}")

    def wait_count(self, test: re.Pattern[str], count: int, since: int = 0, timeout: float = 60.0) -> str:
        """Until `test` matched `count` times after `since` (played frames, say): a count, never a stopwatch."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                seen = self.output[since:]
            if len(test.findall(seen)) >= count:
                return seen
            if self.proc is not None and self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"{test.pattern!r} reached the terminal {len(test.findall(self.output[since:]))} times, "
                             f"not {count}")

    def close(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self.proc.pid, signal.SIGKILL)
        try:
            os.close(self.master)
        except OSError:
            pass

    def crash_report(self) -> str:
        """What the process printed about a crash (faulthandler's stacks), if it crashed."""
        at = self.output.find("Fatal Python error")
        return self.output[at:at + 4000] if at >= 0 else ""

