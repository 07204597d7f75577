"""The `watch` controller: follows a render another process runs, through the shared journal.

Events are read from the journal as they are written; retry and cancel go back through its command table,
which the running render polls. Clip actions (keep, delete) and assembly work as in `open` once it is idle.
When nothing runs, the keys that start work start a render in a process of its own (as `b` does, after the same
confirmation): the person at the browser view of a render box has no other terminal.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from scenetui.control.controller import ScriptController
from scenetui.domain.board import DONE
from scenetui.engine.journal import Journal

RENDER_BACKENDS = ("animatic", "luma")


class WatchController(ScriptController):
    """A live view of a render running elsewhere; new renders it starts run in processes of their own."""

    mode = "watch"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        backend = self._last_backend()
        if backend and backend != self.opts.backend and self.opts.backend == "animatic":
            # Nobody told this watcher which generator to use: go on as this script's renders have.
            self.state.opts = dataclasses.replace(self.opts, backend=backend)
            if backend == "luma" and not kwargs.get("concurrency"):
                self.concurrency = self.state.settings.luma_at_once
                self.queue.at_once = self.concurrency

    def _last_backend(self) -> str | None:
        journal = Journal.open_existing(self.workspace.journal_path)
        if journal is None:
            return None
        try:
            return journal.last_backend(self.script_id, RENDER_BACKENDS)
        finally:
            journal.close()

    async def generate(self, indices: list[int] | None, *, force: bool = False, resubmit: bool = False) -> str:
        if not self.running:
            return await self.render_in_background(indices, force=force, resubmit=resubmit)
        wanted = [i for i in (indices or range(len(self.board.scenes))) if self.board.scenes[i].status != DONE]
        self._queue_retries(wanted, resubmit)
        return f"asked the running render to (re)try {len(wanted)} scene(s)"

    async def make_takes(self, index: int, count: int) -> str:
        """More takes of one scene, made by a render in a process of its own."""
        from scenetui.control.background import render_command, spawn_render

        self._check_takes(index)
        cmd = render_command(self.state.script_path, self.workspace, self.opts, scenes=[index], force=False,
                             concurrency=self.concurrency, takes=count)
        pid, _ = await asyncio.to_thread(spawn_render, cmd, self.workspace)
        self.follow_journal()
        return f"making {count} more take(s) of scene {index} in the background (pid {pid})"
