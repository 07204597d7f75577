"""The header line: overall progress, scene counts and spend."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from scenetui.domain.board import Board
from scenetui.tui.format import overall


class OverallBar(Static):
    """One line, redrawn at most a few times a second."""

    def __init__(self, board: Board, title: str, mode: str, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.board, self.title_text, self.mode = board, title, mode
        self.compact = False

    def set_compact(self, compact: bool) -> None:
        if compact != self.compact:
            self.compact = compact
            self.redraw()

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        prefix = "watching · " if self.mode == "watch" else ""
        # A title is text, not markup. One line high always: no layout (which would arrange the whole screen, each
        # time the board changed — several times a second in a render).
        self.update(Text(prefix + overall(self.board, self.title_text, compact=self.compact)), layout=False)
