"""`?`: see before paying — the exact request generating the selected scene would send, and its price."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class RequestScreen(ModalScreen[None]):
    """The request in full, scrollable; escape closes it."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, index: int, text: str) -> None:
        super().__init__()
        self.index, self.text = index, text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide"):
            yield Label(Text(f"Scene {self.index}: what generating it would send"), classes="dialog-title")
            yield Static(Text(self.text), id="request-body")
            yield Static("escape closes this", classes="dialog-detail")
