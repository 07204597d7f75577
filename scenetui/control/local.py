"""The `open` controller: renders in this process; every action becomes an engine call or a journal command."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from scenetui.build import BuildOptions, account_balance, apply_video_overrides, build_context, make_store
from scenetui.config import Settings
from scenetui.control.background import render_command, spawn_render
from scenetui.control.follow import JournalFollower
from scenetui.control.snapshot import board_from_disk
from scenetui.control.editing import Editing
from scenetui.control.keyframing import Keyframing
from scenetui.control.viewing import Viewing
from scenetui.domain.board import ACTIVE, DONE, Board
from scenetui.domain.events import Event, LogLine, SceneKept, SceneReset
from scenetui.engine.context import RenderContext
from scenetui.engine.costs import PriceTable
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.film import ExportOptions, export_film
from scenetui.engine.render import RenderOptions, render
from scenetui.errors import EXIT_INTERRUPTED, UserError
from scenetui.script.file import LoadedScript
from scenetui.script.ref import ScriptRef
from scenetui.script.sources import load_ref
from scenetui.storage.workspace import Workspace

log = logging.getLogger("scenetui.control")
Listener = Callable[[Event, set[int]], None]  # the event and the board rows it changed


@dataclass(frozen=True)
class Estimate:
    """What an action would generate and cost, in words the confirmation can show."""

    scenes: list[int]
    cents: int
    paid: bool

    def text(self) -> str:
        n = len(self.scenes)
        if not self.paid:
            return f"{n} scene(s) with the offline animatic generator (free)"
        return f"{n} new generation(s), about ${self.cents / 100:.2f}"


class LocalController(Viewing, Editing, Keyframing):
    """Owns renders of one script in one workspace, run as tasks on the app's event loop."""

    mode = "open"

    def __init__(self, script_path: ScriptRef, workspace: Workspace, opts: BuildOptions, settings: Settings,
                 *, concurrency: int | None = None, loaded: LoadedScript | None = None) -> None:
        self.script_path = script_path
        self.note_script_stamp(script_path)  # before loading: a change made while it loads is still seen
        self.loaded = apply_video_overrides(loaded or load_ref(script_path, settings, opts.bucket, keyframes_optional=True), opts)  # as renders use it
        self.note_keyframe_stamps()
        self.workspace, self.opts, self.settings = workspace, opts, settings
        self.concurrency = concurrency or (2 * settings.luma_max_in_flight if opts.backend == "luma" else settings.concurrency)
        self.store = make_store(self.loaded, workspace, opts, settings)
        self.prices = PriceTable.load(opts.price_table)
        journal = Journal.open_existing(self.workspace.journal_path)
        try:
            self.board: Board = board_from_disk(self.loaded, self.store, journal)
        finally:
            if journal:
                journal.close()
        self._listeners: list[Listener] = []
        self._task: asyncio.Task[None] | None = None
        self._ctx: RenderContext | None = None
        self._own_runs: set[int] = set()  # runs this process drove: their events came straight from the bus
        self._own_seqs: set[int] = set()  # journal rows this process wrote outside a run (keep, delete)
        self._follower: JournalFollower | None = None

    # wiring -------------------------------------------------------------------------------------------
    @property
    def paid(self) -> bool:
        return self.opts.backend == "luma"

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: Event) -> None:
        """Fold the event into the board, then tell the listeners which rows changed."""
        changed = self.board.apply(event)
        for listener in list(self._listeners):
            listener(event, changed)

    def _say(self, message: str, level: str = "info") -> None:
        self.emit(LogLine(level, message))

    async def start(self) -> None:
        """Events of renders this controller starts arrive from the bus; others' (a background render) from the journal."""
        self.follow_journal()

    async def close(self) -> None:
        self.stop_watching()
        if self._follower is not None:
            await self._follower.stop()
        if self._task and not self._task.done():
            self._task.cancel()
            try:
                await self._task
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

    # questions ----------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        """A render (or assembly) runs: in this process, or in another one holding the workspace's lock."""
        return self.running_here or self.running_elsewhere

    @property
    def running_here(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def running_elsewhere(self) -> bool:
        return not self.running_here and RenderLock.held(self.workspace.lock_path(self.script_id))

    def _ours(self, seq: int, run_id: int | None) -> bool:
        """Events this process emitted itself (already shown): its runs, and the journal rows it wrote."""
        if seq in self._own_seqs:
            return True
        return run_id is not None and (run_id in self._own_runs or (self._ctx is not None and self._ctx.bus.run_id == run_id))

    def follow_journal(self) -> None:
        """Show what renders in other processes write to the journal (a background render, `scenetui render`)."""
        if self._follower is None:
            self._follower = JournalFollower(self.workspace.journal_path, self.script_id, self.emit, self._ours,
                                             live=lambda: self.running_elsewhere)
        self._follower.start()

    def _send(self, verb: str, indices: list[int | None], **args: object) -> None:
        """Commands reach whichever process renders through the journal's command table."""
        journal = Journal(self.workspace.journal_path)
        try:
            for i in indices:
                journal.send_command(self.script_id, verb, i, **args)
        finally:
            journal.close()

    def missing_keyframes(self) -> dict[int, list[str]]:
        """Scenes that cannot be generated from keyframes yet, and what each lacks."""
        out: dict[int, list[str]] = {}
        for i, scene in enumerate(self.loaded.script.scenes):
            lacks = [name for name, ref in (("start keyframe", scene.start_keyframe), ("end keyframe", scene.end_keyframe))
                     if not ref]
            if lacks:
                out[i] = lacks
        return out

    def estimate(self, indices: list[int] | None, *, force: bool = False) -> Estimate:
        chosen = list(range(len(self.board.scenes))) if indices is None else indices
        todo = [i for i in chosen if force or self.board.scenes[i].status != DONE]
        v = self.loaded.script.video
        price = self.prices.price(v.model, v.resolution, v.duration) if self.paid else 0
        return Estimate(todo, price * len(todo), self.paid)

    async def cost_text(self, estimate: Estimate) -> str:
        """The estimate in words, with the account balance when a paid backend can tell it."""
        text = f"This makes {estimate.text()}."
        if not estimate.paid:
            return text
        balance = await account_balance(self.opts, self.settings)
        if balance is None:
            return text + " (The Luma balance could not be read.)"
        warn = " — below the estimate" if balance < estimate.cents else ""
        cap = f" This run's cap: ${self.opts.max_spend_cents / 100:.2f}." if self.opts.max_spend_cents is not None else ""
        return f"{text} Luma balance: ${balance / 100:.2f}{warn}.{cap}"

    # actions ------------------------------------------------------------------------------------------
    async def generate(self, indices: list[int] | None, *, force: bool = False) -> str:
        """Render these scenes (None: all that are not done); while a render runs, queue them into it."""
        bare = [i for i in (indices if indices is not None else range(len(self.board.scenes)))
                if not self.loaded.script.scenes[i].keyframes and (force or self.board.scenes[i].status != DONE)]
        if bare:
            raise UserError(f"scene(s) {', '.join(map(str, bare))} have no keyframe yet",
                            hint="press k to make them (storyboard cards are free)")
        if self.running:
            wanted = [i for i in (indices or range(len(self.board.scenes)))
                      if self.board.scenes[i].status not in (DONE, ACTIVE, "queued")]
            self._send("retry", list(wanted))
            return f"queued {len(wanted)} scene(s) into the running render" if wanted else "those scenes are already running or done"
        options = RenderOptions(scenes=indices, concurrency=self.concurrency, force=force)
        await self._start("render", lambda ctx: render(ctx, options))
        return "rendering started"

    async def _start(self, what: str, job: Callable[[RenderContext], Awaitable[object]]) -> None:
        """Run `job` on a fresh context as this controller's one task, under the workspace's render lock."""
        ctx = await asyncio.to_thread(build_context, self.script_path, self.workspace, self.opts, self.settings)
        ctx.bus.subscribe(self.emit)
        self._ctx = ctx

        async def guarded() -> None:
            try:
                with RenderLock(self.workspace.lock_path(self.script_id)):
                    await job(ctx)
            except UserError as exc:
                self._say(exc.line(), "error")
            except asyncio.CancelledError:
                pass
            except Exception as exc:  # the app must stay up; the log file has the traceback
                log.exception("%s failed", what)
                self._say(f"the {what} stopped: {exc}", "error")
            finally:
                if ctx.bus.run_id is not None:
                    self._own_runs.add(ctx.bus.run_id)
                await ctx.backend.aclose()
                ctx.journal.close()
                self._ctx = None

        self._task = asyncio.create_task(guarded(), name=what)

    async def cancel(self, index: int | None = None, *, delete_remote: bool = False) -> str:
        if not self.running:
            return "nothing is rendering"
        self._send("cancel", [index], delete_remote=delete_remote)
        return "cancelling " + ("every scene" if index is None else f"scene {index}")

    async def render_in_background(self, indices: list[int] | None, *, force: bool = False) -> str:
        """Hand the render to its own process: it survives closing this window; the app follows it live."""
        if self.running:
            raise UserError("a render is already running", hint="wait for it, or cancel it first")
        cmd = render_command(self.script_path, self.workspace, self.opts, scenes=indices, force=force,
                             concurrency=self.concurrency)
        pid, out = await asyncio.to_thread(spawn_render, cmd, self.workspace)
        self.follow_journal()
        self._say(f"rendering in the background (pid {pid}); its output goes to {out}")
        return f"rendering in the background (pid {pid}) — it keeps going if you quit; `scenetui watch` follows it"

    def _refuse_while_running(self, index: int | None, what: str) -> None:
        if index is not None and self.board.scenes[index].status in (ACTIVE, "queued"):
            raise UserError(f"scene {index} is being generated", hint=f"cancel it first, then {what}")

    async def delete_clip(self, index: int) -> str:
        """Remove the scene's clip from storage and reset it, so it can be generated again."""
        self._refuse_while_running(index, "delete it")
        await self.store.delete_clip(self.script_id, index)
        self._record(SceneReset(index, "clip deleted"))
        return f"scene {index}'s clip deleted"

    async def keep_clip(self, index: int, dest: Path | None) -> str:
        """Mark the clip kept; with a destination, copy it there first (never overwriting a file)."""
        clip = await self.store.local_clip(self.script_id, index)
        if clip is None:
            raise UserError(f"scene {index} has no clip yet", hint="generate it first")
        exported = await asyncio.to_thread(export_copy, clip, dest) if dest else None
        await self.store.mark_kept(self.script_id, index, str(exported) if exported else None)
        self._record(SceneKept(index, str(exported) if exported else None))
        return f"kept scene {index}" + (f"; copy saved to {exported}" if exported else "")

    async def assemble(self, transition: str = "cut", music: str | None = None, quality: str | None = None,
                       music_volume: float = -6.0) -> str:
        """Assemble the film (as `scenetui export` does) with these choices; they are checked before anything runs."""
        from scenetui.engine.film import ExportOptions, check_music
        from scenetui.media.film import Music, parse_transition

        if self.running:
            raise UserError("a render is running", hint="the film is assembled when it finishes")
        options = ExportOptions(transition=parse_transition(transition),
                                music=Music(Path(music).expanduser(), music_volume) if music else None, quality=quality)
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

    def _record(self, event: Event) -> None:
        """Actions taken here are journal events too, so other viewers of this workspace see them."""
        journal = Journal.open_existing(self.workspace.journal_path)
        if journal:
            try:
                self._own_seqs.add(journal.record(event, run_id=None, script_id=self.script_id))
            finally:
                journal.close()
        self.emit(event)


async def _assembly_run(ctx: RenderContext, options: ExportOptions) -> None:
    """Assembly as a run of its own, so journal followers can tell its events from other processes'."""
    ctx.bus.run_id = ctx.journal.start_run(ctx.script_id, "assembly")
    try:
        await export_film(ctx, options)
    finally:  # a run left unfinished would be replayed as still running
        ctx.journal.finish_run(ctx.bus.run_id, 0)


def export_copy(src: Path, dest: Path) -> Path:
    """Copy `src` to `dest` (a folder or a file name) atomically; an existing file is never overwritten."""
    dest = dest.expanduser()
    if dest.is_dir():
        dest = dest / src.name
    if dest.suffix.lower() != ".mp4":
        dest = dest.with_suffix(dest.suffix + ".mp4") if dest.suffix else dest.with_suffix(".mp4")
    if dest.exists():
        raise UserError(f"{dest} already exists", hint="choose another name; nothing was overwritten")
    if not dest.parent.is_dir():
        raise UserError(f"folder {dest.parent} does not exist", hint="create it or choose another path")
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.link(tmp, dest)  # fails instead of replacing if the name appeared meanwhile
    except FileExistsError:
        raise UserError(f"{dest} already exists", hint="choose another name; nothing was overwritten") from None
    except OSError as exc:
        raise UserError(f"cannot write {dest} ({exc.strerror})", hint="choose another folder") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest
