"""Following a workspace journal: the events another process's render writes, as they are written."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from scenetui.domain.events import Event, event_from_json
from scenetui.engine.journal import Journal

FOLLOW_SECONDS = 0.2


class JournalFollower:
    """Replays the newest run if it is still going, then follows; events `ours(seq, run_id)` claims are skipped."""

    def __init__(self, journal_path: Path, script_id: str, emit: Callable[[Event], None],
                 ours: Callable[[int, int | None], bool] = lambda seq, run_id: False,
                 live: Callable[[], bool] = lambda: True) -> None:
        self.path, self.script_id, self.emit, self.ours, self.live = journal_path, script_id, emit, ours, live
        self.journal: Journal | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._follow(), name="follow-journal")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    async def _follow(self) -> None:
        seq: int | None = None
        while True:
            if self.journal is None:
                self.journal = await asyncio.to_thread(Journal.open_existing, self.path)
            if self.journal is not None:
                if seq is None:
                    seq = await asyncio.to_thread(self._start_seq, self.journal)
                rows = await asyncio.to_thread(self.journal.rows_since, seq, script_id=self.script_id)
                for seq, run_id, data in rows:
                    if self.ours(seq, run_id):
                        continue
                    try:
                        event = event_from_json(data)
                    except (KeyError, TypeError):  # an event type from a newer scenetui: skip it, keep following
                        continue
                    self.emit(event)
                if rows:
                    continue
            await asyncio.sleep(FOLLOW_SECONDS)

    def _start_seq(self, journal: Journal) -> int:
        latest = journal.latest_run(self.script_id)
        # An unfinished run is replayed only while a render really holds the lock: a run killed with -9 never
        # finished, and replaying it would show its scenes as running forever.
        if latest is not None and latest[1] is None and self.live():
            return latest[2]
        return journal.last_seq()
