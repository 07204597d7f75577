"""A scene's take as the screens show it: what made it, what it cost, whether it is the scene's clip. No I/O."""

from __future__ import annotations

from dataclasses import dataclass

from scenetui.domain.units import human_size, usd


@dataclass(frozen=True)
class TakeRow:
    """One take of one scene."""

    scene: int
    number: int
    chosen: bool
    path: str
    size: int
    model: str | None = None
    backend: str | None = None
    resolution: str | None = None
    duration: float | None = None
    created: str | None = None  # ISO date; None for a clip from before takes existed
    cost_cents: int | None = None
    remote_id: str | None = None
    stale: bool = False  # made from inputs the scene no longer has
    inputs: str | None = None  # the digest of what it was made from
    draft: bool = False  # a draft pass's take (cheap settings)
    approved: bool = False  # approved for `render --final`
    source: int | None = None  # a final take: the draft it was made from
    why_stale: tuple[str, ...] = ()  # what changed since it was made, in words
    sound_of: int | None = None  # a take with Luma's sound: the silent take it was made from
    sound: bool = False  # the take has a sound track

    def label(self) -> str:
        """One line: number, maker, resolution, cost, size, date; the chosen one marked."""
        made = self.model or self.backend or "?"
        cost = usd(self.cost_cents) if self.cost_cents is not None else "free" if self.backend == "animatic" else "-"
        when = (self.created or "before takes")[:16].replace("T", " ")
        flags = ((" · approved draft" if self.approved else " · draft" if self.draft else "")
                 + (f" · final of take {self.source}" if self.source is not None else "")
                 + (f" · sound for take {self.sound_of}" if self.sound_of is not None else " · sound" if self.sound else "")
                 + (" · the scene's clip" if self.chosen else "")
                 + ((" · stale: " + "; ".join(self.why_stale or ("its inputs changed",))) if self.stale else ""))
        return f"take {self.number}  {made} {self.resolution or ''}  {cost}  {human_size(self.size)}  {when}{flags}"
