"""Messages the app's screens receive."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message


@dataclass
class RenderEnded(Message, bubble=False):
    """A render this app saw start (or finish while it was open) ended: told by the bell and a desktop notice."""

    script: str
    sentence: str


@dataclass
class BoardChanged(Message, bubble=False):  # the app hands it to each screen; back up it must not go
    """These scenes' rows changed on the board (-2: only the header). A burst merges into one message while it
    waits in a queue (`can_replace`), so a busy render costs one redraw per turn of the loop, not one per event."""

    changed: set[int] = field(default_factory=set)

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, BoardChanged):
            message.changed |= self.changed
            return True
        return False
