"""A clip decoded in-process with PyAV and drawn as half-block cells, at any moment asked for.

The player is driven from one worker thread at a time: `frame_at(t)` decodes forward to the latest frame at or
before `t` (frames in between are decoded but never converted — that is how playback drops frames instead of
drifting) and seeks only when `t` is behind or far ahead. Conversion to cells happens in the same thread, so the
UI thread only swaps finished lines in.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image
from rich.color import Color
from rich.segment import Segment
from rich.style import Style

from scenetui.media.probe import open_media

CellLines = list[list[Segment]]
_FAR_AHEAD = 2.0  # seconds: beyond this, seeking is cheaper than decoding through
# Packets one frame may read: a seek lands on the keyframe before the moment, so a long GOP needs many; millions of
# empty packets (a hostile index) must not hold the decoder, and a close, for minutes.
PACKET_BUDGET = 4096


@dataclass(frozen=True)
class Shown:
    """One drawn frame: its time in the clip, its number, the cell lines and their size."""

    t: float
    number: int
    lines: CellLines
    width: int
    height: int
    picture: Image.Image | None = None  # the whole frame, when asked for (to be encoded for a graphics protocol)
    # The frame encoded for the terminal's protocol (sixel data or kitty's base64 PNG) and the cells it covers,
    # made in the worker thread.
    graphic: tuple[str, int, int] | None = None


class PlaybackError(Exception):
    """The clip cannot be decoded (gone, truncated, not a video)."""


def fit(src_w: int, src_h: int, cols: int, rows: int) -> tuple[int, int]:
    """Cells (columns, rows) that hold a `src_w`×`src_h` picture in `cols`×`rows`, aspect kept (a cell is two
    pixels tall)."""
    scale = min(cols / src_w, (rows * 2) / src_h)
    return max(1, int(src_w * scale)), max(1, int(src_h * scale) // 2)


_styles: dict[int, Style] = {}
_colors: dict[int, Color] = {}


def _color(rgb: int) -> Color:
    color = _colors.get(rgb)
    if color is None:
        color = _colors[rgb] = Color.from_rgb(rgb >> 16, (rgb >> 8) & 255, rgb & 255)
    return color


def _style(key: int) -> Style:
    # Detailed footage meets new colour pairs every frame: Style.from_color over cached colours is ~8x cheaper
    # than Style(color=Color.from_rgb(...)), which is what keeps a fractal near the clip's frame rate.
    style = _styles.get(key)
    if style is None:
        if len(_styles) > 500_000:  # colour pairs of a long film; start over rather than grow without end
            _styles.clear()
        style = _styles[key] = Style.from_color(_color(key >> 24), _color(key & 0xFFFFFF))
    return style


def rgb_cells(rgb: np.ndarray) -> CellLines:
    """An H×W×3 uint8 array (H even) as lines of `▀` segments, runs of one colour pair merged."""
    q = rgb.astype(np.uint64) & 0xF8  # 5 bits a channel: hardly visible in half blocks, and longer runs to merge
    packed = (q[..., 0] << 16) | (q[..., 1] << 8) | q[..., 2]
    keys = (packed[0::2] << 24) | packed[1::2]
    lines: CellLines = []
    for row in keys.tolist():
        segments: list[Segment] = []
        run_key, run = row[0], 0
        for key in row:
            if key == run_key:
                run += 1
                continue
            segments.append(Segment("▀" * run, _style(run_key)))
            run_key, run = key, 1
        segments.append(Segment("▀" * run, _style(run_key)))
        lines.append(segments)
    return lines


class ClipPlayer:
    """Random access to a clip's frames as cells, from one worker thread at a time. `close` may come from another
    thread (the screen going away mid-frame) and never waits: freeing the decoder under a frame in progress would
    crash the process, so the frame's own thread frees it when that frame stops (promptly: decoding checks for a
    close between packets and reads at most a bounded number of packets per frame)."""

    def __init__(self, path: Path) -> None:
        try:
            self._container = open_media(path)
            self._stream = self._container.streams.video[0]
        except (av.FFmpegError, OSError, IndexError, ValueError) as exc:
            raise PlaybackError(f"cannot open {path.name} ({exc})") from exc
        self._stream.thread_type = "AUTO"
        self.path = path
        self.has_sound = bool(self._container.streams.audio)  # drawn silent here; an external player plays it
        self.width, self.height = self._stream.codec_context.width, self._stream.codec_context.height
        self.rate = float(self._stream.average_rate or 24)
        self._tb = self._stream.time_base or Fraction(1, 1000)
        if self._stream.duration:
            self.duration = float(self._stream.duration * self._tb)
        elif self._container.duration:
            self.duration = float(self._container.duration / av.time_base)
        else:
            self.duration = 0.0
        self._start = float(self._stream.start_time * self._tb) if self._stream.start_time else 0.0
        self._frames: Iterator[av.VideoFrame] | None = None
        self._budget = 0  # packets still allowed before the frame asked for must be found
        self._current: av.VideoFrame | None = None
        self._ahead: av.VideoFrame | None = None  # decoded past the asked moment, kept for the next call
        self.decoded = 0
        self._lock = threading.Lock()
        self._closed = False
        self._released = False

    @property
    def frame_time(self) -> float:
        return 1.0 / self.rate

    def _time(self, frame: av.VideoFrame) -> float:
        return float(frame.pts * self._tb) - self._start if frame.pts is not None else 0.0

    def _seek(self, t: float) -> None:
        target = int((t + self._start) / self._tb)
        self._container.seek(max(0, target), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._decode()
        self._current = self._ahead = None

    def _decode(self) -> Iterator[av.VideoFrame]:
        """Frames from the stream's packets, stopping at a close or when this frame's packet budget runs out (a
        clip of millions of empty packets must not hold the decoder for minutes)."""
        for packet in self._container.demux(self._stream):
            if self._closed:
                raise PlaybackError(f"{self.path.name} is closed")
            self._budget -= 1
            if self._budget < 0:
                raise PlaybackError(f"{self.path.name}: too many packets without a frame (a damaged clip)")
            yield from packet.decode()

    def _next(self) -> av.VideoFrame | None:
        if self._ahead is not None:
            frame, self._ahead = self._ahead, None
            return frame
        assert self._frames is not None
        try:
            frame = next(self._frames)
        except StopIteration:
            return None
        self.decoded += 1
        return frame

    def frame_at(self, t: float) -> av.VideoFrame:
        """The frame on screen at `t` seconds: the last one starting at or before it."""
        t = min(max(0.0, t), max(0.0, self.duration))
        # Seeking lands on the keyframe before `t`: up to a GOP plus the far-ahead window of packets, with room.
        self._budget = PACKET_BUDGET + min(int(self.rate * (_FAR_AHEAD + 60)), 16_000)
        try:
            now = self._time(self._current) if self._current is not None else None
            if self._frames is None or now is None or t < now - 1e-6 or t > now + _FAR_AHEAD:
                self._seek(t)
            while True:
                frame = self._next()
                if frame is None:  # end of the clip: the last frame stays
                    break
                if self._current is not None and self._time(frame) > t + 1e-6:
                    self._ahead = frame
                    break
                self._current = frame
        except (av.FFmpegError, OSError) as exc:
            raise PlaybackError(f"{self.path.name} could not be decoded at {t:.2f}s ({exc})") from exc
        if self._current is None:
            raise PlaybackError(f"{self.path.name} has no frame at {t:.2f}s")
        return self._current

    def show(self, t: float, cols: int, rows: int, picture: bool = False, longest: int | None = None) -> Shown:
        """The frame at `t` scaled (by libswscale) to fit `cols`×`rows` cells — or, with `picture`, the frame itself
        instead (for a graphics protocol; no cells made), scaled by libswscale to at most `longest` pixels a side."""
        try:
            with self._lock:
                if self._closed:
                    raise PlaybackError(f"{self.path.name} is closed")
                return self._show(t, cols, rows, picture, longest)
        finally:
            if self._closed:  # closed while this frame was made: freed here, by the thread that used it
                self._release_if_free()

    def _show(self, t: float, cols: int, rows: int, picture: bool, longest: int | None) -> Shown:
        frame = self.frame_at(t)
        w, h = fit(self.width, self.height, cols, rows)
        ft = self._time(frame)
        number = int(round(ft * self.rate))
        if not picture:
            rgb = frame.reformat(width=w, height=h * 2, format="rgb24", interpolation="FAST_BILINEAR").to_ndarray()
            return Shown(ft, number, rgb_cells(rgb), w, h)
        # Half-block cells of a frame drawn as a picture would be thrown away: 10 ms and more a frame, not made.
        scale = min(1.0, longest / max(self.width, self.height)) if longest else 1.0
        size = max(1, round(self.width * scale)), max(1, round(self.height * scale))
        try:
            # libswscale scales and converts in one pass, several times quicker than PIL resizing the whole frame
            still = frame.reformat(width=size[0], height=size[1], format="rgb24",
                                   interpolation="BILINEAR").to_image() if scale < 1 else frame.to_image()
        except (av.FFmpegError, ValueError) as exc:
            raise PlaybackError(f"{self.path.name} could not be converted at {ft:.2f}s ({exc})") from exc
        return Shown(ft, number, [], w, h, still)

    def close(self) -> None:
        """Stop the player. Returns at once; a frame in progress ends at its next packet and frees the decoder."""
        self._closed = True
        self._release_if_free()

    def _release_if_free(self) -> None:
        # Both close() and the frame's thread try this after the flag is set: whichever finds the lock free frees.
        if not self._released and self._lock.acquire(blocking=False):
            try:
                self._release()
            finally:
                self._lock.release()

    def _release(self) -> None:
        """Free the decoder; only with the lock held."""
        if self._released:
            return
        self._released = True
        self._frames = self._current = self._ahead = None
        self._container.close()
