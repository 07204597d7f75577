"""A screen's frames drawn as soon as something changed, at most one per 1/60 s — not on Textual's grid.

Textual's screen update timer ticks at once when it is resumed after a pause, then sleeps to the slot after the
next on its own grid (its skip rounds up past the slot just missed): a key pressed a few milliseconds after a frame
waited 17–33 ms for the next one. Under a render's live rows a frame was drawn every few ticks, so most keys met
that wait. The timer here keeps the same cap (one frame per period) and measures it from the last frame drawn:
a key waits at most one period, and none when the last frame is older than that. (Letting a key's frame skip the
cap altogether measured no better: bench_tui, 5 rounds each.)

This replaces a private part of Textual (the screen's `_Screen__update_timer`, its Timer's `_run`); a Textual that
changes them keeps its own timer (`install_frame_timer` checks before it touches anything).
"""

from __future__ import annotations

import asyncio
import logging

from textual import screen as textual_screen
from textual.screen import Screen
from textual.timer import EventTargetGone, Timer

log = logging.getLogger("scenetui.app")
_SLOT = "_Screen__update_timer"  # where Screen keeps its update timer (a name-mangled private attribute)


class FrameTimer(Timer):
    """Ticks when resumed, no sooner than one interval after its last tick."""

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        last = float("-inf")
        count = 0
        while True:
            await self._active.wait()  # paused between frames: resumed when something needs drawing
            wait = last + self._interval - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            last = loop.time()
            count += 1
            try:
                await self._tick(next_timer=last, count=count)
            except EventTargetGone:  # the screen went away: stop, as Textual's own timer does
                break


def install_frame_timer(screen: Screen[object]) -> bool:
    """Give the screen a FrameTimer for its updates; False (Textual's own timer kept) when Textual's insides are
    not the ones this was written for."""
    if not hasattr(screen, _SLOT) or not callable(getattr(screen, "_on_timer_update", None)) \
            or not all(hasattr(Timer, name) for name in ("_tick", "_start", "pause", "resume")):
        log.debug("Textual's screen timer is not the expected one: keeping it")
        return False
    old = getattr(screen, _SLOT)
    period = getattr(textual_screen, "UPDATE_PERIOD", 1 / 60)
    timer = FrameTimer(screen, period, name="screen_update",
                       callback=screen._on_timer_update, pause=True)
    if old is not None:  # already made (a refresh came first): it stops, its work goes to the new one
        old.stop()
        screen._timers.discard(old)
        if old._active.is_set():
            timer.resume()
    timer._start()
    screen._timers.add(timer)
    setattr(screen, _SLOT, timer)
    return True
