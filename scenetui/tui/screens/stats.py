"""`S`: what this workspace's renders took, failed and cost — the same report as `scenetui stats`, in the app."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from scenetui.control.protocol import Controller
from scenetui.errors import UserError


class StatsScreen(ModalScreen[None]):
    """Analytics from the journal (read-only); numbers and plots sized to the window."""

    BINDINGS = [Binding("escape,q,S", "dismiss", "Close")]

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="stats"):
            yield Static(Text("reading the journal…", style="dim"), id="stats-body")
            yield Static("escape closes this", classes="dialog-detail")

    def on_mount(self) -> None:
        self.load()

    @work(exclusive=True, group="stats")
    async def load(self) -> None:
        try:
            text = await self.controller.stats_text(max(40, self.size.width - 8))
        except UserError as exc:
            text = f"{exc.message}\n{exc.hint or ''}"
        self.query_one("#stats-body", Static).update(Text(text))  # plain text: nothing in it is markup
