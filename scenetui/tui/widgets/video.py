"""The in-terminal video pane and its scrub bar."""

from __future__ import annotations

from dataclasses import dataclass

from rich.control import Control
from rich.segment import ControlType, Segment
from rich.text import Text
from textual import events
from textual.dom import NoScreen
from textual.geometry import Region
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static


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
                return Strip.blank(width)
            lines = self._message.wrap(self.app.console, width)
            return Strip(list(lines[0].render(self.app.console)) if lines else [], width).crop_extend(0, width, None)
        top = max(0, (self.size.height - len(self._lines)) // 2)
        row = y - top
        if not 0 <= row < len(self._lines):
            return Strip.blank(width)
        left = max(0, (width - self._width) // 2)
        return Strip([Segment(" " * left), *self._lines[row]], left + self._width).crop_extend(0, width, None)


class SixelFrame(Widget):
    """A frame already encoded as sixel, centred in the widget. The terminal draws the pixels; Textual only moves
    the cursor there — the data rides in a control segment of the last line, as textual-image places its pictures."""

    DEFAULT_CSS = "SixelFrame { height: 1fr; }"

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.data = ""
        self.cells = (0, 0)
        self.shown = 0  # frames handed to the terminal, for tests and the benchmark

    def show(self, data: str, cells: tuple[int, int]) -> None:
        self.data, self.cells = data, cells
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        blank = [Strip.blank(crop.width)] * crop.height
        try:
            if not self.data or not self.screen.is_active:
                return blank
        except NoScreen:
            return blank
        box = self.content_region
        cols, rows = self.cells
        x, y = box.x + max(0, (box.width - cols) // 2), box.y + max(0, (box.height - rows) // 2)
        self.shown += 1
        place = [Segment(Control.move_to(x, y).segment.text),
                 Segment(self.data, control=((ControlType.CURSOR_FORWARD, 0),)),
                 Segment(Control.move_to(box.right - 1, box.bottom - 1).segment.text)]
        return [*blank[:-1], Strip([*blank[-1], *place], crop.width)]


@dataclass
class Scrub(Message):
    """The person clicked the scrub bar at this fraction of the clip."""

    fraction: float


class ScrubBar(Static):
    """`▶ 0:01.2 / 0:05.0 ━━━━●──── frame 30/120 · 24 fps` — click anywhere on the bar to go there."""

    DEFAULT_CSS = "ScrubBar { height: 1; }"

    def draw(self, *, playing: bool, t: float, duration: float, frame: int, frames: int, fps: float,
             loop: bool) -> None:
        head = f"{'▶' if playing else '⏸'} {clock(t)} / {clock(duration)} "
        tail = f" frame {frame + 1}/{max(frames, 1)}" + (f" · {fps:.0f} fps drawn" if playing else "") + (" · loop" if loop else "")
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
