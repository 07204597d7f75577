"""The engine's human-readable log, toggled with `l`."""

from __future__ import annotations

from textual.widgets import RichLog

from scenetui.domain.board import Board
from scenetui.domain.text import clean


class LogPanel(RichLog):
    """Follows the board's log lines; keeps the last few hundred."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_lines=500, wrap=True, markup=False, highlight=False, **kwargs)  # type: ignore[arg-type]
        self.shown = 0

    def follow(self, board: Board) -> None:
        """Write the lines said since the last call."""
        fresh = min(board.log_count - self.shown, len(board.log))
        for line in board.log[len(board.log) - fresh:] if fresh > 0 else []:
            self.write(clean(line))
        self.shown = board.log_count
