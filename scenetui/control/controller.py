"""What `open` and `watch` share: one script's state composed with its parts (views, edits, keyframes), the clip
actions, assembly in this process, and renders handed to a process of their own. How new scenes are generated is
each peer's own (`LocalController`, `WatchController`)."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from scenetui.build import BuildOptions, account_balance
from scenetui.config import Settings
from scenetui.control.background import render_command, spawn_render
from scenetui.control.copies import export_copy
from scenetui.control.editing import Editing, script_stamp
from scenetui.control.follow import JournalFollower
from scenetui.control.keyframing import Keyframing
from scenetui.control.protocol import FilmSound
from scenetui.control.snapshot import mark_stale
from scenetui.control.state import Listener, ScriptState
from scenetui.control.takes import take_rows
from scenetui.control.steering import Steering
from scenetui.control.team import Team
from scenetui.control.viewing import Viewing
from scenetui.domain.board import ACTIVE, DONE, DOUBT, Board
from scenetui.domain.events import Event, SceneKept, SceneReset, TakeChosen
from scenetui.domain.takes import TakeRow
from scenetui.engine.context import RenderContext
from scenetui.engine.costs import SpendEstimate
from scenetui.engine.film import ExportOptions, export_film
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.errors import EXIT_INTERRUPTED, UserError
from scenetui.script.file import LoadedScript
from scenetui.script.ref import ScriptRef
from scenetui.script.sources import load_ref
from scenetui.storage.workspace import Workspace

log = logging.getLogger("scenetui.control")


class ScriptController:
    """One script in one workspace for the screens; `generate` is the peer's own."""

    mode = "open"

    def __init__(self, script_path: ScriptRef, workspace: Workspace, opts: BuildOptions, settings: Settings,
                 *, concurrency: int | None = None, loaded: LoadedScript | None = None) -> None:
        stamp = script_stamp(script_path)  # before loading: a change made while it loads is still seen
        loaded = loaded or load_ref(script_path, settings, opts.bucket, keyframes_optional=True)
        self.state = ScriptState(script_path, workspace, opts, settings, loaded)
        self.view = Viewing(self.state)
        self.edits = Editing(self.state, stamp)
        self.keyframes = Keyframing(self.state, self.edits)
        self.team = Team(self.state)  # the render boxes on a shared (firestore:) script
        self.concurrency = concurrency or (settings.luma_at_once if opts.backend == "luma" else settings.concurrency)
        self.queue = Steering(self.state, self.concurrency)
        self._ctx: RenderContext | None = None
        self._own_runs: set[int] = set()  # runs this process drove: their events came straight from the bus
        self._follower: JournalFollower | None = None

    # the state, as the screens read it ---------------------------------------------------------------------
    @property
    def board(self) -> Board:
        return self.state.board

    @property
    def loaded(self) -> LoadedScript:
        return self.state.loaded

    @property
    def workspace(self) -> Workspace:
        return self.state.workspace

    @property
    def opts(self) -> BuildOptions:
        return self.state.opts

    @property
    def script_id(self) -> str:
        return self.state.script_id

    @property
    def paid(self) -> bool:
        return self.state.paid

    @property
    def running(self) -> bool:
        return self.state.running

    @property
    def running_here(self) -> bool:
        return self.state.running_here

    @property
    def running_elsewhere(self) -> bool:
        return self.state.running_elsewhere

    def subscribe(self, listener: Listener) -> None:
        self.state.subscribe(listener)

    def emit(self, event: Event) -> None:
        self.state.emit(event)

    def clip_path(self, index: int | None) -> Path | None:
        return self.state.clip_path(index)

    def missing_keyframes(self) -> dict[int, list[str]]:
        return self.state.missing_keyframes()

    # life ---------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        """Events of renders this controller starts arrive from the bus; others' (a background render) from the journal."""
        self.follow_journal()

    async def close(self) -> None:
        self.edits.stop_watching()
        self.team.stop()
        if self._follower is not None:
            await self._follower.stop()
        task = self.state.task
        if task and not task.done():
            task.cancel()
            try:
                await task
            except (asyncio.CancelledError, Exception):  # shutting down; the journal already holds the outcome
                pass

    def abandon(self) -> None:
        """The process ends without its clean shutdown: record the render in progress as stopped (resumable)."""
        ctx = self._ctx
        if ctx is None or ctx.bus.run_id is None:
            return
        journal = Journal(self.workspace.journal_path)  # a connection of its own: the render's may be mid-use
        try:
            journal.stop_run(ctx.bus.run_id, EXIT_INTERRUPTED)
        finally:
            journal.close()

    def _ours(self, seq: int, run_id: int | None) -> bool:
        """Events this process emitted itself (already shown): its runs, and the journal rows it wrote."""
        if seq in self.state.own_seqs:
            return True
        return run_id is not None and (run_id in self._own_runs or (self._ctx is not None and self._ctx.bus.run_id == run_id))

    def follow_journal(self) -> None:
        """Show what renders in other processes write to the journal (a background render, `scenetui render`)."""
        if self._follower is None:
            self._follower = JournalFollower(self.workspace.journal_path, self.script_id, self.state.emit, self._ours,
                                             live=lambda: self.running_elsewhere)
        self._follower.start()

    # what things cost ---------------------------------------------------------------------------------------
    def estimate(self, indices: list[int] | None, *, force: bool = False) -> SpendEstimate:
        """What generating these scenes (None: all) would make and cost; nothing is asked of Luma yet."""
        chosen = list(range(len(self.board.scenes))) if indices is None else indices
        todo = [i for i in chosen if force or self.board.scenes[i].status != DONE]
        return SpendEstimate.for_videos(self.state.prices, self.loaded.script.video, len(todo), paid=self.paid,
                                        scenes=todo, cap_cents=self.opts.max_spend_cents)

    async def cost_text(self, estimate: SpendEstimate) -> str:
        """The estimate in words, with the account balance when a paid backend can tell it."""
        if estimate.paid:
            estimate = dataclasses.replace(estimate, balance_cents=await account_balance(
                self.opts, self.state.settings, self.loaded.script.video.api))
        return estimate.sentence()

    async def request_text(self, index: int) -> str:
        """What generating this scene would send, exactly (a done scene: what regenerating it would), and its
        price — built like `render --dry-run`, nothing sent."""
        import json

        from scenetui.domain.units import usd
        from scenetui.engine.render import RenderOptions
        from scenetui.jobs.preview import preview_render
        from scenetui.jobs.render import RenderRequest

        s = self.state
        request = RenderRequest(s.script_path, s.workspace, s.opts, RenderOptions(scenes=[index], force=True),
                                loaded=s.loaded)
        preview = await preview_render(request, s.settings)
        if not preview.scenes:
            return f"scene {index}: nothing would be sent"
        scene = preview.scenes[0]
        price = usd(scene.price_cents) if scene.action == "create" else "no new charge" if self.paid else "free"
        body = json.dumps(scene.request, indent=2, ensure_ascii=False)
        return f"{scene.action} · {price}\n\n{body}\n\nnothing was sent; the key is never part of a request"

    # actions ------------------------------------------------------------------------------------------------
    def in_doubt(self, indices: list[int] | None) -> list[int]:
        """Those of these scenes (None: all) whose create may have been accepted: a render pays for them again
        only when asked with `resubmit`."""
        chosen = range(len(self.board.scenes)) if indices is None else indices
        return [i for i in chosen if self.board.scenes[i].status == DOUBT]

    def _queue_retries(self, wanted: list[int], resubmit: bool) -> None:
        """Ask the running render to (re)try these scenes; only those in doubt carry the person's resubmit."""
        doubt = self.in_doubt(wanted) if resubmit else []
        self.state.send("retry", [i for i in wanted if i not in doubt])
        if doubt:
            self.state.send("retry", list(doubt), resubmit=True)

    async def generate(self, indices: list[int] | None, *, force: bool = False, resubmit: bool = False) -> str:
        """Render these scenes (None: all that are not done): the peer decides where; `resubmit` pays again for
        those in doubt (the screen has asked)."""
        raise NotImplementedError

    def _check_keyframes(self, indices: list[int] | None, force: bool) -> None:
        bare = [i for i in (indices if indices is not None else range(len(self.board.scenes)))
                if not self.loaded.script.scenes[i].keyframes and (force or self.board.scenes[i].status != DONE)]
        if bare:
            raise UserError(f"scene(s) {', '.join(map(str, bare))} have no keyframe yet",
                            hint="press k to make them (storyboard cards are free)")

    async def _start(self, what: str, job: Callable[[RenderContext], Awaitable[object]], *, locked: bool = True) -> None:
        """Run `job` on a fresh context as this controller's one task (under the workspace's render lock unless the
        job takes it itself); a context that cannot be built is refused here, before anything starts."""
        from scenetui.build import build_context

        s = self.state
        ctx = await asyncio.to_thread(build_context, s.script_path, s.workspace, s.opts, s.settings)
        ctx.bus.subscribe(s.emit)
        self._ctx = ctx

        async def guarded() -> None:
            try:
                if locked:
                    with RenderLock(s.workspace.lock_path(s.script_id)):
                        await job(ctx)
                else:
                    await job(ctx)
            except UserError as exc:
                self.state.say(exc.line(), "error")
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # the app must stay up; the log file has the traceback
                log.exception("%s failed", what)
                self.state.say(f"the {what} stopped: {exc}", "error")
            finally:
                if ctx.bus.run_id is not None:
                    self._own_runs.add(ctx.bus.run_id)
                await ctx.backend.aclose()
                ctx.journal.close()
                self._ctx = None

        self.state.task = asyncio.create_task(guarded(), name=what)

    async def cancel(self, index: int | None = None, *, delete_remote: bool = False) -> str:
        if not self.running:
            return "nothing is rendering"
        self.state.send("cancel", [index], delete_remote=delete_remote)
        return "cancelling " + ("every scene" if index is None else f"scene {index}")

    async def render_in_background(self, indices: list[int] | None, *, force: bool = False,
                                   resubmit: bool = False) -> str:
        """Hand the render to its own process: it survives closing this window; the app follows it live."""
        if self.running:
            raise UserError("a render is already running", hint="wait for it, or cancel it first")
        cmd = render_command(self.state.script_path, self.workspace, self.opts, scenes=indices, force=force,
                             concurrency=self.concurrency, resubmit=self.in_doubt(indices) if resubmit else [])
        pid, out = await asyncio.to_thread(spawn_render, cmd, self.workspace)
        self.follow_journal()
        self.state.say(f"rendering in the background (pid {pid}); its output goes to {out}")
        return f"rendering in the background (pid {pid}) — it keeps going if you quit; `scenetui watch` follows it"

    def _refuse_while_running(self, index: int | None, what: str) -> None:
        if index is not None and self.board.scenes[index].status in (ACTIVE, "queued"):
            raise UserError(f"scene {index} is being generated", hint=f"cancel it first, then {what}")

    async def delete_clip(self, index: int) -> str:
        """Remove the scene's clip from storage and reset it, so it can be generated again."""
        self._refuse_while_running(index, "delete it")
        await self.state.store.delete_clip(self.script_id, index)
        self.state.record(SceneReset(index, "clip deleted"))
        return f"scene {index}'s clip deleted"

    def takes(self, index: int) -> list[TakeRow]:
        """The scene's takes, oldest first, each with its cost (from the journal) and whether it is stale."""
        return take_rows(self.state.store, self.workspace, self.loaded, [index])[index]

    def takes_estimate(self, count: int) -> SpendEstimate:
        """What `count` new takes of one scene would cost."""
        return SpendEstimate.for_videos(self.state.prices, self.loaded.script.video, count, paid=self.paid,
                                        cap_cents=self.opts.max_spend_cents)

    def _check_takes(self, index: int) -> None:
        if self.running:
            raise UserError("a render is running", hint="more takes can be made once it is done (or cancel it)")
        self._check_keyframes([index], True)

    async def make_takes(self, index: int, count: int) -> str:
        """`count` new takes of the scene beside its clip; where they are made is the peer's to say."""
        raise NotImplementedError

    async def approve(self, index: int) -> str:
        """Approve the scene's draft (its clip when that is a draft, else its newest) for `render --final`."""
        take = await self.state.store.approve_take(self.script_id, index)
        return f"scene {index}: draft take {take.number} approved — `scenetui render SCRIPT --final` makes its final take"

    async def choose_take(self, index: int, number: int) -> str:
        """Make take `number` the scene's clip; the film is assembled from it next time."""
        self._refuse_while_running(index, "choose a take")
        video = await self.state.store.choose_take(self.script_id, index, number)
        m = video.video_metadata
        clip = self.state.store.clip_path(self.script_id, index)
        self.state.record(TakeChosen(index, number, str(clip), m and m.duration, m and m.resolution, m and m.size,
                                     m and m.remote_id, m and m.inputs))
        mark_stale(self.board, self.loaded)
        return f"scene {index}'s clip is now take {number} — e assembles the film with it"

    async def keep_clip(self, index: int, dest: Path | None) -> str:
        """Mark the clip kept; with a destination, copy it there first (never overwriting a file)."""
        clip = await self.state.store.local_clip(self.script_id, index)
        if clip is None:
            raise UserError(f"scene {index} has no clip yet", hint="generate it first")
        exported = await asyncio.to_thread(export_copy, clip, dest) if dest else None
        await self.state.store.mark_kept(self.script_id, index, str(exported) if exported else None)
        self.state.record(SceneKept(index, str(exported) if exported else None))
        return f"kept scene {index}" + (f"; copy saved to {exported}" if exported else "")

    async def assemble(self, transition: str = "cut", music: str | None = None, quality: str | None = None,
                       music_volume: float = -6.0, *, sound: FilmSound | None = None) -> str:
        """Assemble the film (as `scenetui export` does) with these choices; they are checked before anything runs."""
        from scenetui.engine.film import check_music
        from scenetui.media.film import Music, parse_transition
        from scenetui.media.soundtrack import check_duck, check_loudness

        if self.running:
            raise UserError("a render is running", hint="the film is assembled when it finishes")
        s = sound or FilmSound()
        options = ExportOptions(transition=parse_transition(transition),
                                music=Music(Path(music).expanduser(), music_volume) if music else None, quality=quality,
                                duck=check_duck(s.duck), loudness=None if s.loudness is None else check_loudness(s.loudness),
                                clip_sound=s.clip_sound, subtitles=s.captions != "none",
                                burn_subtitles=s.captions == "burn")
        await asyncio.to_thread(check_music, options.music)
        await self._start("assembly", lambda ctx: _assembly_run(ctx, options))
        return "assembling the film" + ("" if options.transition.is_cut else f" with {options.transition} transitions")

    async def export_final(self, dest: Path | None) -> str:
        final = self.clip_path(None)
        if final is None:
            raise UserError("the film is not assembled yet", hint="press e to assemble it")
        if dest is None:
            return f"the film stays at {final}"
        return f"film copied to {await asyncio.to_thread(export_copy, final, dest)}"

    async def stats_text(self, width: int) -> str:
        """The workspace's analytics (`scenetui stats`), laid out for `width` columns."""
        from scenetui.ops.stats import collect
        from scenetui.ops.stats_view import render_text

        stats = await asyncio.to_thread(collect, self.workspace.journal_path, None)
        return await asyncio.to_thread(render_text, stats, width=width, plots=True)


async def _assembly_run(ctx: RenderContext, options: ExportOptions) -> None:
    """Assembly as a run of its own, so journal followers can tell its events from other processes'."""
    ctx.bus.run_id = ctx.journal.start_run(ctx.script_id, "assembly")
    try:
        await export_film(ctx, options)
    finally:  # a run left unfinished would be replayed as still running
        ctx.journal.finish_run(ctx.bus.run_id, 0)
