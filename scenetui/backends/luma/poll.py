"""When to ask Luma about a generation again: sparse while it cannot be done yet, brisk when it may be.

Luma reports states, not progress, so the finish is only seen by asking. Each finished generation tells us
a window: it was still running at the last look (`lo`) and done at the next (`hi`). Aiming the next
generation's looks inside the typical window narrows it every time, so a finished clip is noticed within a
fraction of a second while the number of requests stays far below one per 2 s.
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass, field

FIRST = 2.0  # an early look catches unreadable keyframes and moderation failures quickly
BRISK = 2.0  # past the expected end: one look per ~2 s
DENSE_MIN = 0.4  # the quickest looks, only inside a narrow expected window
MAX_GAP = 10.0
JITTER = 0.3  # seconds at most added at random so many scenes do not poll in step


@dataclass
class FinishWindows:
    """Recent (still-running-at, done-at) pairs in seconds since the create; the newest first."""

    pairs: list[tuple[float, float]] = field(default_factory=list)

    @classmethod
    def from_durations(cls, durations: list[float]) -> FinishWindows:
        """From earlier runs' recorded durations (upper bounds only): assume a 2 s window below each."""
        return cls([(max(0.0, d - BRISK), d) for d in durations])

    def add(self, lo: float, hi: float) -> None:
        self.pairs.insert(0, (lo, hi))
        del self.pairs[50:]

    def typical(self) -> tuple[float, float] | None:
        recent = self.pairs[:20]
        if not recent:
            return None
        return statistics.median(p[0] for p in recent), statistics.median(p[1] for p in recent)


def next_delay(elapsed: float, window: tuple[float, float] | None, first: float = FIRST) -> float:
    """Seconds to wait before the next status request (`first`: from the create to the first look)."""
    if elapsed < first:
        return first - elapsed + random.uniform(0.0, min(JITTER, first / 4))
    if window is None:
        base = BRISK if elapsed < 20 else min(MAX_GAP, 3.0 + elapsed / 30)
        return base + random.uniform(0.0, JITTER)
    lo, hi = window
    if elapsed < lo - 0.05:
        return min(MAX_GAP, lo - elapsed) + random.uniform(0.0, 0.05)
    if elapsed < hi + 0.05:
        step = min(BRISK, max(DENSE_MIN, (hi - lo) / 3))
        return step + random.uniform(0.0, step / 4)
    if elapsed < hi * 1.5 + 10:
        return BRISK + random.uniform(0.0, JITTER)
    return min(MAX_GAP, BRISK + (elapsed - hi) / 20) + random.uniform(0.0, JITTER)
