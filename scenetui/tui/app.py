"""The app shell: hands events from the controller to the screen in batches; the screens do the rest."""

from __future__ import annotations

import asyncio
import gc
import sys
import threading
import time
from pathlib import Path

from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen

from scenetui.control.protocol import Controller
from scenetui.domain.events import AssemblyFinished, Event, RenderFinished
from scenetui.tui.commands import SceneCommands
from scenetui.tui.graphics import Graphics, Pictures
from scenetui.tui.lifeline import Lifeline
from scenetui.tui.messages import BoardChanged, RenderEnded
from scenetui.tui.notices import assembled_sentence, desktop_notice, ended_sentence
from scenetui.tui.screens.dialogs import ConfirmScreen
from scenetui.tui.screens.help import HelpScreen
from scenetui.tui.screens.main import MainScreen
from scenetui.tui.screens.problems import ProblemsScreen

MIN_REDRAW_GAP = 0.1  # seconds between board redraws while events pour in
YOUNG_GC_THRESHOLD = 10_000  # allocations between collections of young objects (Python's default: 700)
STYLES = Path(__file__).resolve().parents[1] / "styles"  # installed: scenetui/styles; in a checkout: styles/
if not STYLES.is_dir():
    STYLES = Path(__file__).resolve().parents[2] / "styles"


