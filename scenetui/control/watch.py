"""The `watch` controller: follows a render another process runs, through the shared journal.

Events are read from the journal as they are written; retry and cancel go back through its command table,
which the running render polls. Clip actions (keep, delete) and assembly work as in `open` once it is idle.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from scenetui.control.local import LocalController
from scenetui.domain.board import DONE
from scenetui.domain.events import event_from_json
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.errors import UserError

log = logging.getLogger("scenetui.control")
FOLLOW_SECONDS = 0.2


class WatchController(LocalController):
    """A live view of a render running elsewhere; it never starts a paid generation itself."""

    mode = "watch"

    async def start(self) -> None:
        self._journal = await asyncio.to_thread(self._wait_for_journal)
        self._follower = asyncio.create_task(self._follow(), name="follow-journal")

    def _wait_for_journal(self) -> Journal | None:
        return Journal(self.workspace.journal_path) if self.workspace.journal_path.exists() else None

    async def _follow(self) -> None:
        seq: int | None = None
        while True:
            if self._journal is None:
                self._journal = await asyncio.to_thread(self._wait_for_journal)
            if self._journal is not None:
                if seq is None:
                    seq = await asyncio.to_thread(self._start_seq)
                rows = await asyncio.to_thread(self._journal.events_since, seq, script_id=self.script_id)
                for seq, data in rows:
                    try:
                        event = event_from_json(data)
                    except (KeyError, TypeError):  # an event type from a newer scenetui: skip it, keep following
                        continue
                    self.emit(event)
                if rows:
                    continue
            await asyncio.sleep(FOLLOW_SECONDS)

    def _start_seq(self) -> int:
        """Replay the newest run when it is still going (so progress shows at once); else only new events."""
        assert self._journal is not None
        latest = self._journal.latest_run(self.script_id)
        if latest is None:
            rows = self._journal.events_since(0, script_id=None, limit=1_000_000)
            return rows[-1][0] if rows else 0
        _run_id, finished, first_seq = latest
        if finished is None:
            return first_seq
        rows = self._journal.events_since(first_seq, script_id=None, limit=1_000_000)
        return rows[-1][0] if rows else first_seq

    async def close(self) -> None:
        follower = getattr(self, "_follower", None)
        if follower:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower
        if getattr(self, "_journal", None) is not None:
            self._journal.close()
        await super().close()

    @property
    def running(self) -> bool:
        """A render of this script holds the workspace lock somewhere (or our own assembly runs)."""
        if super().running:
            return True
        try:
            with RenderLock(self.workspace.lock_path(self.script_id)):
                return False
        except UserError:
            return True

    async def generate(self, indices: list[int] | None, *, force: bool = False) -> str:
        if not self.running:
            raise UserError("no render of this script is running", hint=f"start one with `scenetui render {self.script_path}`"
                            f" (or use `scenetui open` to render from here)")
        wanted = [i for i in (indices or range(len(self.board.scenes))) if self.board.scenes[i].status != DONE]
        journal = self._journal or Journal(self.workspace.journal_path)
        for i in wanted:
            journal.send_command(self.script_id, "retry", i)
        return f"asked the running render to (re)try {len(wanted)} scene(s)"

    async def cancel(self, index: int | None = None, *, delete_remote: bool = False) -> str:
        if not self.running or self._journal is None:
            return "nothing is rendering"
        self._journal.send_command(self.script_id, "cancel", index, delete_remote=delete_remote)
        return "asked the running render to cancel " + ("every scene" if index is None else f"scene {index}")
