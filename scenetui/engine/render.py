"""One render of a script: pick scenes, skip what is done, run the pipelines, assemble the film."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from pathlib import Path

from scenetui.domain.events import LogLine, QueueChanged, RenderFinished, RenderStarted, SceneSkipped
from scenetui.engine.context import RenderContext, Variants
from scenetui.engine.takeplans import TakesPlan, plan_audio, plan_finals, plan_drafts, plan_takes
from scenetui.engine.film import assemble_film
from scenetui.engine.pipeline import make_job, run_scene
from scenetui.engine.scheduler import Scheduler
from scenetui.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK
from scenetui.media.probe import InvalidClip, validate_clip


@dataclass
class RenderOptions:
    """What the user asked of this render."""

    scenes: list[int] | None = None  # None: every scene
    concurrency: int = 2
    force: bool = False
    assemble: bool = True
    takes: int | None = None  # make this many new takes of each selected scene (a variants request)
    draft: bool = False  # the cheap pass: a draft take of every scene not drafted (or approved) yet
    final: bool = False  # the final take of every approved draft, at the script's settings
    audio: bool = False  # then Luma's sound for every selected scene's clip that has none (a take of its own)
    audio_only: bool = False  # only the sound: scenes without a clip are left as they are (`scenetui audio`)


@dataclass
class RenderSummary:
    """The outcome: per-scene status, clip paths, the final film and the exit code."""

    script_id: str
    statuses: dict[int, str] = field(default_factory=dict)
    clips: dict[int, str] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    final: str | None = None
    elapsed: float = 0.0
    exit_code: int = EXIT_OK
    made_requests: tuple[int, ...] = ()  # takes requests this render completed (journal batches), still open

    def to_json(self) -> dict[str, object]:
        return {
            "type": "summary", "scriptId": self.script_id, "exitCode": self.exit_code, "final": self.final,
            "elapsed": round(self.elapsed, 3),
            "scenes": [{"index": i, "status": s, "clip": self.clips.get(i), "error": self.errors.get(i)}
                       for i, s in sorted(self.statuses.items())],
        }


async def _done_clip(ctx: RenderContext, index: int) -> Path | None:
    """The scene's stored clip when it is present and whole (header-level check, no full decode)."""
    path = await ctx.store.local_clip(ctx.script_id, index)
    if path is None:
        return None
    video = ctx.loaded.script.video
    try:
        await asyncio.to_thread(validate_clip, path, seconds=video.seconds, size=video.size, decode=False)
    except InvalidClip:
        return None
    return path


@dataclass
class RenderPlan:
    """Which selected scenes need work, which already have a valid clip, and which resume a paid generation."""

    todo: list[int]
    done: dict[int, Path]
    resuming: list[int]
    in_doubt: list[int] = field(default_factory=list)  # may have been accepted; not sent again unless resubmitted

    variants: dict[int, TakesPlan] = field(default_factory=dict)  # scenes made as several takes
    reasons: dict[int, str] = field(default_factory=dict)  # why a scene in `done` is left alone
    sounds: int = 0  # `--audio`: the new paid sound generations this render is expected to ask for
    no_clip: list[int] = field(default_factory=list)  # `audio` only: selected scenes with no clip to give sound

    @property
    def new_generations(self) -> list[int]:
        """The scene of every new paid generation, once per take (a scene asked for three takes is here three times)."""
        plain = [i for i in self.todo if i not in self.variants and i not in self.resuming and i not in self.in_doubt]
        return sorted(plain + [i for i, v in self.variants.items() if v.kind != "audio" for _ in v.new])

    @property
    def resumed(self) -> list[int]:
        return sorted(self.resuming + [i for i, v in self.variants.items() for _ in v.resuming])

    @property
    def doubted(self) -> list[int]:
        return sorted(self.in_doubt + [i for i, v in self.variants.items() for _ in v.in_doubt])


async def plan_render(ctx: RenderContext, options: RenderOptions) -> RenderPlan:
    """Look, spend nothing: what a render with these options would do."""
    script = ctx.loaded.script
    selected = options.scenes if options.scenes is not None else list(range(len(script.scenes)))
    if options.audio_only:
        planned = await plan_audio(ctx, selected, force=options.force)
        todo = [i for i, v in planned.variants.items() if v.slots]
        return RenderPlan(todo, planned.done, [], variants=planned.variants, reasons=planned.reasons,
                          sounds=sum(len(v.new) for v in planned.variants.values()), no_clip=planned.missing)
    plan = await _plan_clips(ctx, options, selected)
    if options.audio:  # a sound for each new clip, and for each clip already made that has none
        made = await plan_audio(ctx, [i for i in selected if i not in plan.todo])
        plan.sounds = len(plan.todo) + sum(len(v.new) for v in made.variants.values())
    return plan


