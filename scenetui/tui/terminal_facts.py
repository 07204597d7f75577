"""What the terminal says of itself, asked once before Textual takes the terminal over.

One write carries every question — sixel colour registers in use and the largest picture allowed (XTSMGRAPHICS;
the current geometry is only the window's, which may grow), the terminal's name
and version (XTVERSION) — and ends with device attributes (DA1), which every terminal answers: once DA1's answer
is in, nothing else is coming, so a terminal that knows none of the others costs one round trip, not a timeout.
"""

from __future__ import annotations

import os
import re
import select
import sys
import time
from dataclasses import dataclass

# XTSMGRAPHICS: colour registers (1) in use, sixel geometry (2) at most; XTVERSION; DA1 last, as the fence.
QUESTIONS = "\x1b[?1;1;0S\x1b[?2;4;0S\x1b[>0q\x1b[c"

_GRAPHICS = re.compile(r"\x1b\[\?([12]);(\d+)((?:;\d+)*)S")
_VERSION = re.compile(r"\x1bP>\|([^\x1b]*)\x1b\\")
_DA1 = re.compile(r"\x1b\[\?([\d;]*)c")


@dataclass(frozen=True)
class TerminalFacts:
    """The answers, each None when the terminal did not give it."""

    attributes: tuple[int, ...] | None = None  # DA1's numbers; 4 means sixel
    colours: int | None = None  # sixel colour registers
    max_size: tuple[int, int] | None = None  # the largest sixel picture, in pixels
    name: str = ""  # XTVERSION's text: "XTerm(379)", "kitty(0.26.5)", "tmux 3.3a"

    @property
    def sixel(self) -> bool:
        return self.attributes is not None and 4 in self.attributes

    def version(self, program: str) -> tuple[int, ...] | None:
        """The version numbers when XTVERSION names `program` (case-insensitive), e.g. (0, 26, 5) for kitty."""
        found = re.match(rf"\s*{re.escape(program)}[\s(]*([\d.]+)", self.name, re.IGNORECASE)
        if not found:
            return None
        return tuple(int(part) for part in found.group(1).strip(".").split(".") if part.isdigit()) or None


def parse(answer: str) -> TerminalFacts:
    """The facts in whatever the terminal sent back (answers in any order; the unknown ones ignored)."""
    colours: int | None = None
    max_size: tuple[int, int] | None = None
    for item, status, values in _GRAPHICS.findall(answer):
        numbers = [int(v) for v in values.split(";") if v]
        if status != "0":  # 1-3: the terminal does not have or cannot tell this one
            continue
        if item == "1" and numbers and numbers[0] > 0:
            colours = numbers[0]
        elif item == "2" and len(numbers) >= 2 and numbers[0] > 0 and numbers[1] > 0:
            max_size = (numbers[0], numbers[1])
    version = _VERSION.search(answer)
    da1 = _DA1.search(answer)
    attributes = tuple(int(v) for v in da1.group(1).split(";") if v.isdigit()) if da1 else None
    return TerminalFacts(attributes, colours, max_size, version.group(1).strip() if version else "")


def ask(timeout: float = 0.5) -> TerminalFacts:
    """Put the questions to the terminal on stdin/stdout and read until DA1's answer (or `timeout`)."""
    stdin, stdout = sys.__stdin__, sys.__stdout__
    if stdin is None or stdout is None or os.name != "posix":
        return TerminalFacts()
    import termios
    import tty

    fd = stdin.fileno()
    try:
        saved = termios.tcgetattr(fd)
    except termios.error:
        return TerminalFacts()
    answer = b""
    try:
        tty.setcbreak(fd, termios.TCSANOW)
        stdout.write(QUESTIONS)
        stdout.flush()
        deadline = time.monotonic() + timeout
        while not _DA1.search(answer.decode("latin-1")):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                break
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            answer += chunk
    except OSError:
        pass
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, saved)
    return parse(answer.decode("latin-1"))
