"""What every part of a controller shares: the script as loaded, its workspace, store and board, the task this
process runs, and the one road events take to the screens (the board first, then the listeners)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from scenetui.build import BuildOptions, apply_video_overrides, make_store
from scenetui.config import Settings
from scenetui.control.snapshot import board_from_disk
from scenetui.domain.board import Board
from scenetui.domain.events import Event, LogLine
from scenetui.engine.costs import PriceTable
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.ports import ClipStore
from scenetui.script.file import LoadedScript
from scenetui.script.ref import ScriptRef
from scenetui.storage.workspace import Workspace

Listener = Callable[[Event, set[int]], None]  # the event and the board rows it changed


class ScriptState:
    """One script in one workspace, as the parts of a controller (views, edits, keyframes, renders) see it."""

    def __init__(self, script_path: ScriptRef, workspace: Workspace, opts: BuildOptions, settings: Settings,
                 loaded: LoadedScript) -> None:
        self.script_path, self.workspace, self.opts, self.settings = script_path, workspace, opts, settings
        self.loaded = apply_video_overrides(loaded, opts)  # as renders use it
        self.store: ClipStore = make_store(self.loaded, workspace, opts, settings)
        self.prices = PriceTable.load(opts.price_table)
        journal = Journal.open_existing(workspace.journal_path)
        try:
            self.board: Board = board_from_disk(self.loaded, self.store, journal)
        finally:
            if journal:
                journal.close()
        self.task: asyncio.Task[None] | None = None  # the render or assembly this process runs
        self.own_seqs: set[int] = set()  # journal rows this process wrote outside a run (keep, delete)
        self._listeners: list[Listener] = []

    @property
    def script_id(self) -> str:
        return self.loaded.script.id

    @property
    def paid(self) -> bool:
        return self.opts.backend == "luma"

    # the road to the screens ------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def emit(self, event: Event) -> None:
        """Fold the event into the board, then tell the listeners which rows changed."""
        changed = self.board.apply(event)
        for listener in list(self._listeners):
            listener(event, changed)

    def say(self, message: str, level: str = "info") -> None:
        self.emit(LogLine(level, message))

    def record(self, event: Event) -> None:
        """Actions taken here are journal events too, so other viewers of this workspace see them."""
        journal = Journal.open_existing(self.workspace.journal_path)
        if journal:
            try:
                self.own_seqs.add(journal.record(event, run_id=None, script_id=self.script_id))
            finally:
                journal.close()
        self.emit(event)

    def send(self, verb: str, indices: list[int | None], **args: object) -> None:
        """Commands reach whichever process renders through the journal's command table."""
        journal = Journal(self.workspace.journal_path)
        try:
            for i in indices:
                journal.send_command(self.script_id, verb, i, **args)
        finally:
            journal.close()

    # questions ----------------------------------------------------------------------------------------------
    @property
    def running_here(self) -> bool:
        return self.task is not None and not self.task.done()

    @property
    def running_elsewhere(self) -> bool:
        return not self.running_here and RenderLock.held(self.workspace.lock_path(self.script_id))

    @property
    def running(self) -> bool:
        """A render (or assembly) runs: in this process, or in another one holding the workspace's lock."""
        return self.running_here or self.running_elsewhere

    def clip_path(self, index: int | None) -> Path | None:
        """The scene's clip (None: the final film) when it exists."""
        path = self.store.final_path(self.script_id) if index is None else self.store.clip_path(self.script_id, index)
        return path if path.is_file() else None

    def missing_keyframes(self) -> dict[int, list[str]]:
        """Scenes that cannot be generated from keyframes yet, and what each lacks."""
        out: dict[int, list[str]] = {}
        for i, scene in enumerate(self.loaded.script.scenes):
            lacks = [name for name, ref in (("start keyframe", scene.start_keyframe), ("end keyframe", scene.end_keyframe))
                     if not ref]
            if lacks:
                out[i] = lacks
        return out
