"""One scene's state machine: keyframes -> generate (submit/poll/download) -> validate -> store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from scenetui.domain import VideoMetadata, VideoStatus
from scenetui.domain.events import LogLine, SceneCancelled, SceneCompleted, SceneFailed, SceneSkipped
from scenetui.domain.prompt import build_prompt
from scenetui.engine import journal as J
from scenetui.engine.claiming import adopt_generation, keep_claim
from scenetui.engine.context import RenderContext, Variants
from scenetui.engine.ports import GenerationJob, SharedClipStore
from scenetui.engine.session import SceneSession
from scenetui.errors import DiskFull, UserError
from scenetui.script.fingerprints import scene_input_parts, scene_inputs
from scenetui.media.probe import InvalidClip, validate_clip


class GenerationFailed(Exception):
    """A backend's clear account of why a scene could not be made, and what to change.

    keep_open: a paid generation may still finish or be downloaded later, so the attempt stays open and the
    next run polls it instead of paying again.
    """

    def __init__(self, message: str, *, hint: str = "", retryable: bool = False, keep_open: bool = False) -> None:
        super().__init__(message)
        self.hint = hint
        self.retryable = retryable
        self.keep_open = keep_open


@dataclass
class SceneOutcome:
    """How one scene's pipeline ended."""

    index: int
    status: str  # completed | failed | cancelled
    clip: Path | None = None
    error: str | None = None
    in_doubt: bool = False


@dataclass(frozen=True)
class TakeSlot:
    """One take of a variants request: which request, which of its takes, how many it asked for."""

    batch: int
    slot: int
    count: int
    replace: bool
    kind: str = "takes"
    upscale_of: str | None = None
    source: int | None = None
    source_model: str | None = None
    audio_of: str | None = None

    @property
    def label(self) -> str:
        if self.kind == "draft":
            return "draft"
        if self.kind == "final":
            return f"final from draft take {self.source}" + (" (upscaled)" if self.upscale_of else "")
        if self.kind == "audio":
            return f"sound for take {self.source}"
        return f"take {self.slot} of {self.count}"

    def record(self) -> dict[str, object]:
        """What the take's record says of how it was made."""
        if self.kind == "draft":
            return {"draft": True}
        if self.kind == "final":
            return {"from": self.source}
        if self.kind == "audio":
            return {"soundOf": self.source}
        return {}


def previous_generation(ctx: RenderContext, index: int) -> str | None:
    """With continuity: the generation that made the previous scene's current clip, if a paid backend made it."""
    if not ctx.continuity or index == 0 or not ctx.backend.paid:
        return None
    done = [a for a in ctx.journal.attempts(ctx.script_id, index - 1) if a.state == J.COMPLETED and a.remote_id]
    return done[-1].remote_id if done else None


def make_job(ctx: RenderContext, index: int, upscale_of: str | None = None, audio_of: str | None = None
             ) -> GenerationJob:
    script = ctx.loaded.script
    scene = script.scenes[index]
    if upscale_of is None and audio_of is None and index in ctx.variants:
        upscale_of, audio_of = ctx.variants[index].upscale_of, ctx.variants[index].audio_of
    return GenerationJob(continue_from=previous_generation(ctx, index), upscale_of=upscale_of, audio_of=audio_of,
        script_id=ctx.script_id, scene_index=index, scene=scene, settings=script.video,
        prompt=build_prompt(script, scene),
        start_keyframe=ctx.loaded.keyframe_source(scene.start_keyframe) if scene.start_keyframe else None,
        end_keyframe=ctx.loaded.keyframe_source(scene.end_keyframe) if scene.end_keyframe else None,
    )


async def run_scene(ctx: RenderContext, index: int) -> SceneOutcome:
    """Make, check and store one scene's clip; with a shared store, only while this box holds the scene's claim."""
    store = ctx.store
    if index in ctx.variants:  # takes asked for on purpose: every box that is asked makes them (no claim)
        return await _run_variants(ctx, index, ctx.variants[index])
    if not isinstance(store, SharedClipStore):
        return await _run_scene(ctx, index)
    asked = await store.claim_scene(ctx.script_id, index)
    before = asked.claim
    if asked.state == "held":
        who = before.owner if before else "another render"
        ctx.bus.emit(SceneSkipped(index, f"being rendered by {who}"))
        return SceneOutcome(index, "elsewhere")
    if asked.state == "done":
        ctx.bus.emit(SceneSkipped(index, "rendered by another box", asked.clip))
        return SceneOutcome(index, "skipped")
    if before is not None and before.generation_id:
        adopt_generation(ctx, index, before.generation_id)
    keeper = asyncio.create_task(keep_claim(ctx, store, index, asyncio.current_task()))
    await asyncio.sleep(0)  # the keeper listens before the scene's first stage is said
    outcome: SceneOutcome | None = None
    try:
        outcome = await _run_scene(ctx, index)
        return outcome
    finally:
        keeper.cancel()
        await asyncio.gather(keeper, return_exceptions=True)
        await _quietly(store.release_claim(ctx.script_id, index,
                                           done=outcome is not None and outcome.status == "completed"))


