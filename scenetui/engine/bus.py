"""The one road for state: events go to the journal (durably) and to whoever renders them."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from scenetui.domain.events import AssemblyProgress, Event, SceneProgress
from scenetui.engine.journal import Journal

log = logging.getLogger("scenetui.engine")

Listener = Callable[[Event], None]
PROGRESS_JOURNAL_INTERVAL = 0.5  # seconds between durable progress rows per scene; the live view needs no more


class EventBus:
    """Fans events out to listeners and records them in the journal; progress rows are throttled."""

    def __init__(self, journal: Journal | None, *, script_id: str) -> None:
        self.journal = journal
        self.script_id = script_id
        self.run_id: int | None = None
        self._listeners: list[Listener] = []
        self._last_progress: dict[object, float] = {}

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: Event) -> None:
        if self.journal is not None and self._durable(event):
            self.journal.record(event, run_id=self.run_id, script_id=self.script_id)
        # Progress is chatty: DEBUG. Everything else (stages, outcomes, spend) is the render's story: INFO.
        level = logging.DEBUG if isinstance(event, (SceneProgress, AssemblyProgress)) else logging.INFO
        log.log(level, event.kind, extra={"event": event.to_json()})
        for listener in list(self._listeners):
            listener(event)

    def _durable(self, event: Event) -> bool:
        if not isinstance(event, (SceneProgress, AssemblyProgress)):
            return True
        key = getattr(event, "scene_index", "assembly")
        now = time.monotonic()
        if now - self._last_progress.get(key, 0.0) < PROGRESS_JOURNAL_INTERVAL and (getattr(event, "fraction", None) or 0) < 1:
            return False
        self._last_progress[key] = now
        return True
