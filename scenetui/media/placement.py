"""Where each clip sits in the film: clip i starts where the one before it begins to give way, and shares
`overlaps[i]` frames with the next (a transition; 0 for a cut). Captions and sound are both placed by it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """One clip in the film, in frames: where it starts, how long it is, and its overlaps with its neighbours."""

    start: int
    frames: int
    before: int
    after: int


def clip_places(frames: Sequence[int], overlaps: Sequence[int]) -> list[Place]:
    """Every clip's place, in order; one overlap per boundary."""
    if len(overlaps) != max(0, len(frames) - 1):
        raise ValueError("one overlap per boundary")
    out = []
    start = 0
    for i, count in enumerate(frames):
        before = overlaps[i - 1] if i > 0 else 0
        after = overlaps[i] if i < len(overlaps) else 0
        out.append(Place(start, count, before, after))
        start += count - after
    return out
