"""Steering the running render as a queue — more or fewer scenes at once, pause, drain, a scene to the front —
through the journal's command table, so it works the same for a render in this process or one `watch` follows."""

from __future__ import annotations

from scenetui.control.state import ScriptState
from scenetui.engine.gate import MAX_AT_ONCE


class Steering:
    """The app's queue keys (`<` `>` `P` `D` `+`), each answered in a sentence."""

    def __init__(self, state: ScriptState, concurrency: int) -> None:
        self.state = state
        self.at_once = concurrency
        self.paused = False

    @property
    def ceiling(self) -> int:
        """The most scenes at once: for Luma, what the account holds in flight (and as many fetching clips)."""
        return min(MAX_AT_ONCE, self.state.settings.luma_at_once) if self.state.paid else MAX_AT_ONCE

    def _running(self) -> bool:
        return self.state.running

    def more(self, delta: int) -> str:
        if not self._running():
            return "nothing is rendering"
        wanted = max(1, self.at_once + delta)
        self.at_once = min(self.ceiling, wanted)
        self.state.send("concurrency", [None], n=self.at_once)
        if wanted > self.at_once:
            return (f"{self.at_once} scene(s) at once is the most"
                    + (f": this Luma account holds {self.state.settings.luma_max_in_flight} generations in flight"
                       if self.state.paid else ""))
        return f"now {self.at_once} scene(s) at once" + (" (work in flight is never cancelled)" if delta < 0 else "")

    def pause_or_resume(self) -> str:
        if not self._running():
            return "nothing is rendering"
        self.paused = not self.paused
        self.state.send("pause" if self.paused else "resume", [None])
        return "paused: nothing new starts (P resumes)" if self.paused else "resumed"

    def drain(self) -> str:
        if not self._running():
            return "nothing is rendering"
        self.state.send("drain", [None])
        return "draining: what is in flight finishes, nothing new starts; render again to go on"

    def first(self, indices: list[int]) -> str:
        if not self._running():
            return "nothing is rendering"
        self.state.send("first", [None], scenes=indices)
        return f"scene(s) {', '.join(map(str, indices))} go next"
