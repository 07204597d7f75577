"""One scene's state machine: keyframes -> generate (submit/poll/download) -> validate -> store."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenetui.domain import VideoMetadata, VideoStatus
from scenetui.domain.events import SceneCancelled, SceneCompleted, SceneFailed, SceneProgress, SceneStage
from scenetui.domain.prompt import build_prompt
from scenetui.engine import journal as J
from scenetui.engine.context import RenderContext
from scenetui.engine.ports import GenerationJob
from scenetui.errors import DiskFull, UserError
from scenetui.media.probe import InvalidClip, validate_clip


class GenerationFailed(Exception):
    """A backend's clear account of why a scene could not be made, and what to change."""

    def __init__(self, message: str, *, hint: str = "", retryable: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        self.retryable = retryable


@dataclass
class SceneOutcome:
    """How one scene's pipeline ended."""

    index: int
    status: str  # completed | failed | cancelled
    clip: Path | None = None
    error: str | None = None


class SceneSession:
    """The engine side of a generation: turns backend reports into events and journal rows."""

    def __init__(self, ctx: RenderContext, index: int, attempt_id: int, previous: J.Attempt | None) -> None:
        self.ctx, self.index, self.attempt_id = ctx, index, attempt_id
        self.previous_attempt = previous
        self.previous_remote_id = previous.remote_id if previous else None
        self.remote_id: str | None = self.previous_remote_id
        self.cost_cents: int | None = previous.cost_cents if previous else None

    def stage(self, stage: str, message: str = "") -> None:
        self.ctx.bus.emit(SceneStage(self.index, stage, message, remote_id=self.remote_id))

    def progress(self, fraction: float | None = None, *, done_bytes: int | None = None, total_bytes: int | None = None) -> None:
        self.ctx.bus.emit(SceneProgress(self.index, fraction, done_bytes, total_bytes))

    async def before_create(self, request: dict[str, Any]) -> None:
        """Durably record the intent to spend before the request leaves."""
        self.ctx.journal.update_attempt(self.attempt_id, state=J.INTENT, request=request)

    async def created(self, remote_id: str, cost_cents: int | None = None) -> None:
        """Durably record the remote id the moment it is known."""
        self.remote_id, self.cost_cents = remote_id, cost_cents
        self.ctx.journal.update_attempt(self.attempt_id, state=J.CREATED, remote_id=remote_id, cost_cents=cost_cents)


async def run_scene(ctx: RenderContext, index: int) -> SceneOutcome:
    """Make, check and store one scene's clip; never leaves a half-written file behind."""
    script = ctx.loaded.script
    scene = script.scenes[index]
    started = time.monotonic()
    previous = ctx.journal.open_attempt(ctx.script_id, index) if ctx.backend.paid else None
    if previous is not None:
        attempt_id = previous.id
        ctx.journal.update_attempt(attempt_id, run_id=ctx.bus.run_id)
    else:
        attempt_id = ctx.journal.begin_attempt(run_id=ctx.bus.run_id, script_id=ctx.script_id, scene_index=index,
                                               backend=ctx.backend.name, state="started")
    session = SceneSession(ctx, index, attempt_id, previous)
    staged = ctx.store.staging_path(ctx.script_id, f"{index}-{attempt_id}")
    job = GenerationJob(
        script_id=ctx.script_id, scene_index=index, scene=scene, settings=script.video,
        prompt=build_prompt(script, scene),
        start_keyframe=ctx.loaded.keyframe_source(scene.start_keyframe) if scene.start_keyframe else None,
        end_keyframe=ctx.loaded.keyframe_source(scene.end_keyframe) if scene.end_keyframe else None,
    )
    try:
        await ctx.store.mark_scene(ctx.script_id, index, VideoStatus.IN_PROGRESS.value)
        session.stage("starting", "resuming generation " + session.previous_remote_id if session.previous_remote_id else "")
        result = await ctx.backend.generate(job, staged, session)
        session.stage("validating", "checking the clip decodes and has the right length and size")
        info = await asyncio.to_thread(validate_clip, staged, seconds=script.video.seconds, size=script.video.size)
        session.stage("storing")
        meta = VideoMetadata(duration=info.duration, resolution=info.resolution, size=info.size_bytes, fps=info.fps,
                             codec=info.codec, backend=ctx.backend.name, remote_id=result.remote_id or session.remote_id)
        video = await ctx.store.save_clip(ctx.script_id, index, staged, meta)
        ctx.journal.update_attempt(attempt_id, state=J.COMPLETED)
        clip = await ctx.store.local_clip(ctx.script_id, index)
        ctx.bus.emit(SceneCompleted(index, str(clip or video.video_url), info.duration, info.resolution, info.size_bytes,
                                    round(time.monotonic() - started, 3), meta.remote_id, session.cost_cents))
        return SceneOutcome(index, "completed", clip)
    except asyncio.CancelledError:
        # A paid generation keeps running remotely: its attempt stays open so the next run polls it, never re-buys it.
        if not (ctx.backend.paid and session.remote_id):
            ctx.journal.update_attempt(attempt_id, state=J.CANCELLED)
        ctx.bus.emit(SceneCancelled(index))
        await _quietly(ctx.store.mark_scene(ctx.script_id, index, VideoStatus.NOT_STARTED.value))
        raise
    except DiskFull:
        ctx.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason="disk full")
        raise
    except Exception as exc:  # every other failure is this scene's, explained, and the render goes on
        error, hint, retryable = _explain(exc)
        ctx.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=error)
        ctx.bus.emit(SceneFailed(index, error, hint, retryable, round(time.monotonic() - started, 3)))
        await _quietly(ctx.store.mark_scene(ctx.script_id, index, VideoStatus.FAILED.value, error))
        return SceneOutcome(index, "failed", error=error)
    finally:
        staged.unlink(missing_ok=True)


def _explain(exc: Exception) -> tuple[str, str, bool]:
    if isinstance(exc, GenerationFailed):
        return str(exc), exc.hint, exc.retryable
    if isinstance(exc, InvalidClip):
        return f"the generated clip is not valid: {exc}", "retry the scene; if it repeats, check the keyframes", True
    if isinstance(exc, UserError):
        return exc.message, exc.hint or "", False
    return f"{type(exc).__name__}: {exc}", "see the log in the workspace for details", False


async def _quietly(coro: Any) -> None:
    try:
        await coro
    except Exception:  # status bookkeeping must never mask the real outcome
        pass