async def _run_variants(ctx: RenderContext, index: int, variants: Variants) -> SceneOutcome:
    """The scene's requested takes side by side, each its own journaled, paid-once attempt; the request is finished
    once every take of it is made, so a run that stopped makes only the ones still missing."""
    started = time.monotonic()
    slots = [TakeSlot(variants.batch, n, variants.count, variants.replace, variants.kind, variants.upscale_of,
                      variants.source, variants.source_model, variants.audio_of) for n in variants.slots]
    outcomes = await asyncio.gather(*(_run_scene(ctx, index, slot) for slot in slots))
    failed = [(slot, out) for slot, out in zip(slots, outcomes) if out.status != "completed"]
    if not failed:
        ctx.made_batches.add(variants.batch)  # closed with the run, in the commit that ends it
        return SceneOutcome(index, "completed", await ctx.store.local_clip(ctx.script_id, index))
    error = "; ".join(f"{slot.label}: {out.error}" for slot, out in failed)
    doubt = any(out.in_doubt for _, out in failed)
    hint = resubmit_hint(index) if doubt else "run the same render again to make the missing takes (made ones are kept)"
    if all(out.status == "cancelled" for _, out in failed):
        return SceneOutcome(index, "cancelled")
    ctx.bus.emit(SceneFailed(index, error, hint, not doubt, round(time.monotonic() - started, 3), in_doubt=doubt))
    await _quietly(_mark(ctx, index, slots[0], VideoStatus.FAILED.value, error))
    return SceneOutcome(index, "failed", error=error, in_doubt=doubt)


async def _run_scene(ctx: RenderContext, index: int, slot: TakeSlot | None = None) -> SceneOutcome:
    """Make, check and store one scene's clip (or one requested take of it), retrying what may be retried; never
    leaves half a file."""
    started = time.monotonic()
    await _mark(ctx, index, slot, VideoStatus.IN_PROGRESS.value)
    tries = 0
    while True:
        try:
            return await _attempt(ctx, index, started, slot)
        except _Retry as retry:
            tries += 1
            if tries > ctx.retries:
                return await _fail(ctx, index, retry.error, retry.hint, True, started, slot=slot)
            what = f"scene {index}" + (f" {slot.label}" if slot else "")
            ctx.bus.emit(LogLine("warning", f"{what}: {retry.error} — trying again ({tries}/{ctx.retries})"))
        except _Failed as failed:
            return await _fail(ctx, index, failed.error, failed.hint, failed.retryable, started, failed.in_doubt, slot)


async def _mark(ctx: RenderContext, index: int, slot: TakeSlot | None, status: str, error: str | None = None) -> None:
    """The scene's status for the phone app; a take asked for beside a clip the scene has leaves it as it is."""
    if slot is not None and await ctx.store.local_clip(ctx.script_id, index) is not None:
        return
    await ctx.store.mark_scene(ctx.script_id, index, status, error)


class _Retry(Exception):
    def __init__(self, error: str, hint: str) -> None:
        self.error, self.hint = error, hint


class _Failed(Exception):
    def __init__(self, error: str, hint: str, retryable: bool, in_doubt: bool = False) -> None:
        self.error, self.hint, self.retryable, self.in_doubt = error, hint, retryable, in_doubt


def doubt_text(attempt: J.Attempt) -> str:
    """What is known of a create whose answer was lost, in one sentence."""
    request_id = (attempt.request or {}).get("request_id")
    return ("the create may have been accepted by Luma" + (f" (request id {request_id})" if request_id else "")
            + " and this API cannot look it up")


