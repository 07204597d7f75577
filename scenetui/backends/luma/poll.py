"""When to ask Luma about a generation again: sparse while it cannot be done yet, brisk when it may be."""

from __future__ import annotations

import random

FIRST = 2.0  # an early look catches unreadable keyframes and moderation failures quickly
BRISK = 2.0  # near the expected end: never more than one status request per ~2 s
MAX_GAP = 10.0


def next_delay(elapsed: float, expected: float | None) -> float:
    """Seconds to wait before the next status request, jittered so many scenes do not poll in step."""
    if elapsed < FIRST:
        base = FIRST - elapsed + 0.05
    elif expected is None:
        base = BRISK if elapsed < 20 else min(MAX_GAP, 3.0 + elapsed / 30)
    else:
        due = expected * 0.9
        base = min(MAX_GAP, due - elapsed) if elapsed < due - BRISK else BRISK
    return max(0.5, base * random.uniform(0.9, 1.1))