async def _plan_clips(ctx: RenderContext, options: RenderOptions, selected: list[int]) -> RenderPlan:
    if options.draft or options.final:
        if options.draft:
            ctx.use_draft_settings()
        planned = await (plan_drafts(ctx, selected, force=options.force) if options.draft else plan_finals(ctx, selected))
        return RenderPlan([i for i, v in planned.variants.items() if v.slots], planned.done, [],
                          variants=planned.variants, reasons=planned.reasons)
    if options.takes:
        variants = {i: plan_takes(ctx, i, options.takes) for i in selected}
        done = {i: clip for i in selected if (clip := await _done_clip(ctx, i)) is not None}
        reasons = {i: f"its {v.count} takes asked for earlier are made" for i, v in variants.items() if not v.slots}
        return RenderPlan([i for i in selected if variants[i].slots], done, [], variants=variants, reasons=reasons)
    todo: list[int] = []
    done: dict[int, Path] = {}
    for i in selected:
        clip = None if options.force else await _done_clip(ctx, i)
        if clip is not None:
            done[i] = clip
        else:
            todo.append(i)
    open_attempts = {i: ctx.open_attempt(i) for i in todo}
    doubt = [i for i, a in open_attempts.items() if ctx.in_doubt(a)]
    resuming = [i for i, a in open_attempts.items() if a is not None and i not in doubt]
    return RenderPlan(todo, done, resuming, [i for i in doubt if i not in ctx.resubmit])


def _start_variants(ctx: RenderContext, plan: RenderPlan, options: RenderOptions) -> None:
    """Journal each new variants request before its first take is paid for, so a stopped run finishes it."""
    for i in plan.todo:
        v = plan.variants.get(i)
        if v is None:
            continue
        batch = v.batch if v.batch is not None else ctx.journal.begin_batch(ctx.script_id, i, v.count, v.kind).id
        if v.batch is not None and v.kind == "takes":
            made = v.count - len(v.slots)
            ctx.bus.emit(LogLine("info", f"scene {i}: finishing the {v.count} takes asked for earlier ({made} made)"
                                 + ("" if options.takes == v.count else "; ask again for more once it is done")))
        ctx.variants[i] = Variants(batch, v.count, tuple(v.slots), v.replace, v.kind, v.upscale_of, v.audio_of,
                                   v.source, v.source_model)


async def render(ctx: RenderContext, options: RenderOptions, plan: RenderPlan | None = None) -> RenderSummary:
    """Render the selected scenes that are not done yet, then assemble; cancellation stops cleanly."""
    started = time.monotonic()
    script = ctx.loaded.script
    summary = RenderSummary(script.id)
    await ctx.store.prepare(script.id)
    plan = plan or await plan_render(ctx, options)
    todo = plan.todo
    skipped = sorted(i for i in plan.done if i not in todo)
    if todo:
        await ctx.backend.prepare([make_job(ctx, i) for i in todo])  # checks that cost nothing, before any spend
    ctx.bus.run_id = ctx.journal.start_run(script.id, ctx.backend.name)
    _start_variants(ctx, plan, options)
    for i in skipped:
        summary.statuses[i], summary.clips[i] = "skipped", str(plan.done[i])
    ctx.bus.emit(RenderStarted(script.id, ctx.backend.name, todo, skipped, str(ctx.store.root)))
    for i in skipped:
        ctx.bus.emit(SceneSkipped(i, plan.reasons.get(i, "already rendered"), summary.clips[i]))
    for i in plan.no_clip:
        ctx.bus.emit(LogLine("warning", f"scene {i}: no clip yet to give sound (render --audio makes both)"))

    interrupted = await _run_scenes(ctx, options, todo, summary)
    if options.audio and not options.audio_only and not interrupted:
        interrupted = await _add_sound(ctx, options, plan, summary)

    failed = [i for i, s in summary.statuses.items() if s == "failed"]
    if not interrupted and options.assemble:
        summary.final = await assemble_film(ctx)
    summary.elapsed = time.monotonic() - started
    st = summary.statuses
    # A scene cancelled on request still leaves the film unfinished: scripts must not read that as success.
    unfinished = failed or any(s == "cancelled" for s in st.values())
    drained = any(s == "drained" for s in st.values())  # stopped on request, cleanly: a rerun goes on from here
    summary.exit_code = (EXIT_INTERRUPTED if interrupted or (drained and not unfinished) else
                         EXIT_FAILED if unfinished else EXIT_OK)
    ctx.bus.emit(RenderFinished(
        script.id, [i for i in st if st[i] == "completed"], failed, [i for i in st if st[i] == "skipped"],
        [i for i in st if st[i] == "cancelled"], summary.final, round(summary.elapsed, 3), summary.exit_code,
    ))
    # requests whose takes are all made (this run's, and any a stopped run finished): closed by the caller once
    # it has told the person, so the same command after a kill finds them made and makes nothing more
    summary.made_requests = tuple(sorted(ctx.made_batches | {v.batch for v in plan.variants.values()
                                                            if v.batch is not None and not v.slots}))
    ctx.journal.finish_run(ctx.bus.run_id, summary.exit_code)
    if interrupted:
        raise asyncio.CancelledError
    return summary