def _open_attempt(ctx: RenderContext, index: int, slot: TakeSlot | None) -> J.Attempt | None:
    """The scene's open attempt to pick up. One in doubt is never sent again on its own: the person checks their
    Luma usage page and says `--resubmit` for the scene (then it is closed as unconfirmed, still in the ledger,
    and a new create is made)."""
    attempt = ctx.open_attempt(index, *((slot.batch, slot.slot) if slot else ()))
    if attempt is None or not ctx.in_doubt(attempt):
        return attempt
    if index in ctx.resubmit:
        if slot is None:  # every doubted take of a variants request is sent again at the same word
            ctx.resubmit.discard(index)
        ctx.journal.update_attempt(attempt.id, state=J.UNCONFIRMED,
                                   failure_reason=doubt_text(attempt) + "; sent again at the person's word")
        ctx.bus.emit(LogLine("warning", f"scene {index}: paying again for a create that may have been accepted"))
        return None
    ctx.journal.update_attempt(attempt.id, failure_reason=doubt_text(attempt))
    raise _Failed(doubt_text(attempt), resubmit_hint(index), False, in_doubt=True)


def resubmit_hint(index: int) -> str:
    return f"check your Luma usage page for it; to pay for the scene again: render --resubmit {index}"


async def _attempt(ctx: RenderContext, index: int, started: float, slot: TakeSlot | None = None) -> SceneOutcome:
    script = ctx.loaded.script
    previous = _open_attempt(ctx, index, slot)
    if previous is not None:
        attempt_id = previous.id
        ctx.journal.update_attempt(attempt_id, run_id=ctx.bus.run_id)
    else:
        attempt_id = ctx.journal.begin_attempt(run_id=ctx.bus.run_id, script_id=ctx.script_id, scene_index=index,
                                               backend=ctx.backend.name, state="started",
                                               batch=slot.batch if slot else None, slot=slot.slot if slot else 0)
    session = SceneSession(ctx, index, attempt_id, previous, label=slot.label if slot else "")
    staged = ctx.store.staging_path(ctx.script_id, f"{index}-{attempt_id}")
    try:
        if session.previous_remote_id:
            session.stage("resuming", f"generation {session.previous_remote_id} was already paid for; picking it up")
        result = await ctx.backend.generate(make_job(ctx, index), staged, session)
        session.stage("validating", "checking the clip decodes and has the right length and size")
        info = await asyncio.to_thread(validate_clip, staged, seconds=script.video.seconds, size=script.video.size)
        session.stage("storing", "keeping the clip" + (" and uploading it" if ctx.store.uploads else ""))
        remote_id = result.remote_id or session.remote_id
        model = script.video.model if ctx.backend.paid else None
        if slot is not None and slot.upscale_of:
            model = f"{slot.source_model or 'draft'} upscaled"
        if slot is not None and slot.audio_of:
            model = f"{slot.source_model or script.video.model} with sound"
        meta = VideoMetadata(duration=info.duration, resolution=info.resolution, size=info.size_bytes, fps=info.fps,
                             codec=info.codec, backend=ctx.backend.name, remote_id=remote_id, model=model,
                             audio=info.has_audio,
                             inputs=await asyncio.to_thread(scene_inputs, ctx.loaded, index),
                             input_parts=await asyncio.to_thread(scene_input_parts, ctx.loaded, index))
        video = await ctx.store.save_clip(ctx.script_id, index, staged, meta, progress=_threadsafe_progress(session),
                                          replace=slot is None or slot.replace,
                                          extra=slot.record() if slot is not None else None)
        ctx.journal.update_attempt(attempt_id, state=J.COMPLETED, failure_reason=None)
        clip = await ctx.store.local_clip(ctx.script_id, index)
        ctx.bus.emit(SceneCompleted(index, str(clip or video.video_url), info.duration, info.resolution, info.size_bytes,
                                    round(time.monotonic() - started, 3), remote_id, session.cost_cents, meta.inputs,
                                    take=video.take, chosen=video.chosen))
        if clip is not None and ctx.backend.paid and ctx.prepare_for_film:
            await _ready_for_film(ctx, index, clip)
        return SceneOutcome(index, "completed", clip)
    except asyncio.CancelledError:
        await _cancelled(ctx, index, attempt_id, session, slot)
        raise
    except DiskFull:
        if not session.remote_id:
            ctx.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason="disk full")
        raise
    except GenerationFailed as exc:
        paid_open = exc.keep_open and (session.remote_id is not None or session.in_doubt)
        ctx.journal.update_attempt(attempt_id, failure_reason=str(exc), **({} if paid_open else {"state": J.FAILED}))
        if exc.retryable and not exc.keep_open:
            raise _Retry(str(exc), exc.hint) from exc
        if paid_open and session.remote_id is None and not ctx.backend.finds_lost_creates:
            raise _Failed(str(exc), resubmit_hint(index), False, in_doubt=True) from exc
        raise _Failed(str(exc), exc.hint, exc.retryable) from exc
    except InvalidClip as exc:
        # A paid clip that does not validate stays open: a rerun downloads it again instead of paying again.
        keep = ctx.backend.paid and session.remote_id is not None
        ctx.journal.update_attempt(attempt_id, failure_reason=str(exc), **({} if keep else {"state": J.FAILED}))
        if keep:
            raise _Failed(f"the downloaded clip is not valid: {exc}", "run again to download it again", True) from exc
        raise _Retry(f"the generated clip is not valid: {exc}", "check the keyframes") from exc
    except UserError as exc:
        ctx.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=exc.message)
        raise _Failed(exc.message, exc.hint or "", False) from exc
    except Exception as exc:  # any other failure is this scene's, explained; the render goes on
        ctx.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=f"{type(exc).__name__}: {exc}")
        raise _Failed(f"{type(exc).__name__}: {exc}", "see logs/scenetui.log in the workspace", False) from exc
    finally:
        staged.unlink(missing_ok=True)


