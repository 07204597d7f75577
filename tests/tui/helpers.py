"""Helpers for driving the real app with Pilot against real workspaces."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.pilot import Pilot

from scenetui.build import BuildOptions
from scenetui.cli.interactive import build_app
from scenetui.tui.app import SceneApp
from scenetui.storage.workspace import Workspace


def make_app(script: Path, ws: Path, mode: str = "open", concurrency: int | None = None,
             opts: BuildOptions | None = None) -> SceneApp:
    return build_app(script, Workspace(ws), opts or BuildOptions(), mode, concurrency)


async def wait_for(pilot: Pilot, cond: Callable[[], bool], timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            await pilot.pause()
            await pilot.pause(0.1)  # let a newly pushed screen lay out before anyone reads it
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def screen_text(app: SceneApp) -> str:
    """Everything visible on the screen, as plain text (what a person would read)."""
    from rich.console import Console

    console = Console(width=app.size.width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    lines = app.screen._compositor.render_update(full=True)  # type: ignore[attr-defined]
    console.print(lines)
    return console.export_text()


def screen_words(app: SceneApp) -> str:
    """The screen's text with borders removed and wrapped lines joined, for phrases that may wrap."""
    import re

    text = re.sub(r"[│█▀▄▌▐╭╮╰╯─━┃▔▁▏▕]", " ", screen_text(app))
    return " ".join(text.split())


def notices(app: SceneApp) -> str:
    """The text of the notifications (toasts) shown now; the compositor capture in screen_text leaves out the toast
    layer, so read what the app is showing."""
    return " ".join(" ".join(n.message.split()) for n in app._notifications)  # type: ignore[attr-defined]
