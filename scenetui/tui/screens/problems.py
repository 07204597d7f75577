"""Shown instead of the scene tree when the script does not validate: every problem with its place."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from scenetui.domain.text import clean


class ProblemsScreen(Screen[None]):
    """The script's problems; fix the file and reopen."""

    BINDINGS = [Binding("q,escape", "app.quit", "Quit")]

    def __init__(self, path: str, problems: list[str]) -> None:
        super().__init__()
        self.path, self.problems = path, problems

    def compose(self) -> ComposeResult:
        table = Table(title=Text(f"{self.path} has {len(self.problems)} problem(s)"), expand=True, show_edge=False)
        table.add_column("problem", style="red")
        for p in self.problems:
            table.add_row(Text(clean(p)))  # a problem quotes the script: brackets and escapes stay inert
        with VerticalScroll(id="problems"):
            yield Static(table)
            yield Static("Fix these in the script file, then open it again (`scenetui validate` lists them too).",
                         classes="dialog-detail")
        yield Footer()
