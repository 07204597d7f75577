"""Finding a video player and the command that plays a clip, in a window or inside the terminal."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "install mpv (Debian/Ubuntu: sudo apt install mpv · macOS: brew install mpv) or ffplay (part of ffmpeg)"


@dataclass(frozen=True)
class Player:
    """A player binary; mpv can also draw in the terminal (true-colour half blocks, works inside tmux)."""

    name: str
    path: str

    @property
    def plays_in_terminal(self) -> bool:
        return self.name == "mpv"

    def command(self, clip: Path, *, in_terminal: bool) -> list[str]:
        if self.name == "mpv":
            extra = ["--vo=tct", "--really-quiet"] if in_terminal else ["--force-window=yes"]
            return [self.path, *extra, "--keep-open=no", str(clip)]
        return [self.path, "-autoexit", "-loglevel", "error", "-window_title", clip.name, str(clip)]


def find_player() -> Player | None:
    """SCENETUI_PLAYER when set, else mpv, else ffplay on PATH."""
    override = os.environ.get("SCENETUI_PLAYER")
    if override:
        path = shutil.which(override)
        return Player(Path(override).stem, path) if path else None
    for name in ("mpv", "ffplay"):
        path = shutil.which(name)
        if path:
            return Player(name, path)
    return None


def has_display() -> bool:
    """A graphical session is reachable (an SSH session without X forwarding is not one)."""
    if sys.platform == "darwin":
        return not os.environ.get("SSH_CONNECTION")
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@dataclass(frozen=True)
class PlayPlan:
    """How a clip will be played, or why it cannot be (then the app steps through frames itself)."""

    command: list[str] | None
    how: str


def play_plan(clip: Path, *, in_terminal: bool | None = None, player: Player | None = None) -> PlayPlan:
    player = player or find_player()
    if player is None:
        return PlayPlan(None, f"no video player found — {INSTALL_HINT}; showing frames here instead")
    terminal = (not has_display()) if in_terminal is None else in_terminal
    if terminal and not player.plays_in_terminal:
        return PlayPlan(None, f"no display, and {player.name} cannot draw in a terminal — install mpv for in-terminal "
                              "playback; showing frames here instead")
    return PlayPlan(player.command(clip, in_terminal=terminal), f"playing with {player.name}"
                    + (" in the terminal" if terminal else ""))
