"""Words and glyphs for scene rows and panels; pure functions, so they are tested without a terminal."""

from __future__ import annotations

import time

from rich.text import Text

from scenetui.domain.board import (
    ACTIVE,
    CANCELLED,
    DONE,
    DOUBT,
    FAILED,
    PAID,
    PENDING,
    Board,
    SceneState,
)
from scenetui.domain.units import human_size as size
from scenetui.domain.units import usd

GLYPHS = {PENDING: ("·", "dim"), "queued": ("○", "cyan"), ACTIVE: ("◐", "yellow"), DONE: ("●", "green"),
          FAILED: ("✗", "red"), CANCELLED: ("⊘", "magenta"), PAID: ("$", "yellow"),
          DOUBT: ("?", "yellow")}
BAR_WIDTH = 10


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    seconds = max(0, int(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


def money(cents: float | None) -> str:
    """The one money format (domain.units.usd); a blank cell where the amount is not known."""
    return usd(cents, unknown="")


def bar(fraction: float | None, width: int = BAR_WIDTH) -> str:
    """A text progress bar; an unknown fraction shows as a dotted track."""
    if fraction is None:
        return "┄" * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def scene_row(title: str, s: SceneState, expected: float | None, now: float | None = None, *, wide: bool = True) -> Text:
    """The tree line of a scene: glyph, title, then state, bar, elapsed/expected, bytes and cost."""
    glyph, style = GLYPHS.get(s.status, ("?", ""))
    row = Text()
    row.append(f"{glyph} ", style=style)
    row.append(f"{s.index:>3} {title}")
    detail = scene_detail(s, expected, now, wide=wide)
    if detail:
        row.append("  ")
        row.append(detail, style="dim" if s.status in (PENDING, DONE) else style)
    return row


def scene_detail(s: SceneState, expected: float | None, now: float | None = None, *, wide: bool = True) -> str:
    if s.status == ACTIVE:
        parts = [s.stage or "working"]
        if wide:
            parts.append(bar(s.fraction))
        ran = s.running_for(now or time.time())
        parts.append(clock(ran) + (f"/{clock(expected)}" if expected else ""))
        if s.done_bytes:
            parts.append(size(s.done_bytes) + (f"/{size(s.total_bytes)}" if s.total_bytes else ""))
        return " ".join(p for p in parts if p)
    if s.status == DONE:
        bits = ["stale: the scene changed since" if s.stale else "", f"{s.duration:.1f}s" if s.duration else "",
                s.resolution or "", money(s.cost_cents), "kept" if s.kept else ""]
        return " ".join(b for b in bits if b)
    if s.status == FAILED:
        return f"failed: {s.error}" if s.error else "failed"
    if s.status == "queued":
        return "waiting for a slot"
    if s.status == PAID:
        return "paid, waiting to be picked up"
    if s.status == DOUBT:
        return f"in doubt: {s.error}" if s.error else "in doubt: the create may have been accepted"
    if s.status == CANCELLED:
        return s.stage or "cancelled"
    return ""


def queue_words(board: Board) -> str:
    """The running render's queue once it was steered: draining, paused, how many scenes at once."""
    q = board.queue
    if q is None:
        return ""
    return "DRAINING" if q.draining else ("PAUSED, " if q.paused else "") + f"{q.limit} at once"


def overall(board: Board, title: str, *, compact: bool = False) -> str:
    """The header line: how far the whole film is, and what it cost (shorter words when narrow)."""
    counts = board.counts()
    n = len(board.scenes)
    bits = [f"{board.done}/{n} done"]
    for key, word in ((ACTIVE, "running"), ("queued", "queued"), (FAILED, "failed")):
        if counts.get(key):
            bits.append(f"{counts[key]} {word}")
    if board.running and (queue := queue_words(board)):
        bits.append(queue)
    spent = board.spent_cents + board.spent_before_cents
    if compact:
        if spent or board.cap_cents is not None:
            bits.append(money(board.spent_cents) + (f"/{money(board.cap_cents)}" if board.cap_cents is not None else ""))
        if board.assembly == "joining":
            bits.append(f"film {board.assembly_fraction:.0%}")
        elif board.final:
            bits.append("film ready")
        return f"{bar(board.fraction, 8)} {board.fraction:.0%} " + " · ".join(bits)
    if spent or board.cap_cents is not None:
        money_bits = f"spent {money(board.spent_cents)} this run"
        if board.cap_cents is not None:
            money_bits += f" of {money(board.cap_cents)} cap"
        bits.append(money_bits + f", {money(spent)} in all")
    if board.assembly == "joining":
        bits.append(f"assembling {board.assembly_fraction:.0%}")
    elif board.final:
        bits.append("film assembled")
    return f"{title}  {bar(board.fraction, 16)} {board.fraction:.0%}  " + " · ".join(bits)