async def _run_scenes(ctx: RenderContext, options: RenderOptions, todo: list[int], summary: RenderSummary) -> bool:
    """Run these scenes' pipelines; their outcomes go into `summary`. True when the run was interrupted."""
    scheduler = Scheduler(lambda i: run_scene(ctx, i), concurrency=options.concurrency, ceiling=ctx.at_once,
                          journal=ctx.journal, script_id=ctx.script_id, on_command=ctx.command_arguments,
                          on_queue=lambda gate: ctx.bus.emit(QueueChanged(gate.limit, gate.paused, gate.draining)))
    interrupted = False
    stop_following = await _follow_team_commands(ctx)
    try:
        await scheduler.run(todo)  # outcomes land in scheduler.outcomes, also when interrupted
    except asyncio.CancelledError:
        interrupted = True
    finally:
        if stop_following is not None:
            await _stop_following(ctx, stop_following)
        for i, out in scheduler.outcomes.items():
            summary.statuses[i] = out.status
            if out.clip:
                summary.clips[i] = str(out.clip)
            if out.error:
                summary.errors[i] = out.error
        for i in todo:
            summary.statuses.setdefault(i, "cancelled")
    return interrupted


async def _stop_following(ctx: RenderContext, stop: Callable[[], None]) -> None:
    """Stop the team's listener (it says in Firestore that this box left: a network call, so in a thread)."""
    try:
        await asyncio.to_thread(stop)
    except Exception as exc:  # noqa: BLE001 -- the render's outcome stands; the box document is only a courtesy
        ctx.bus.emit(LogLine("warning", f"could not tell Firestore this box stopped rendering: {exc}"))


async def _add_sound(ctx: RenderContext, options: RenderOptions, plan: RenderPlan, summary: RenderSummary) -> bool:
    """`render --audio`, once the clips are made: Luma's sound for every selected scene whose clip has none."""
    ready = [i for i, s in sorted(summary.statuses.items()) if s in ("completed", "skipped")]
    sound = await plan_audio(ctx, ready)
    ctx.variants.clear()
    plan.variants.update(sound.variants)
    _start_variants(ctx, RenderPlan([i for i, v in sound.variants.items() if v.slots], {}, [],
                                    variants=sound.variants), options)
    for i, why in sound.reasons.items():
        if "has sound" not in why:
            ctx.bus.emit(LogLine("info", f"scene {i}: no sound added — {why}"))
    todo = sorted(ctx.variants)
    if todo:
        ctx.bus.emit(LogLine("info", f"asking Luma for the sound of scene(s) {', '.join(map(str, todo))}"))
    return await _run_scenes(ctx, options, todo, summary)


async def _follow_team_commands(ctx: RenderContext) -> Callable[[], None] | None:
    """A shared (firestore:) script: the queue commands any box sends (`queue firestore:ID`) reach this render
    through its own journal's command table, as a local `queue` does. Returns the function that stops following."""
    watch = getattr(ctx.store, "watch_queue_commands", None)
    if watch is None:
        return None

    def obey(verb: str, args: dict[str, Any]) -> None:  # from the listener's thread: the journal is thread-safe
        ctx.journal.send_command(ctx.script_id, verb, None, **args)

    try:
        return await watch(ctx.script_id, obey)  # type: ignore[no-any-return]
    except Exception as exc:  # noqa: BLE001 -- no team steering is no reason to stop a render
        ctx.bus.emit(LogLine("warning", f"cannot follow the team's queue commands in Firestore: {exc}"))
        return None
