"""What every screen shows, folded from engine events: per-scene state, overall progress, spend. No I/O."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from scenetui.domain.events import (
    AssemblyFinished, AssemblyProgress, AssemblySkipped, AssemblyStarted, Event, LogLine, RenderFinished,
    KeyframesDone, RenderStarted, SceneCancelled, SceneCompleted, SceneFailed, SceneKept, SceneProgress, SceneReset, SceneSkipped, SceneStage, TakeChosen,
    QueueChanged, SpendChanged,
)

ACTIVE = "active"
DONE, FAILED, CANCELLED, PENDING, PAID = "done", "failed", "cancelled", "pending", "paid, pending"
DOUBT = "in doubt"  # a create may have been accepted (its answer was lost) and the API cannot be asked
ASSEMBLY = -1  # the key `apply` returns when the film's assembly changed


@dataclass
class SceneState:
    """One scene as the screen shows it."""

    index: int
    status: str = PENDING  # pending | queued | active | done | failed | cancelled | paid, pending | in doubt
    stage: str = ""
    message: str = ""
    fraction: float | None = None
    done_bytes: int | None = None
    total_bytes: int | None = None
    started: float | None = None  # wall-clock time the current attempt started
    elapsed: float | None = None  # set when it ended
    remote_id: str | None = None
    clip: str | None = None
    duration: float | None = None
    resolution: str | None = None
    size: int | None = None
    created: str | None = None
    cost_cents: int | None = None
    error: str | None = None
    hint: str | None = None
    kept: bool = False
    inputs: str | None = None  # the digest of what its clip was made from
    stale: bool = False  # the scene changed since its clip was made (the clip stays until regenerated)
    take: int | None = None  # which take the clip is
    takes: int = 0  # how many takes the scene has (t lists them)

    @property
    def finished(self) -> bool:
        return self.status == DONE

    def running_for(self, now: float | None = None) -> float | None:
        if self.elapsed is not None:
            return self.elapsed
        return None if self.started is None else (now or time.time()) - self.started


@dataclass
class Board:
    """The whole render at a glance; `apply` folds one event in and says which scenes changed."""

    scenes: list[SceneState]
    spent_cents: int = 0  # this run
    spent_before_cents: int = 0  # every earlier paid generation in this workspace
    cap_cents: int | None = None
    running: bool = False
    backend: str = ""
    final: str | None = None
    assembly: str = ""  # "", "joining", "done", or why it was skipped
    assembly_fraction: float = 0.0
    final_sound: str = ""  # the film's sound in words: loudness reached, clips with their own sound
    log: list[str] = field(default_factory=list)
    log_count: int = 0  # lines ever said, so a viewer can tell which ones it has not shown yet
    expected_seconds: float | None = None  # typical generation time, for "elapsed / expected"
    queue: QueueChanged | None = None  # the running render's queue, once it was steered

    @property
    def queue_limit(self) -> int | None:
        return self.queue.limit if self.queue else None

    @property
    def paused(self) -> bool:
        return bool(self.queue and self.queue.paused)

    @property
    def draining(self) -> bool:
        return bool(self.queue and self.queue.draining)

    @classmethod
    def empty(cls, count: int) -> Board:
        return cls([SceneState(i) for i in range(count)])

    @property
    def done(self) -> int:
        return sum(1 for s in self.scenes if s.status == DONE)

    @property
    def fraction(self) -> float:
        """Overall progress: finished scenes count 1, running ones their own fraction."""
        if not self.scenes:
            return 1.0
        total = sum(1.0 if s.status == DONE else (s.fraction or 0.0) if s.status == ACTIVE else 0.0 for s in self.scenes)
        return total / len(self.scenes)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for s in self.scenes:
            out[s.status] = out.get(s.status, 0) + 1
        return out

    def say(self, line: str) -> None:
        self.log.append(line)
        self.log_count += 1
        del self.log[:-500]  # the panel keeps the recent past; the log file keeps everything

    def apply(self, e: Event) -> set[int]:
        """Fold one event in; returns the scene indices whose rows must be redrawn (ASSEMBLY for the film)."""
        index = getattr(e, "scene_index", None)
        s = self.scenes[index] if isinstance(index, int) and 0 <= index < len(self.scenes) else None
        match e:
            case RenderStarted():
                self.running, self.backend = True, e.backend
                self.queue = None  # a new run's queue is its own
                for i in e.scenes:
                    if 0 <= i < len(self.scenes):
                        st = self.scenes[i]
                        st.status, st.stage, st.message, st.fraction, st.error, st.hint = "queued", "waiting", "", None, None, None
                        st.elapsed, st.started = None, None
                self.say(f"Rendering {len(e.scenes)} scene(s) with {e.backend}")
                return set(e.scenes)
            case SceneSkipped() if s and e.clip is None and not s.clip:  # another render box has it
                s.status, s.message = PENDING, e.reason
            case SceneSkipped() if s:
                s.status, s.clip = DONE, e.clip or s.clip
            case SceneStage() if s:
                if s.status != ACTIVE:
                    s.started, s.elapsed = e.ts, None
                s.status, s.stage, s.message = ACTIVE, e.stage, e.message
                s.remote_id = e.remote_id or s.remote_id
                if e.stage in ("reconciled", "failed"):
                    self.say(f"Scene {e.scene_index}: {e.message}")
            case SceneProgress() if s:
                s.fraction, s.done_bytes, s.total_bytes = e.fraction, e.done_bytes, e.total_bytes
            case SceneCompleted() if s and not e.chosen:  # a take beside the clip: the row keeps its clip's facts
                s.status, s.stage, s.fraction, s.message = DONE, "done", 1.0, f"take {e.take} made"
                s.clip, s.takes = s.clip or e.clip, s.takes + 1
                self.say(f"Scene {e.scene_index}: take {e.take} made (not its clip: t to compare and choose)")
            case SceneCompleted() if s:
                s.status, s.stage, s.fraction, s.clip = DONE, "done", 1.0, e.clip
                if e.take is not None:
                    s.take, s.takes = e.take, max(s.takes + 1, 1)
                s.duration, s.resolution, s.size, s.elapsed = e.duration, e.resolution, e.size, e.elapsed
                s.remote_id, s.cost_cents = e.remote_id or s.remote_id, e.cost_cents
                s.created, s.error, s.hint = time.strftime("%Y-%m-%d %H:%M", time.localtime(e.ts)), None, None
                s.stale, s.inputs = False, e.inputs
                self.expected_seconds = e.elapsed if self.expected_seconds is None else 0.8 * self.expected_seconds + 0.2 * e.elapsed
                self.say(f"Scene {e.scene_index} done in {e.elapsed:.1f}s")
            case SceneFailed() if s:
                s.status, s.stage, s.error, s.hint = (DOUBT if e.in_doubt else FAILED), "failed", e.error, e.hint or None
                s.elapsed = e.elapsed or s.running_for(e.ts)
                self.say(f"Scene {e.scene_index} failed: {e.error}")
            case SceneCancelled() if s:
                s.status, s.stage, s.fraction = CANCELLED, "cancelled", None
                s.elapsed = s.running_for(e.ts)
                self.say(f"Scene {e.scene_index} cancelled")
            case SceneReset() if s:
                self.scenes[s.index] = SceneState(s.index)
                self.say(f"Scene {e.scene_index}: {e.reason or 'clip deleted'}")
                return {s.index}
            case KeyframesDone() if s:
                s.status, s.stage, s.message, s.fraction = (DONE if s.clip else PENDING), "", e.message, None
                s.started = s.elapsed = None
                if e.message:
                    self.say(f"Scene {e.scene_index}: {e.message}")
            case TakeChosen() if s:
                s.status, s.stage, s.fraction, s.clip, s.kept, s.take = DONE, "done", 1.0, e.clip, False, e.take
                s.duration, s.resolution, s.size = e.duration, e.resolution, e.size
                s.remote_id, s.inputs, s.error, s.hint = e.remote_id, e.inputs, None, None
                self.say(f"Scene {e.scene_index}: take {e.take} is its clip")
            case SceneKept() if s:
                s.kept = True
                self.say(f"Scene {e.scene_index} kept" + (f", copy saved to {e.exported_to}" if e.exported_to else ""))
            case SpendChanged():
                self.spent_cents, self.cap_cents = e.spent_cents, e.cap_cents
                return set()
            case QueueChanged():
                self.queue = e
                return set()
            case AssemblyStarted():
                self.assembly, self.assembly_fraction = "joining", 0.0
                self.say(f"Assembling {e.clips} clips")
                return {ASSEMBLY}
            case AssemblyProgress():
                self.assembly_fraction = e.fraction
                return {ASSEMBLY}
            case AssemblyFinished():
                self.assembly, self.assembly_fraction, self.final = "done", 1.0, e.path
                self.final_sound = film_sound(e)
                self.say(f"Final film assembled: {e.path}" + (f" ({self.final_sound})" if self.final_sound else ""))
                return {ASSEMBLY}
            case AssemblySkipped():
                self.assembly = e.reason
                self.say(f"Assembly skipped: {e.reason}")
                return {ASSEMBLY}
            case LogLine():
                self.say(e.message)
                return set()
            case RenderFinished():
                self.running, self.queue = False, None
                for st in self.scenes:  # a render that stops leaves nothing spinning on screen
                    if st.status in (ACTIVE, "queued"):
                        st.status, st.stage = CANCELLED, "stopped"
                self.final = e.final or self.final
                self.say(f"Render finished: {len(e.completed)} rendered, {len(e.failed)} failed, {len(e.cancelled)} cancelled")
                return set(range(len(self.scenes))) | {ASSEMBLY}
            case _:
                return set()
        return {s.index} if s else set()


def film_sound(e: AssemblyFinished) -> str:
    """The assembled film's sound in a few words ("" for a silent film with nothing to say)."""
    parts = []
    if e.lufs is not None:
        parts.append(f"{e.lufs:.1f} LUFS, true peak {e.true_peak:.1f} dBTP")
    if e.voiced:
        parts.append(f"{e.voiced} clip(s) with their own sound")
    return "; ".join(parts)
