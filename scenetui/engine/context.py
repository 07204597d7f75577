"""What every scene pipeline of one render shares."""

from __future__ import annotations

from dataclasses import dataclass

from scenetui.engine.bus import EventBus
from scenetui.engine.journal import Journal
from scenetui.engine.ports import ClipStore, VideoBackend
from scenetui.scriptfile import LoadedScript


@dataclass
class RenderContext:
    """The loaded script plus the backend, store, journal and bus a render runs with."""

    loaded: LoadedScript
    backend: VideoBackend
    store: ClipStore
    journal: Journal
    bus: EventBus

    @property
    def script_id(self) -> str:
        return self.loaded.script.id
