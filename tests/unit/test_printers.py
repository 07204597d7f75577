"""The headless printers turn events into the words a person reads; spend shows as it changes."""

from __future__ import annotations

import io

from rich.console import Console
from rich.text import Text

from scenetui.domain.events import RenderFinished, RenderStarted, SceneCompleted, SpendChanged
from scenetui.headless.printer import PlainPrinter, RichPrinter, make_printer


def test_plain_printer_shows_spend_and_cap() -> None:
    out = io.StringIO()
    p = PlainPrinter(out)
    p(SpendChanged(100, 500))
    p(SpendChanged(250))
    assert out.getvalue().splitlines() == ["Spend: $1.00 of $5.00 cap spent", "Spend: $2.50 spent"]


def test_rich_printer_puts_spend_on_the_overall_bar() -> None:
    buf = io.StringIO()
    p = RichPrinter(Console(file=buf, force_terminal=True, width=120), {0: "Opening"})
    p(RenderStarted("s", "luma", [0], [], "/ws"))
    p(SpendChanged(160, 1000))
    p(SceneCompleted(0, "/ws/0.mp4", 5.0, "1280x720", 1000, 3.0))
    p(RenderFinished("s", [0], [], [], [], "/ws/final.mp4", 3.0, 0))
    text = Text.from_ansi(buf.getvalue()).plain
    assert "$1.60 of $10.00 cap spent" in text and "Final film: /ws/final.mp4" in text


def test_make_printer_picks_plain_lines_for_pipes() -> None:
    assert isinstance(make_printer(json_mode=False, labels={}, out=io.StringIO()), PlainPrinter)
