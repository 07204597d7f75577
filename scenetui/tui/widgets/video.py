"""The in-terminal video pane and its scrub bar."""

from __future__ import annotations

import itertools
import logging
import random
import re
from dataclasses import dataclass
from functools import cache

from rich.color import Color
from rich.control import Control
from rich.segment import ControlType, Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.dom import NoScreen
from textual.geometry import Region, Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


log = logging.getLogger("scenetui.app")
_RASTER = re.compile(r'"\d+;\d+;(\d+);(\d+)')  # sixel raster attributes: the picture's size in pixels
GRAPHIC_SPARE_ROWS = 1  # rows of a playing pane left below the picture, where a new sixel frame is placed from
_PLACEHOLDER = chr(0x10EEEE)  # kitty's Unicode placeholder; the diacritics after it number the row and column


@cache
def _diacritics() -> list[str]:
    from textual_image.renderable.tgp import _NUMBER_TO_DIACRITIC

    return [chr(c) for c in _NUMBER_TO_DIACRITIC]


def clock(t: float) -> str:
    """0:01.2 — tenths, because a 5 s clip is what is being scrubbed."""
    t = max(0.0, t)
    return f"{int(t // 60)}:{t % 60:04.1f}"


class VideoView(Widget):
    """Shows the lines of one decoded frame, centred; swapping frames repaints only this widget."""

    DEFAULT_CSS = "VideoView { height: 1fr; }"

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self._lines: list[list[Segment]] = []
        self._width = 0
        self._message: Text | None = Text("loading…", style="dim")

    def show(self, lines: list[list[Segment]], width: int) -> None:
        self._lines, self._width, self._message = lines, width, None
        self.refresh()

    def say(self, text: str, style: str = "dim") -> None:
        self._lines, self._message = [], Text(text, style=style)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if self._message is not None:
            if y != self.size.height // 2:
                return Strip.blank(width, self.rich_style)
            lines = self._message.wrap(self.app.console, width)
            words = Strip(list(lines[0].render(self.app.console)) if lines else [])
            return words.crop_extend(0, width, None).apply_style(self.rich_style)
        top = max(0, (self.size.height - len(self._lines)) // 2)
        row = y - top
        if not 0 <= row < len(self._lines):
            return Strip.blank(width, self.rich_style)
        left = max(0, (width - self._width) // 2)
        return Strip([Segment(" " * left, self.rich_style), *self._lines[row]],
                     left + self._width).crop_extend(0, width, self.rich_style)


class GraphicFrame(Widget):
    """A frame already encoded for the terminal's graphics protocol, centred in the widget."""

    DEFAULT_CSS = "GraphicFrame { height: 1fr; }"

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.data = ""
        self.cells = (0, 0)
        self.shown = 0  # frames handed to the terminal, for tests and the benchmark

    def show(self, data: str, cells: tuple[int, int]) -> None:
        self.data, self.cells = data, cells
        self.refresh()

    def _blank(self, width: int) -> Strip:
        """A row without picture, in the widget's own background: unstyled cells take the terminal's, a white bar
        on a light-themed terminal."""
        return Strip.blank(width, self.rich_style)

    def _origin(self) -> tuple[int, int]:
        """Where the picture's top-left cell goes, relative to the widget."""
        cols, rows = self.cells
        return max(0, (self.size.width - cols) // 2), max(0, (self.size.height - rows) // 2)

    def _visible(self) -> bool:
        try:
            return bool(self.data) and self.screen.is_active
        except NoScreen:
            return False


class SixelFrame(GraphicFrame):
    """Sixel: the terminal draws the pixels; Textual only moves the cursor there — the data rides in a control
    segment of the last line repainted, as textual-image places its pictures.

    Cells written over a sixel picture erase its pixels, so a new frame of the same size repaints only the widget's
    last row and lets the new picture overwrite the old in place: repainting every row first showed an empty pane
    between two frames. The preview keeps that row free of picture (`GRAPHIC_SPARE_ROWS`)."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self._painted: tuple[tuple[int, int], Size] | None = None  # cells and size of the last whole paint

    def show(self, data: str, cells: tuple[int, int]) -> None:
        same = self.data and self._painted == (cells, self.size) and self.size.height > 0
        self.data, self.cells = data, cells
        if same:
            self.refresh(Region(0, self.size.height - 1, self.size.width, 1))
        else:
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        blank = self._blank(crop.width)
        lines = [blank] * crop.height
        if not self._visible() or not lines:
            return lines
        if crop.height == self.size.height:
            self._painted = (self.cells, self.size)
        box = self.content_region
        dx, dy = self._origin()
        self.shown += 1
        if log.isEnabledFor(logging.DEBUG):  # where the picture went, for the real-terminal tests
            pixels = _RASTER.search(self.data, 0, 64)
            log.debug("sixel picture %s px at cell %d,%d covering %d×%d cells (%s)",
                      "×".join(pixels.groups()) if pixels else "?", box.x + dx, box.y + dy, *self.cells,
                      self.id or "frame")
        bottom = box.y + crop.bottom - 1  # the screen row of the crop's last line
        place = [Segment(Control.move_to(box.x + dx, box.y + dy).segment.text),
                 Segment(self.data, control=((ControlType.CURSOR_FORWARD, 0),)),
                 # back where this line ends (its right edge), where Textual writes the cells that follow
                 Segment(Control.move_to(box.x + crop.right, bottom).segment.text)]
        return [*lines[:-1], Strip([*blank, *place], crop.width)]


class KittyFrame(GraphicFrame):
    """kitty's protocol with Unicode placeholders: each frame is sent under a fresh image id as a virtual placement,
    the cells name it by their colour, and the previous image is deleted once the new cells are on screen —
    re-sending data under a displayed id is not defined by kitty, so frames never do."""

    _ids = itertools.count(random.randrange(1, 1 << 23))

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)
        self.image_id = 0
        self._old: list[int] = []

    def _send(self, sequence: str) -> None:
        """To the terminal through Textual's own writer, so it is ordered with the screen updates."""
        driver = getattr(self.app, "_driver", None)
        if driver is not None:
            driver.write(sequence)

    def show(self, data: str, cells: tuple[int, int]) -> None:
        new = next(self._ids) % ((1 << 24) - 1) + 1  # 24 bits: the id lives in the cells' foreground colour
        cols, rows = cells
        chunks = [data[i:i + 4096] for i in range(0, len(data), 4096)] or [""]
        keys = f"a=T,U=1,f=100,i={new},c={cols},r={rows},q=2,"  # on the first chunk only
        self._send("".join(f"\x1b_G{keys if n == 0 else ''}m={int(n < len(chunks) - 1)};{chunk}\x1b\\"
                           for n, chunk in enumerate(chunks)))
        if self.image_id:
            self._old.append(self.image_id)
        self.image_id = new
        super().show(data, cells)
        self.call_after_refresh(self._forget)

    def _forget(self) -> None:
        """The cells name the new image now: free the ones before it."""
        old, self._old = self._old, []
        for image_id in old:
            self._send(f"\x1b_Ga=d,d=I,i={image_id},q=2\x1b\\")

    def on_unmount(self) -> None:
        if self.image_id:
            self._old.append(self.image_id)
            self.image_id = 0
        self._forget()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        dx, dy = self._origin()
        cols, rows = self.cells
        row = y - dy
        if not self._visible() or not 0 <= row < rows:
            return self._blank(width)
        self.shown += row == 0
        ident = self.image_id
        style = Style(color=Color.from_rgb((ident >> 16) & 255, (ident >> 8) & 255, ident & 255))
        marks = _diacritics()
        cells = "".join(f"{_PLACEHOLDER}{marks[row]}{marks[c]}" for c in range(cols))
        background = self.rich_style
        return Strip([Segment(" " * dx, background), Segment(cells, style),
                      Segment(" " * max(0, width - dx - cols), background)], width)


@dataclass
class Scrub(Message):
    """The person clicked the scrub bar at this fraction of the clip."""

    fraction: float


class ScrubBar(Static):
    """`▶ 0:01.2 / 0:05.0 ━━━━●──── frame 30/120 · 24 fps` — click anywhere on the bar to go there."""

    DEFAULT_CSS = "ScrubBar { height: 1; }"

    def draw(self, *, playing: bool, t: float, duration: float, frame: int, frames: int, fps: float,
             loop: bool, sound: bool = False) -> None:
        # ‖ for paused: ⏸ (U+23F8) is missing from common terminal fonts (DejaVu Sans Mono among them)
        head = f"{'▶' if playing else '‖'} {clock(t)} / {clock(duration)} "
        tail = (f" frame {frame + 1}/{max(frames, 1)}" + (f" · {fps:.0f} fps drawn" if playing else "")
                + (" · loop" if loop else "") + (" · ♪ silent here, o plays its sound" if sound else ""))
        room = max(4, self.size.width - len(head) - len(tail) - 1)
        done = round(room * (t / duration)) if duration > 0 else 0
        done = min(done, room - 1)
        bar = Text(head, style="bold")
        bar.append("━" * done, style="green")
        bar.append("●", style="bold green")
        bar.append("─" * (room - done - 1), style="dim")
        bar.append(tail, style="dim")
        self._bar = (len(head), room)
        self.update(bar)

    def on_click(self, event: events.Click) -> None:
        start, room = getattr(self, "_bar", (0, 0))
        if room and start <= event.x < start + room:
            self.post_message(Scrub(min(1.0, max(0.0, (event.x - start) / (room - 1 or 1)))))


# The widget that places each protocol's pictures, by what the terminal speaks.
FRAMES: dict[str, type[GraphicFrame]] = {"sixel": SixelFrame, "kitty": KittyFrame}

