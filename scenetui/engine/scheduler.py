"""Runs scene pipelines within a concurrency limit; cancels one scene or all, and obeys journal commands — cancel,
retry, and the queue's: concurrency N, pause, resume, drain, first (scenes to the front)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from scenetui.engine.gate import MAX_AT_ONCE, Drained, Gate
from scenetui.engine.journal import Journal
from scenetui.engine.pipeline import SceneOutcome

COMMAND_POLL_SECONDS = 0.5
QUEUE_VERBS = ("concurrency", "pause", "resume", "drain", "first")


class Scheduler:
    """Concurrency slots, cancellation and the command channel of one render."""

    def __init__(self, run_one: Callable[[int], Awaitable[SceneOutcome]], *, concurrency: int,
                 ceiling: int = MAX_AT_ONCE, journal: Journal | None = None, script_id: str = "",
                 on_command: Callable[[str, int | None, dict[str, Any]], None] | None = None,
                 on_queue: Callable[[Gate], None] | None = None) -> None:
        self._run_one = run_one
        self.gate = Gate(concurrency, ceiling)
        self._tasks: dict[int, asyncio.Task[SceneOutcome]] = {}
        self._journal, self._script_id = journal, script_id
        self.outcomes: dict[int, SceneOutcome] = {}
        self._fatal: BaseException | None = None
        self._on_command = on_command  # sees each command's arguments before it is obeyed
        self._on_queue = on_queue  # sees the gate after each queue command changed it

    async def _guarded(self, index: int) -> SceneOutcome:
        try:
            await self.gate.enter(index)
        except Drained:
            return SceneOutcome(index, "drained")
        try:
            return await self._run_one(index)
        finally:
            await self.gate.leave()

    def _start(self, index: int) -> None:
        self.outcomes.pop(index, None)
        self._tasks[index] = asyncio.create_task(self._guarded(index), name=f"scene-{index}")

    def cancel(self, index: int | None = None) -> None:
        """Cancel one scene, or every scene when `index` is None."""
        for i, task in self._tasks.items():
            if index is None or i == index:
                task.cancel()

    async def _watch_commands(self) -> None:
        assert self._journal is not None
        while True:
            await asyncio.sleep(COMMAND_POLL_SECONDS)
            for cmd in await asyncio.to_thread(self._journal.take_commands, self._script_id):
                if self._on_command:
                    self._on_command(cmd.verb, cmd.scene_index, cmd.args)
                if cmd.verb == "cancel":
                    self.cancel(cmd.scene_index)
                elif cmd.verb in QUEUE_VERBS:
                    await self._queue(cmd.verb, cmd.args)
                    if self._on_queue:
                        self._on_queue(self.gate)
                elif cmd.verb == "retry" and cmd.scene_index is not None:
                    done = self._tasks.get(cmd.scene_index)
                    if done is None or done.done():
                        self._start(cmd.scene_index)

    async def _queue(self, verb: str, args: dict[str, Any]) -> None:
        if verb == "concurrency" and isinstance(args.get("n"), int) and args["n"] >= 1:
            await self.gate.change(limit=args["n"])
        elif verb in ("pause", "resume"):
            await self.gate.change(paused=verb == "pause")
        elif verb == "drain":
            await self.gate.change(drain=True)
        elif verb == "first" and isinstance(args.get("scenes"), list):
            await self.gate.change(first=[i for i in args["scenes"] if isinstance(i, int)])

    async def run(self, indices: Iterable[int]) -> dict[int, SceneOutcome]:
        """Run every scene; a fatal error (disk full) cancels the rest and is raised after they stop."""
        for i in indices:
            self._start(i)
        watcher = asyncio.create_task(self._watch_commands()) if self._journal else None
        try:
            while pending := [t for t in self._tasks.values() if not t.done()]:
                await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for i, task in list(self._tasks.items()):
                    if not task.done() or i in self.outcomes:
                        continue
                    if task.cancelled():
                        self.outcomes[i] = SceneOutcome(i, "cancelled")
                    elif (exc := task.exception()) is not None:
                        self.outcomes[i] = SceneOutcome(i, "failed", error=str(exc))
                        if self._fatal is None:
                            self._fatal = exc
                            self.cancel()
                    else:
                        self.outcomes[i] = task.result()
        except asyncio.CancelledError:
            self.cancel()
            with contextlib.suppress(BaseException):
                await asyncio.gather(*self._tasks.values(), return_exceptions=True)
            raise
        finally:
            if watcher:
                watcher.cancel()
                with contextlib.suppress(BaseException):
                    await watcher
        if self._fatal is not None:
            raise self._fatal
        return self.outcomes
