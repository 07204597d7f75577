"""Preview a finished clip (or the final film): play it inside the terminal, keep it or delete it."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static

from scenetui.control.playback import PlaybackClock
from scenetui.errors import UserError
from scenetui.tui.frames import install_frame_timer
from scenetui.tui.screens.dialogs import ConfirmScreen, PathPrompt
from scenetui.tui.graphics import Graphics, over_ssh
from scenetui.tui.widgets.video import FRAMES, GRAPHIC_SPARE_ROWS, GraphicFrame, Scrub, ScrubBar, VideoView

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller
    from scenetui.control.playback import Shown

MIN_COLS, MIN_ROWS = 20, 6  # below this a frame is not a picture


class PreviewScreen(Screen[None]):
    """One clip: facts, the clip played in the terminal with a scrub bar, and the keep/delete decisions."""

    BINDINGS = [
        Binding("space,p", "toggle", "Play/Pause"),
        Binding("left", "seek(-1)", "−1s"),
        Binding("right", "seek(1)", "+1s"),
        Binding("shift+left,comma,h", "step(-1)", "◀ Frame", show=False),
        Binding("shift+right,full_stop,l", "step(1)", "Frame ▶", show=False),
        Binding("home", "seek_to(0)", "Start", show=False),
        Binding("L", "loop", "Loop", show=False),
        Binding("g", "pixels", "Pixels/blocks", tooltip="play in pixels (sixel, kitty) or half blocks (the default over SSH)"),
        Binding("o", "play", "Open in player", tooltip="mpv/ffplay in a window, or in the terminal with no display"),
        Binding("t", "play_terminal", "mpv in terminal", show=False, tooltip="mpv --vo=tct; works over SSH and in tmux"),
        Binding("right_square_bracket", "take(1)", "Next take", show=False, key_display="]",
                tooltip="play the scene's next take from the same moment"),
        Binding("left_square_bracket", "take(-1)", "Previous take", show=False, key_display="["),
        Binding("x", "flip", "A/B", show=False, tooltip="flip between the last two takes shown, at the same moment"),
        Binding("enter", "choose_take", "Choose take", show=False, tooltip="make the take shown the scene's clip"),
        Binding("s", "keep", "Save / keep"),
        Binding("d", "delete", "Delete"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, controller: Controller, index: int | None) -> None:
        super().__init__()
        self.controller, self.index = controller, index
        self.clock: PlaybackClock | None = None
        self.fetched: Path | None = None  # a clip only remote storage had, fetched when the screen opened
        self._small = False  # the pane was too small to play in, and the status line says so
        # the scene's takes: ] [ play another from the same moment, x flips between the last two (A/B)
        self.takes = controller.takes(index) if index is not None else []
        self.shown: int | None = None  # which of them is playing; None: the scene's clip
        self.other: int | None = None  # the one shown before it, for x

    @property
    def clip(self) -> Path | None:
        if self.shown is not None:
            return Path(self.takes[self.shown].path)
        return self.fetched or self.controller.clip_path(self.index)

    def _current(self) -> int | None:
        """The position in `takes` of what is playing (the scene's clip is its chosen take)."""
        if self.shown is not None:
            return self.shown
        return next((n for n, t in enumerate(self.takes) if t.chosen), None)

    @property
    def graphics(self) -> Graphics:
        return self.app.graphics  # type: ignore[attr-defined, no-any-return]

    def compose(self) -> ComposeResult:
        with Vertical(id="preview"):
            yield Static(id="preview-facts")
            if self.graphics == "halfblock":
                yield VideoView(id="preview-frame")
            else:  # frames through the terminal's protocol (encoded off the UI thread); half blocks when asked
                with Vertical(id="preview-stage"):
                    yield VideoView(id="preview-frame")
                    yield FRAMES[self.graphics](id="preview-graphic")
            yield ScrubBar(id="preview-scrub")
            yield Static(id="preview-status")
        yield Footer()

    def on_mount(self) -> None:
        install_frame_timer(self)  # a changed frame drawn within 1/60 s, not on Textual's grid
        self.redraw_facts()
        self.open_clip()

    def on_unmount(self) -> None:
        if self.clock:
            self.clock.stop()
            self.clock.player.close()

    def redraw_facts(self) -> None:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="bold")
        grid.add_column()
        if self.index is None:
            grid.add_row("Final film", Text(str(self.clip or "not assembled yet")))
            facts = self.controller.view.clip_facts(None)
        else:
            scene = self.controller.loaded.script.scenes[self.index]
            grid.add_row("Scene", Text(f"{self.index}  {scene.title}"))
            facts = self.controller.view.clip_facts(self.index)
            at = self._current()
            if len(self.takes) > 1 and at is not None:
                grid.add_row("Take", Text(f"{at + 1} of {len(self.takes)} · {self.takes[at].label()}  "
                                          "(] [ another · x A/B · enter chooses)"))
        for key, value in facts.items():
            grid.add_row(key, Text(value))
        self.query_one("#preview-facts", Static).update(grid)

    def say(self, text: str, style: str = "") -> None:
        self.query_one("#preview-status", Static).update(Text(text, style=style))

    # playback ---------------------------------------------------------------------------------------------
    @work(exclusive=True, group="frames")
    async def open_clip(self, at: float | None = None, play: bool = False) -> None:
        view = self.query_one(VideoView)
        if self.clip is None and self.index is not None:
            view.say("fetching the clip…")
            try:
                self.fetched = await self.controller.view.fetch_clip(self.index)
            except UserError as exc:
                self.say(exc.line(), "red")
                return
        clip = self.clip
        if clip is None:
            view.say("no clip")
            return
        try:
            player = await self.controller.view.open_player(clip)
        except UserError as exc:
            view.say("cannot be played", "red")
            self.say(exc.line(), "red")
            return
        encoder = self.app.pictures.encoder  # type: ignore[attr-defined]
        self.clock = PlaybackClock(player, self._drawn, self._failed, self._room, gone=lambda: not clip.exists(),
                                   encode=encoder, slow=self._too_slow)
        # A picture a frame costs a core and megabytes a second: on by default here, off over SSH; g switches.
        self.clock.encode_playing = encoder is not None and not over_ssh()
        # the middle says more about a clip than its first frame; another take opens at the moment left
        self.clock.start(at=player.duration / 2 if at is None else min(at, player.duration))
        if play:
            self.clock.play()
        self.say("space play · ←/→ 1 s · , . a frame · L loop · click the bar · o mpv", "dim")

    def _stage(self) -> Widget:
        return self.query_one("#preview-stage") if self.graphics != "halfblock" else self.query_one(VideoView)

    def _room(self) -> tuple[int, int]:
        size = self._stage().size
        spare = GRAPHIC_SPARE_ROWS if self.graphics == "sixel" else 0  # where the next sixel frame is placed from
        return max(MIN_COLS, size.width), max(MIN_ROWS, size.height - spare)

    def _drawn(self, shown: Shown) -> None:
        view = self.query_one(VideoView)
        size = self._stage().size
        if size.width < MIN_COLS or size.height < MIN_ROWS:
            small = f"too small to play here ({size.width}×{size.height}); enlarge the terminal or press o"
            self._show_graphic(None)
            view.say(small)
            self.say(small, "yellow")
            self._small = True
        else:
            if self._small:
                self._small = False
                self.say("")
            self._show_graphic(shown.graphic)
            if shown.graphic is None:
                view.show(shown.lines, shown.width)
        self._draw_bar()

    def _show_graphic(self, graphic: tuple[str, int, int] | None) -> None:
        """A frame through the terminal's protocol; `None` goes back to the half-block view."""
        if self.graphics == "halfblock":
            return
        frame = self.query_one(GraphicFrame)
        self.query_one(VideoView).display = graphic is None
        frame.display = graphic is not None
        if graphic is not None:
            data, cols, rows = graphic
            frame.show(data, (cols, rows))

    def _draw_bar(self) -> None:
        c = self.clock
        if c is None:
            return
        number = c.shown.number if c.shown else 0
        frames = max(1, round(c.player.duration * c.player.rate))
        self.query_one(ScrubBar).draw(playing=c.playing, t=c.shown.t if c.shown else c.position,
                                      duration=c.player.duration, frame=min(number, frames - 1), frames=frames,
                                      fps=c.fps(), loop=c.loop, sound=getattr(c.player, "has_sound", False))

    def _failed(self, message: str) -> None:
        self.say(message, "red")
        self._draw_bar()

    def on_resize(self) -> None:
        if self.clock:
            self.clock.redraw()

    def action_toggle(self) -> None:
        if self.clock:
            self.clock.toggle()
            self._draw_bar()

    def action_seek(self, seconds: float) -> None:
        if self.clock:
            self.clock.seek(seconds)

    def action_seek_to(self, seconds: float) -> None:
        if self.clock:
            self.clock.seek(seconds, absolute=True)

    def action_step(self, frames: int) -> None:
        if self.clock:
            self.clock.step(frames)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pixels":
            return self.graphics != "halfblock"  # only a terminal with a graphics protocol has the choice
        return True

    def _too_slow(self, fps: float) -> None:
        rate = self.clock.player.rate if self.clock else 0
        self.say(f"pixels kept up with {fps:.0f} fps of {rate:.0f}: playing in half blocks, paused frames stay "
                 "sharp (g for pixels)", "yellow")

    def action_pixels(self) -> None:
        if self.clock:
            self.clock.auto_pixels = False  # the person chose: never switched back by itself
            self.clock.encode_playing = not self.clock.encode_playing
            self.say("playing in pixels" if self.clock.encode_playing else
                     "playing in half blocks (lighter over a slow link); paused frames stay sharp", "dim")
            self.clock.redraw()

    def action_loop(self) -> None:
        if self.clock:
            self.clock.loop = not self.clock.loop
            self._draw_bar()

    @on(Scrub)
    def scrubbed(self, message: Scrub) -> None:
        if self.clock:
            self.clock.seek(message.fraction * self.clock.player.duration, absolute=True)

    async def action_play(self, in_terminal: bool | None = None) -> None:
        clip = self.clip
        if clip is None:
            return
        plan = self.controller.view.play_plan(clip, in_terminal=in_terminal)
        if plan.command is None:
            self.say(plan.how, "yellow")
            return
        try:
            with self.app.suspend():
                # In a thread, so a render running in this process keeps going while the player has the terminal.
                result = await asyncio.to_thread(subprocess.run, plan.command, check=False)
        except Exception as exc:  # SuspendNotSupported in a browser, or the player failed to start
            self.say(f"cannot start a player here ({exc}); space plays the clip in this pane", "yellow")
            return
        self.say(f"{plan.how}: finished" if result.returncode == 0 else f"the player exited with {result.returncode}")

    async def action_play_terminal(self) -> None:
        await self.action_play(in_terminal=True)

    def _other_take(self) -> bool:
        """A take that is not the scene's clip is playing: s and d act on the clip, so say so instead."""
        if self.shown is not None and not self.takes[self.shown].chosen:
            self.say("this take is not the scene's clip: enter chooses it; `scenetui takes delete` removes it", "yellow")
            return True
        return False

    def action_keep(self) -> None:
        if self._other_take():
            return
        if self.clip is None:
            return
        default = self.controller.view.default_export_path(self.index)

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
        if self._other_take():
            return
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

    def _show_take(self, to: int) -> None:
        """Play take `to` from the moment the one before it was at (paused stays paused)."""
        at, playing = None, False
        if self.clock:
            at, playing = self.clock.now(), self.clock.playing
            self.clock.stop()
            self.clock.player.close()
            self.clock = None
        self.other, self.shown = self._current(), to
        self.redraw_facts()
        self.open_clip(at, playing)

    def action_take(self, step: int) -> None:
        at = self._current()
        if len(self.takes) < 2 or at is None:
            self.say("this scene has one take — T in the scene list makes more", "dim")
            return
        self._show_take((at + step) % len(self.takes))

    def action_flip(self) -> None:
        if self.other is None or self.other == self._current():
            self.action_take(1)  # nothing shown before: the next one is B
        else:
            self._show_take(self.other)

    async def action_choose_take(self) -> None:
        at = self._current()
        if at is None or self.index is None or self.takes[at].chosen:
            self.say("this is the scene's clip already", "dim")
            return
        try:
            self.notify(await self.controller.choose_take(self.index, self.takes[at].number), timeout=8)
        except UserError as exc:
            self.say(f"nothing changed: {exc.line()}", "red")
            return
        self.takes = self.controller.takes(self.index)
        self.redraw_facts()

    def action_back(self) -> None:
        self.dismiss(None)



def preview_film(screen: Screen[None], controller: Controller, how_to_assemble: str) -> None:
    """Open the final film's preview, or say how to assemble it first."""
    if controller.clip_path(None) is None:
        screen.notify(f"the final film is not assembled yet — {how_to_assemble}", severity="warning")
        return
    screen.app.push_screen(PreviewScreen(controller, None))
