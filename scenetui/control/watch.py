"""The `watch` controller: follows a render another process runs, through the shared journal.

Events are read from the journal as they are written; retry and cancel go back through its command table,
which the running render polls. Clip actions (keep, delete) and assembly work as in `open` once it is idle.
"""

from __future__ import annotations

from scenetui.control.local import LocalController
from scenetui.domain.board import DONE
from scenetui.errors import UserError


class WatchController(LocalController):
    """A live view of a render running elsewhere; it never starts a paid generation itself."""

    mode = "watch"

    async def generate(self, indices: list[int] | None, *, force: bool = False) -> str:
        if not self.running:
            raise UserError("no render of this script is running", hint=f"start one with `scenetui render {self.script_path}`"
                            f" (or use `scenetui open` to render from here)")
        wanted = [i for i in (indices or range(len(self.board.scenes))) if self.board.scenes[i].status != DONE]
        self._send("retry", wanted)
        return f"asked the running render to (re)try {len(wanted)} scene(s)"
