"""Preview a finished clip (or the final film): play it, step through frames, keep it or delete it."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from scenetui.errors import UserError
from scenetui.tui.screens.dialogs import ConfirmScreen, PathPrompt

if TYPE_CHECKING:
    from scenetui.control.local import LocalController

FRAMES = 12


class PreviewScreen(Screen[None]):
    """One clip: facts, a frame view drawn in the terminal, and the keep/delete decisions."""

    BINDINGS = [
        Binding("p", "play", "Play", tooltip="in a window, or in the terminal when there is no display"),
        Binding("t", "play_terminal", "Play in terminal", tooltip="mpv --vo=tct; works over SSH and in tmux"),
        Binding("left,h", "step(-1)", "◀ Frame"),
        Binding("right,l", "step(1)", "Frame ▶"),
        Binding("s", "keep", "Save / keep"),
        Binding("d", "delete", "Delete"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, controller: LocalController, index: int | None) -> None:
        super().__init__()
        self.controller, self.index = controller, index
        self.frames: list[tuple[float, object]] = []
        self.frame = 0
        self.fetched: Path | None = None  # a clip only remote storage had, fetched when the screen opened

    @property
    def clip(self) -> Path | None:
        return self.fetched or self.controller.clip_path(self.index)

    def compose(self) -> ComposeResult:
        with Vertical(id="preview"):
            yield Static(id="preview-facts")
            yield Static("loading frames…", id="preview-frame")
            yield Static(id="preview-frameinfo")
            yield Static(id="preview-status")
        yield Footer()

    def on_mount(self) -> None:
        self.redraw_facts()
        self.load_frames()

    def redraw_facts(self) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold")
        grid.add_column()
        if self.index is None:
            grid.add_row("Final film", Text(str(self.clip or "not assembled yet")))
            facts = self.controller.clip_facts(None)
        else:
            scene = self.controller.loaded.script.scenes[self.index]
            grid.add_row("Scene", Text(f"{self.index}  {scene.title}"))
            facts = self.controller.clip_facts(self.index)
        for key, value in facts.items():
            grid.add_row(key, Text(value))
        self.query_one("#preview-facts", Static).update(grid)

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#preview-status", Static).update(Text(text, style=style))

    @work(exclusive=True, group="frames")
    async def load_frames(self) -> None:
        if self.clip is None and self.index is not None:
            self.query_one("#preview-frame", Static).update("fetching the clip…")
            try:
                self.fetched = await self.controller.fetch_clip(self.index)
            except UserError as exc:
                self.say(exc.line(), "red")
                return
        if self.clip is None:
            self.query_one("#preview-frame", Static).update("no clip")
            return
        try:
            self.frames = await self.controller.frames(self.clip, FRAMES)
        except UserError as exc:
            self.say(exc.line(), "red")
            return
        self.frame = min(len(self.frames) // 2, len(self.frames) - 1) if self.frames else 0
        self.show_frame()

    def show_frame(self) -> None:
        view = self.query_one("#preview-frame", Static)
        if not self.frames:
            view.update("no frames could be decoded")
            return
        t, img = self.frames[self.frame]
        w = max(10, view.size.width or 60)
        h = max(4, (view.size.height or 16))
        picture = self.controller.picture(img, w, h)
        view.update(picture)
        self.query_one("#preview-frameinfo", Static).update(
            Text(f"frame {self.frame + 1}/{len(self.frames)} at {t:.2f}s · ←/→ to step · p to play", style="dim"))

    def on_resize(self) -> None:
        if self.frames:
            self.show_frame()

    def action_step(self, delta: int) -> None:
        if self.frames:
            self.frame = (self.frame + delta) % len(self.frames)
            self.show_frame()

    async def action_play(self, in_terminal: bool | None = None) -> None:
        clip = self.clip
        if clip is None:
            return
        plan = self.controller.play_plan(clip, in_terminal=in_terminal)
        if plan.command is None:
            self.say(plan.how, "yellow")
            return
        try:
            with self.app.suspend():
                # In a thread, so a render running in this process keeps going while the player has the terminal.
                result = await asyncio.to_thread(subprocess.run, plan.command, check=False)
        except Exception as exc:  # SuspendNotSupported in a browser, or the player failed to start
            self.say(f"cannot play here ({exc}); use ←/→ to step through frames", "yellow")
            return
        self.say(f"{plan.how}: finished" if result.returncode == 0 else f"the player exited with {result.returncode}")

    async def action_play_terminal(self) -> None:
        await self.action_play(in_terminal=True)

    def action_keep(self) -> None:
        if self.clip is None:
            return
        default = self.controller.default_export_path(self.index)

        async def chosen(path: str | None) -> None:
            if path is None:
                return
            try:
                self.say(await self.controller.keep_clip(self.index, Path(path) if path else None)
                         if self.index is not None else await self.controller.export_final(Path(path) if path else None),
                         "green")
            except UserError as exc:
                self.say(exc.line(), "red")
            self.redraw_facts()

        question = "Keep this clip. Also save a copy to:" if self.index is not None else "Save a copy of the final film to:"
        self.app.push_screen(PathPrompt(question, str(default)), chosen)

    def action_delete(self) -> None:
        if self.index is None:
            self.say("the final film is not deleted from here; delete scenes and assemble again", "yellow")
            return
        index = self.index
        cost = self.controller.estimate([index], force=True)

        async def decided(yes: bool | None) -> None:
            if not yes:
                self.say("not deleted")
                return
            try:
                self.notify(await self.controller.delete_clip(index))
            except UserError as exc:
                self.say(exc.line(), "red")
                return
            self.dismiss(None)

        self.app.push_screen(ConfirmScreen(
            f"Delete scene {index}'s clip?",
            f"It is removed from storage and the scene goes back to 'not generated'. Generating it again: {cost.text()}.",
            yes="Delete"), decided)

    def action_back(self) -> None:
        self.dismiss(None)



def preview_film(screen: Screen[None], controller: LocalController, how_to_assemble: str) -> None:
    """Open the final film's preview, or say how to assemble it first."""
    if controller.clip_path(None) is None:
        screen.notify(f"the final film is not assembled yet — {how_to_assemble}", severity="warning")
        return
    screen.app.push_screen(PreviewScreen(controller, None))
