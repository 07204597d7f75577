"""F1: every binding of the screen underneath, with what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class HelpScreen(ModalScreen[None]):
    """Lists the bindings of the screen it was opened from."""

    BINDINGS = [Binding("escape,f1,q", "dismiss", "Close")]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(title="Keys", expand=True, show_edge=False)
        table.add_column("key", style="bold", no_wrap=True)
        table.add_column("does")
        seen = set()
        for binding in [*self.under.BINDINGS, *self.app.BINDINGS]:
            name = binding.action.removeprefix("app.") if isinstance(binding, Binding) else ""
            if not isinstance(binding, Binding) or not binding.description or name in seen or binding.key in seen:
                continue
            seen.update((name, binding.key))
            table.add_row((binding.key_display or binding.key).replace(",", " / "), binding.description + (f" — {binding.tooltip}" if binding.tooltip else ""))
        table.add_row("ctrl+p", "command palette: every action by name")
        with VerticalScroll(classes="dialog wide"):
            yield Static(table)
            yield Static("escape closes this help", classes="dialog-detail")