class SceneApp(App[int]):
    """scenetui's terminal app for one script (or the problems that keep it from opening)."""

    CSS_PATH = STYLES / "app.tcss"
    TITLE = "scenetui"
    COMMANDS = App.COMMANDS | {SceneCommands}
    BINDINGS = [
        Binding("f1", "help", "Help"),
        Binding("q", "quit_app", "Quit"),
        Binding("ctrl+c", "quit_app", "Quit", show=False, priority=True),
    ]

    def __init__(self, controller: Controller | None, *, problems: list[str] | None = None,
                 script_name: str = "", pictures: Pictures | None = None) -> None:
        super().__init__()
        self.controller, self.problems, self.script_name = controller, problems, script_name
        self.pictures = pictures or Pictures()  # how pictures are drawn: asked of the terminal before the app started
        self._dirty: set[int] = set()
        self._posted = False
        self._last_delivery = 0.0
        self.autostart = False  # `scenetui demo`: start creating videos as soon as the app is up
        self.lifeline: Lifeline | None = None
        self._opened_at = time.time()  # a render that ended before (the journal's history in watch) is not told
        self.steady_gc: bool | None = None  # collect garbage the steady way: None = when on a real terminal

    @property
    def _background_screens(self) -> list[Screen]:  # type: ignore[override]
        """The screens seen through the top one: none under an opaque screen. Textual counts the screen just below
        whatever the top's background, so each live row changing under the preview repainted the preview's
        cells there — over its sixel picture, an empty pane between two frames."""
        screens: list[Screen] = []
        stack = self._screen_stack
        for above, below in zip(reversed(stack), reversed(stack[:-1])):
            if above.styles.background.a == 1:
                break
            screens.append(below)
        return screens[::-1]

    @property
    def graphics(self) -> Graphics:
        """The protocol pictures are drawn with."""
        return self.pictures.graphics

    @graphics.setter
    def graphics(self, graphics: Graphics) -> None:
        self.pictures = Pictures(graphics)

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = False) -> None:
        """Notifications carry titles, paths and server messages: shown as text, never parsed as markup."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def on_mount(self) -> None:
        self._install_lifeline()
        if self.controller is None:
            self.push_screen(ProblemsScreen(self.script_name, self.problems or []))
            return
        self.controller.subscribe(self._on_event)
        main = MainScreen(self.controller)
        self.push_screen(main)
        if self.steady_gc or (self.steady_gc is None and not self.is_headless):
            self.call_after_refresh(steady_garbage_collection)
        if self.autostart:
            self.call_after_refresh(main.run_action, "generate_all")
        self.run_worker(self.controller.start(), exit_on_error=False)

    def _install_lifeline(self) -> None:
        """SIGHUP (the SSH connection dropped), SIGTERM, or a terminal that stopped answering: close, and for sure."""
        if self.is_headless or threading.current_thread() is not threading.main_thread():
            return  # a test's Pilot: no terminal to lose, and the test runner's own signals stay its own
        loop = asyncio.get_running_loop()
        stdin = sys.__stdin__
        tty = stdin.fileno() if stdin is not None and stdin.isatty() else None
        self.lifeline = Lifeline(lambda: loop.call_soon_threadsafe(self.call_later, self._close_and_exit),
                                 lambda: self.controller.abandon() if self.controller is not None else None, tty_fd=tty)
        self.lifeline.install()

    def _on_event(self, event: Event, changed: set[int]) -> None:
        # One message in flight at a time, filled until it is handled: 2,000 events a second become one redraw per
        # turn of the loop instead of 2,000 messages (measured: posting each saturated a core, key p95 118 ms).
        if isinstance(event, RenderFinished) and event.ts >= self._opened_at:
            self.post_message(RenderEnded(event.script_id, ended_sentence(event)))
        elif (isinstance(event, AssemblyFinished) and event.ts >= self._opened_at and self.controller is not None
              and not self.controller.board.running):  # an export on its own (a render's film is told with it)
            self.post_message(RenderEnded(self.controller.script_id, assembled_sentence(event)))
        self._dirty |= changed or {-2}  # -2: nothing row-specific, but the header may have changed
        if not self._posted:
            self._posted = True
            self.post_message(BoardChanged(self._dirty))

    def on_render_ended(self, message: RenderEnded) -> None:
        """Someone who left a long render running hears it end, and sees it on the desktop where the terminal can."""
        self.bell()
        driver = getattr(self, "_driver", None)
        if driver is not None and not self.is_headless:
            driver.write(desktop_notice(f"scenetui {message.script}", message.sentence))

    def on_board_changed(self, message: BoardChanged) -> None:
        """Pass the merged change on to every screen on the stack, at most ten times a second (progress events
        arrive by the thousand; a person sees no more than that)."""
        wait = self._last_delivery + MIN_REDRAW_GAP - time.monotonic()
        if wait > 0:
            self.set_timer(wait, self._deliver)  # events keep filling the same set until then
        else:
            self._deliver()

    def _deliver(self) -> None:
        changed, self._dirty, self._posted = self._dirty, set(), False
        self._last_delivery = time.monotonic()
        if changed:
            for screen in self.screen_stack:
                screen.post_message(BoardChanged(set(changed)))

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    async def action_quit_app(self) -> None:
        if self.controller is not None and self.controller.mode == "open" and self.controller.running_here:
            question = "A render is running in this window. Quit and stop it?"
            detail = "Finished clips are kept and paid generations are picked up by the next render."
            self.push_screen(ConfirmScreen(question, detail, yes="Quit"),
                             lambda yes: self.call_later(self._close_and_exit) if yes else None)
            return
        await self._close_and_exit()

    def on_unmount(self) -> None:
        """However the app ends (quit, a test's exit, a lost terminal): no listener outlives it."""
        if self.controller is not None:
            self.controller.edits.stop_watching()
            self.controller.team.stop()

    async def _close_and_exit(self) -> None:
        if self.controller is not None:
            await self.controller.close()
        self.exit(0)


def steady_garbage_collection() -> None:
    """Once the scenes' rows are built: they are set aside from the collector and young objects are collected less
    often. With 500 scenes a full collection stopped the app for 100–200 ms and collecting took 7 % of its time;
    after this, 0.1 s in a whole benchmark run (tests/benchmarks/bench_tui.py). Process-wide, hence the app's run
    only (a test process running many apps keeps Python's defaults)."""
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, 10, 10)
