"""Assemble the final film from the scene clips (hard cuts), with progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, ProgressBar, Static

from scenetui.domain.board import DONE
from scenetui.errors import UserError

if TYPE_CHECKING:
    from scenetui.control.local import LocalController


class ExportScreen(Screen[None]):
    """Shows which clips are ready, assembles on `a`, and follows the assembly's progress."""

    BINDINGS = [
        Binding("a", "assemble", "Assemble"),
        Binding("v", "preview_final", "Preview film"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, controller: LocalController) -> None:
        super().__init__()
        self.controller = controller

    def compose(self) -> ComposeResult:
        with Vertical(id="export"):
            yield Static(id="export-summary")
            yield ProgressBar(total=1.0, show_eta=False, id="export-progress")
            yield Static(id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self.flush(set())

    def flush(self, changed: set[int]) -> None:
        board = self.controller.board
        ready = [s.index for s in board.scenes if s.status == DONE]
        missing = [s.index for s in board.scenes if s.status != DONE]
        lines = [f"Final film of {self.controller.loaded.script.title or self.controller.script_id}: "
                 f"{len(ready)} of {len(board.scenes)} clips ready, joined with hard cuts."]
        if missing:
            shown = ", ".join(map(str, missing[:12])) + (" …" if len(missing) > 12 else "")
            lines.append(f"Not ready: scene(s) {shown} — generate them first.")
        else:
            lines.append("Every clip is ready: press a to assemble.")
        self.query_one("#export-summary", Static).update("\n".join(lines))
        self.query_one("#export-progress", ProgressBar).update(progress=board.assembly_fraction)
        status = {"joining": f"assembling… {board.assembly_fraction:.0%}", "done": f"assembled: {board.final}"}
        self.query_one("#export-status", Static).update(status.get(board.assembly, board.assembly)
                                                         or (f"last film: {board.final}" if board.final else ""))

    async def action_assemble(self) -> None:
        if any(s.status != DONE for s in self.controller.board.scenes):
            self.notify("some scenes have no clip yet", severity="warning")
            return
        try:
            self.notify(await self.controller.assemble())
        except UserError as exc:
            self.notify(exc.line(), severity="error")

    def action_preview_final(self) -> None:
        from scenetui.tui.screens.preview import preview_film

        preview_film(self, self.controller, "press a")

    def action_back(self) -> None:
        self.dismiss(None)
