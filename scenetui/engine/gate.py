"""The render's queue: how many scenes are worked on at once (changeable while it runs), paused or draining, and
which waiting scene goes next."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable


MAX_AT_ONCE = 50  # scenes worked on at once; Luma itself holds 10 generations in flight whatever this says


class Drained(Exception):
    """The render is draining: this scene was never started and is left for the next render."""


class Gate:
    """Scenes wait here for a slot in their queue order; lowering the limit never stops one already in."""

    def __init__(self, limit: int, ceiling: int = MAX_AT_ONCE) -> None:
        self.ceiling = max(1, ceiling)  # the backend's own limit (a Luma account's): asked for more, this many
        self.limit = self._bounded(limit)
        self.active = 0
        self.paused = False
        self.draining = False
        self._waiting: list[int] = []
        self._changed = asyncio.Condition()

    def _bounded(self, limit: int) -> int:
        return min(self.ceiling, max(1, limit))

    async def enter(self, index: int) -> None:
        """Wait for this scene's turn; Drained if the render drains first."""
        async with self._changed:
            self._waiting.append(index)
            try:
                await self._changed.wait_for(lambda: self.draining or (
                    not self.paused and self.active < self.limit and self._waiting[0] == index))
            finally:
                self._waiting.remove(index)
                self._changed.notify_all()  # the next in line may go in too
            if self.draining:
                raise Drained(index)
            self.active += 1

    async def leave(self) -> None:
        async with self._changed:
            self.active -= 1
            self._changed.notify_all()

    async def change(self, *, limit: int | None = None, paused: bool | None = None, drain: bool = False,
                     first: Iterable[int] = ()) -> None:
        """What a queue command asks: a new limit, pause or resume, drain, or these scenes to the front."""
        async with self._changed:
            if limit is not None:
                self.limit = self._bounded(limit)
            if paused is not None:
                self.paused = paused
            self.draining = self.draining or drain
            ahead = [i for i in first if i in self._waiting]
            self._waiting[:] = ahead + [i for i in self._waiting if i not in ahead]
            self._changed.notify_all()

    @property
    def waiting(self) -> list[int]:
        """The scenes not started yet, in the order they will start."""
        return list(self._waiting)
