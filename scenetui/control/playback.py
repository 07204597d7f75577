"""The clock of in-terminal playback: which moment of the clip belongs on screen now, and when to draw next.

Time is the wall clock's, not the decoder's: each draw asks for the moment that is due, so a slow link or a busy
machine drops frames instead of drifting; pausing, seeking and looping only move the anchor.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from scenetui.media.playback import PlaybackError, Shown

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Encoder", "PlaybackClock", "Player", "Shown"]

# (picture, columns, rows, playing) -> the picture as the terminal's protocol wants it
Encoder = Callable[["Image.Image", int, int, bool], tuple[str, int, int]]

PLAYING_PX = 800  # longest side of a picture while playing: ~40 ms to encode as sixel, 65-500 KB a frame


class Player(Protocol):
    duration: float
    rate: float
    decoded: int

    def show(self, t: float, cols: int, rows: int, picture: bool = False, longest: int | None = None) -> Shown: ...

    def close(self) -> None: ...


PACE_FRAMES = 24  # frames drawn in a play before its pace is judged (the fps window's length)
SLOW_SHARE = 0.5  # of the clip's frame rate: below it, pixels give way to half blocks


class PlaybackClock:
    """Drives a player from one asyncio task; the screen calls play/pause/seek/step and gets `draw` callbacks."""

    def __init__(self, player: Player, draw: Callable[[Shown], None], fail: Callable[[str], None],
                 size: Callable[[], tuple[int, int]], *, gone: Callable[[], bool] = lambda: False,
                 encode: Encoder | None = None, slow: Callable[[float], None] | None = None) -> None:
        self.player, self._draw, self._fail, self._size, self._gone = player, draw, fail, size, gone
        # With an encoder (sixel, kitty), paused frames — and playing ones when `encode_playing` — are encoded in
        # the worker thread, off the UI's.
        self._encode = encode
        self.encode_playing = False
        # Pixels that keep up with less than half the clip's rate give way to half blocks by themselves (once;
        # never after the person chose for themselves), and `slow` is told the rate they managed.
        self.auto_pixels = True
        self._slow = slow
        self._drawn_at_play = 0
        self.playing = False
        self.loop = False
        self.position = 0.0  # the moment asked for last (seconds into the clip)
        self.shown: Shown | None = None
        self.drawn = 0
        self._anchor = (0.0, time.monotonic())  # (clip time, wall time) it corresponds to while playing
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._fps_window: list[float] = []
        # Wall seconds of the last play from start to the moment its time ran out, and the longest wall gap
        # between two frames drawn in it (how late this machine let the loop run), for tests and the bench.
        self.played_wall: float | None = None
        self.worst_gap = 0.0
        self._started_at: tuple[float, float] | None = None  # (clip time, wall time) of the last play

    # what the screen asks -----------------------------------------------------------------------------------
    def start(self, at: float = 0.0) -> None:
        self.position = at
        self._task = asyncio.get_running_loop().create_task(self._run(), name="playback")
        self._wake.set()

    def stop(self) -> None:
        if self._task:
            self._task.cancel()
        self.playing = False

    def toggle(self) -> None:
        self.play() if not self.playing else self.pause()

    def play(self) -> None:
        if self.position >= self.player.duration - self.player_frame:  # at the end: from the start again
            self.position = 0.0
        self.playing = True
        self._anchor = (self.position, time.monotonic())
        self._started_at = (self.position, time.monotonic())
        self.worst_gap = 0.0
        self._drawn_at_play = self.drawn
        self._wake.set()

    def pause(self) -> None:
        self.position = self.now()
        self.playing = False
        self._wake.set()

    def seek(self, seconds: float, *, absolute: bool = False) -> None:
        target = seconds if absolute else self.now() + seconds
        self.position = min(max(0.0, target), self.player.duration)
        self._anchor = (self.position, time.monotonic())
        self._wake.set()

    def step(self, frames: int) -> None:
        """One frame on or back, paused (as an editor's , and . do)."""
        self.playing = False
        number = (self.shown.number if self.shown else 0) + frames
        self.position = min(max(0.0, number / self.player.rate), self.player.duration)
        self._wake.set()

    def redraw(self) -> None:
        self._wake.set()

    @property
    def player_frame(self) -> float:
        return 1.0 / self.player.rate

    def now(self) -> float:
        if not self.playing:
            return self.position
        at, wall = self._anchor
        return at + (time.monotonic() - wall)

    def fps(self) -> float:
        window = self._fps_window
        return (len(window) - 1) / (window[-1] - window[0]) if len(window) > 1 and window[-1] > window[0] else 0.0

    def _keep_pace(self) -> None:
        if not (self.playing and self.encode_playing and self.auto_pixels and self._encode is not None):
            return
        if self.drawn - self._drawn_at_play < PACE_FRAMES:  # the window holds this play's frames only
            return
        fps = self.fps()
        if fps < self.player.rate * SLOW_SHARE:
            self.encode_playing = self.auto_pixels = False
            if self._slow is not None:
                self._slow(fps)

    # the task -------------------------------------------------------------------------------------------------
    def _show(self, t: float, cols: int, rows: int, playing: bool) -> Shown:
        """In the worker thread: the frame as cells, and as a whole picture (encoded) when the screen wants one."""
        encode = self._encode if not playing or self.encode_playing else None
        shown = self.player.show(t, cols, rows, encode is not None, PLAYING_PX if playing else None)
        if encode is not None and shown.picture is not None:
            shown = replace(shown, graphic=encode(shown.picture, cols, rows, playing), picture=None)
        return shown

    async def _run(self) -> None:
        try:
            while True:
                if not self.playing:
                    await self._wake.wait()
                self._wake.clear()
                if self._gone():
                    self.playing = False
                    self._fail("the clip is gone (deleted or moved while playing); nothing else was touched")
                    return
                t = self.now()
                finished = False
                if self.playing and t >= self.player.duration:
                    if self.loop:
                        self._anchor = (0.0, time.monotonic())
                        t = 0.0
                    else:
                        t, finished = self.player.duration, True
                        if self._started_at is not None and self._started_at[0] == 0.0:
                            self.played_wall = time.monotonic() - self._started_at[1]
                self.position = t
                cols, rows = self._size()
                try:
                    shown = await asyncio.to_thread(self._show, t, cols, rows, self.playing)
                except PlaybackError as exc:
                    self.playing = False
                    self._fail(str(exc))
                    return
                self.shown = shown
                self.drawn += 1
                stamp = time.monotonic()
                if self._started_at and self._fps_window and self._fps_window[-1] >= self._started_at[1]:
                    self.worst_gap = max(self.worst_gap, stamp - self._fps_window[-1])
                self._fps_window = [*self._fps_window[-23:], stamp]
                if finished:  # stopped before the last frame is drawn, so the bar says paused, not playing
                    self.playing = False
                self._draw(shown)
                self._keep_pace()
                if finished:
                    if self._encode is not None and not self.encode_playing:
                        self._wake.set()  # the last frame again, now as a picture, as a paused frame is
                    continue
                if self.playing:
                    due = shown.t + self.player_frame - self.now()  # until the next frame starts
                    try:
                        await asyncio.wait_for(self._wake.wait(), timeout=max(0.002, due))
                    except TimeoutError:
                        pass
        except asyncio.CancelledError:
            pass
