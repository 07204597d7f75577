"""A real terminal emulator on a virtual display: Xvfb, xterm in it, keys through XTEST (xdotool), the screen read
back as pixels (ImageMagick's import). For checking what a person would see, not what the app meant to send."""

from __future__ import annotations

import io
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PIL import Image

TOOLS = {"Xvfb": "xvfb", "xterm": "xterm", "mlterm": "mlterm", "kitty": "kitty", "xdotool": "xdotool",
         "import": "imagemagick"}
T = TypeVar("T")


def missing_tools() -> list[str]:
    """The Debian packages to install for these tests (none when all is there)."""
    return [package for tool, package in TOOLS.items() if shutil.which(tool) is None]


class Display:
    """An Xvfb server on a free display number, ended with its process group."""

    def __init__(self, width: int = 1400, height: int = 1000) -> None:
        read, write = os.pipe()
        self.proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24",
                                      "-nolisten", "tcp"], pass_fds=(write,), stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, start_new_session=True)
        os.close(write)
        with os.fdopen(read) as answer:
            number = answer.readline().strip()  # Xvfb writes the display number once it accepts clients
        if not number:
            self.close()
            raise RuntimeError("Xvfb did not start")
        self.name = f":{number}"

    def env(self) -> dict[str, str]:
        return {**os.environ, "DISPLAY": self.name}

    def capture(self) -> Image.Image:
        """The whole screen as pixels, as it is now."""
        png = subprocess.run(["import", "-display", self.name, "-window", "root", "png:-"], capture_output=True,
                             check=True, timeout=30).stdout
        return Image.open(io.BytesIO(png)).convert("RGB")

    def keys(self, *names: str) -> None:
        """Key presses (xdotool's names: Down, p, space, Home, Escape) to the window under the pointer."""
        subprocess.run(["xdotool", "mousemove", "200", "200", "key", "--delay", "60", *names], env=self.env(),
                       check=True, timeout=30)

    def resize(self, window_class: str, width: int, height: int) -> None:
        """The window of that class to this size in pixels, as a person dragging its corner would."""
        subprocess.run(["xdotool", "search", "--class", window_class, "windowsize", "%@", str(width), str(height)],
                       env=self.env(), check=True, timeout=30)

    def close(self) -> None:
        _end(self.proc)


# Each terminal at the display's top-left corner without inner borders, so cell (x, y) starts at pixel
# (x × cell width, y × cell height); xterm as a VT340 (its sixel), both with their stock light background.
# Each ends where the command begins (xterm and mlterm after -e, kitty straight after its options).
TERMINALS = {
    "xterm": lambda cols, rows: ["xterm", "-ti", "vt340", "-geometry", f"{cols}x{rows}+0+0", "-b", "0", "-bw", "0",
                                 "-e"],
    "mlterm": lambda cols, rows: ["mlterm", "-g", f"{cols}x{rows}+0+0", "--border=0", "--sbmod=none", "-e"],
    # kitty draws with OpenGL: Mesa's software renderer on the virtual display (LIBGL_ALWAYS_SOFTWARE=1)
    "kitty": lambda cols, rows: ["kitty", "--config", "NONE", "-o", f"initial_window_width={cols}c", "-o",
                                 f"initial_window_height={rows}c", "-o", "window_padding_width=0", "-o",
                                 "remember_window_size=no"],
}


class Terminal:
    """A terminal emulator (`name` in TERMINALS) running `command` (argv)."""

    def __init__(self, name: str, display: Display, command: list[str], *, cols: int, rows: int, cwd: Path,
                 env: dict[str, str]) -> None:
        self.name, self.display = name, display
        self.output = cwd / f"{name}.out"  # what the terminal itself prints (its complaints), for a failing test
        with self.output.open("wb") as out:
            # one argument after -e: mlterm reads options among the command's own (--workspace) and quits
            shell = ["sh", "-c", "exec " + shlex.join(command)]
            self.proc = subprocess.Popen([*TERMINALS[name](cols, rows), *shell], cwd=cwd,
                                         env={**display.env(), "LIBGL_ALWAYS_SOFTWARE": "1", **env}, stdout=out,
                                         stderr=subprocess.STDOUT,
                                         start_new_session=True)

    def close(self) -> None:
        _end(self.proc)


def _end(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def wait_until(test: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """Until `test` gives something (a log line, a picture): what lasts, never a stopwatch."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = test()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
