"""Typed engine events. The journal stores them; the TUI and the headless printer only render them."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar


@dataclass(frozen=True)
class Event:
    """Base of every engine event; `ts` is wall-clock seconds."""

    kind: ClassVar[str] = "event"
    ts: float = field(default_factory=time.time, kw_only=True)

    def to_json(self) -> dict[str, Any]:
        return {"type": self.kind, **asdict(self)}


@dataclass(frozen=True)
class RenderStarted(Event):
    kind: ClassVar[str] = "render_started"
    script_id: str
    backend: str
    scenes: list[int]
    skipped: list[int]
    workspace: str


@dataclass(frozen=True)
class SceneSkipped(Event):
    kind: ClassVar[str] = "scene_skipped"
    scene_index: int
    reason: str
    clip: str | None = None


@dataclass(frozen=True)
class SceneStage(Event):
    """A scene moved to a new stage: keyframes, submitting, queued, dreaming, downloading, validating, storing..."""

    kind: ClassVar[str] = "scene_stage"
    scene_index: int
    stage: str
    message: str = ""
    remote_id: str | None = None


@dataclass(frozen=True)
class SceneProgress(Event):
    """Frequent and replaceable: only the newest one per scene matters."""

    kind: ClassVar[str] = "scene_progress"
    scene_index: int
    fraction: float | None = None
    done_bytes: int | None = None
    total_bytes: int | None = None


@dataclass(frozen=True)
class SceneCompleted(Event):
    kind: ClassVar[str] = "scene_completed"
    scene_index: int
    clip: str
    duration: float
    resolution: str
    size: int
    elapsed: float
    remote_id: str | None = None
    cost_cents: int | None = None
    inputs: str | None = None  # the digest of what the clip was made from (domain.prompt.inputs_digest)
    take: int | None = None  # the take this clip was kept as
    chosen: bool = True  # False: a take made beside the scene's clip, waiting to be chosen (`clip` is still the scene's)


@dataclass(frozen=True)
class SceneFailed(Event):
    kind: ClassVar[str] = "scene_failed"
    scene_index: int
    error: str
    hint: str = ""
    retryable: bool = False
    elapsed: float = 0.0
    in_doubt: bool = False  # the create may have been accepted and cannot be looked up: waits for the person


@dataclass(frozen=True)
class SceneCancelled(Event):
    kind: ClassVar[str] = "scene_cancelled"
    scene_index: int


@dataclass(frozen=True)
class SceneReset(Event):
    """The scene's clip was deleted on request; it is waiting to be generated again."""

    kind: ClassVar[str] = "scene_reset"
    scene_index: int
    reason: str = ""


@dataclass(frozen=True)
class TakeChosen(Event):
    """The person made another of the scene's takes its clip (nothing was generated)."""

    kind: ClassVar[str] = "take_chosen"
    scene_index: int
    take: int
    clip: str
    duration: float | None = None
    resolution: str | None = None
    size: int | None = None
    remote_id: str | None = None
    inputs: str | None = None


@dataclass(frozen=True)
class SceneKept(Event):
    """The person kept the clip, and maybe exported a copy somewhere."""

    kind: ClassVar[str] = "scene_kept"
    scene_index: int
    exported_to: str | None = None


@dataclass(frozen=True)
class AssemblyStarted(Event):
    kind: ClassVar[str] = "assembly_started"
    clips: int
    method: str


@dataclass(frozen=True)
class AssemblyProgress(Event):
    kind: ClassVar[str] = "assembly_progress"
    fraction: float


@dataclass(frozen=True)
class AssemblyFinished(Event):
    kind: ClassVar[str] = "assembly_finished"
    path: str
    duration: float
    method: str
    elapsed: float
    lufs: float | None = None  # the film's integrated loudness once normalised (None: silent, or levels kept)
    true_peak: float | None = None
    voiced: int = 0  # clips whose own sound is in the film


@dataclass(frozen=True)
class AssemblySkipped(Event):
    kind: ClassVar[str] = "assembly_skipped"
    reason: str


@dataclass(frozen=True)
class SpendChanged(Event):
    """Money committed by this run so far (refunds subtracted), and the cap when one is set."""

    kind: ClassVar[str] = "spend_changed"
    spent_cents: int
    cap_cents: int | None = None


@dataclass(frozen=True)
class QueueChanged(Event):
    """The render's queue after it was steered (scenetui queue, the app's keys): scenes at once, held, draining."""

    kind: ClassVar[str] = "queue_changed"
    limit: int
    paused: bool
    draining: bool


@dataclass(frozen=True)
class LogLine(Event):
    """A human sentence for the screen's log panel."""

    kind: ClassVar[str] = "log"
    level: str
    message: str


@dataclass(frozen=True)
class RenderFinished(Event):
    kind: ClassVar[str] = "render_finished"
    script_id: str
    completed: list[int]
    failed: list[int]
    skipped: list[int]
    cancelled: list[int]
    final: str | None
    elapsed: float
    exit_code: int


@dataclass(frozen=True)
class KeyframesDone(Event):
    """The scene's keyframes are being made no more (Luma Photon finished or failed); its row shows its clip again."""

    kind: ClassVar[str] = "keyframes_done"
    scene_index: int
    message: str = ""


EVENT_TYPES: dict[str, type[Event]] = {
    cls.kind: cls
    for cls in (RenderStarted, SceneSkipped, SceneStage, SceneProgress, SceneCompleted, SceneFailed, SceneCancelled,
                SceneReset, SceneKept, AssemblyStarted, AssemblyProgress, AssemblyFinished, AssemblySkipped, SpendChanged, LogLine, RenderFinished, KeyframesDone,
                TakeChosen, QueueChanged)
}


def event_from_json(data: dict[str, Any]) -> Event:
    """Rebuild an event from its journal/JSON form; unknown keys from newer versions are ignored."""
    cls = EVENT_TYPES[data["type"]]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})