async def _ready_for_film(ctx: RenderContext, index: int, clip: Path) -> None:
    """Bring a downloaded clip to the film's profile now, while other generations are still being made, so the
    export re-encodes only its boundaries. Best effort: the export normalises whatever is not ready."""
    from scenetui.engine.film import film_cache
    from scenetui.media.film import prepare_for_film

    v = ctx.loaded.script.video
    try:
        if await prepare_for_film(clip, film_cache(ctx), v.size, v.fps):
            ctx.bus.emit(LogLine("info", f"scene {index}: clip prepared for transitions"))
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # never fails the scene: its clip is stored and valid
        ctx.bus.emit(LogLine("warning", f"scene {index}: could not prepare the clip for transitions ({exc})"))


def _threadsafe_progress(session: SceneSession) -> Callable[[int, int], None]:
    """Upload progress arrives from a worker thread; events must be emitted on the loop."""
    loop = asyncio.get_running_loop()

    def report(done: int, total: int) -> None:
        loop.call_soon_threadsafe(partial(session.progress, done / total if total else None, done_bytes=done, total_bytes=total))

    return report


async def _cancelled(ctx: RenderContext, index: int, attempt_id: int, session: SceneSession,
                     slot: TakeSlot | None = None) -> None:
    """A paid generation keeps running remotely: its attempt stays open so the next run picks it up, unless
    the user asked to delete it."""
    if ctx.backend.paid and session.remote_id:
        if index in ctx.delete_on_cancel:
            try:
                await ctx.backend.cancel_remote(session.remote_id)
                ctx.journal.update_attempt(attempt_id, state=J.CANCELLED, failure_reason="cancelled and deleted at Luma")
            except Exception as exc:  # the generation stays open and will be picked up; say so
                ctx.bus.emit(LogLine("warning", f"scene {index}: could not delete {session.remote_id} ({exc})"))
    elif not (ctx.backend.paid and session.in_doubt):
        ctx.journal.update_attempt(attempt_id, state=J.CANCELLED)
    if slot is None or slot.slot == 1:  # one word per scene, however many of its takes stop
        ctx.bus.emit(SceneCancelled(index))
    await _quietly(_mark(ctx, index, slot, VideoStatus.NOT_STARTED.value))


async def _fail(ctx: RenderContext, index: int, error: str, hint: str, retryable: bool, started: float,
                in_doubt: bool = False, slot: TakeSlot | None = None) -> SceneOutcome:
    if slot is not None:  # one take of several: said as a line; the scene's failure is told once, for all of them
        ctx.bus.emit(LogLine("warning", f"scene {index} {slot.label}: {error}"))
        return SceneOutcome(index, "failed", error=error, in_doubt=in_doubt)
    ctx.bus.emit(SceneFailed(index, error, hint, retryable, round(time.monotonic() - started, 3), in_doubt=in_doubt))
    await _quietly(ctx.store.mark_scene(ctx.script_id, index, VideoStatus.FAILED.value, error))
    return SceneOutcome(index, "failed", error=error, in_doubt=in_doubt)


async def _quietly(coro: Any) -> None:
    try:
        await coro
    except Exception:  # status bookkeeping must never mask the real outcome
        pass
