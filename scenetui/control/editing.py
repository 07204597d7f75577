"""Changing the script from the app: a scene's words through the person's editor, and changes made to the script
file elsewhere picked up live — scenes whose inputs changed are marked stale, their clips kept."""

from __future__ import annotations

import asyncio
import logging
import os
import shlex
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenetui.build import apply_video_overrides
from scenetui.control.snapshot import mark_stale
from scenetui.script.fingerprints import file_version, keyframe_stamps
from scenetui.errors import ScriptInvalid, UserError
from scenetui.script.scene_draft import EditOutcome, draft_text, read_draft
from scenetui.script.sources import load_ref
from scenetui.storage.atomic import write_text_atomic

if TYPE_CHECKING:
    from scenetui.control.state import ScriptState

logger = logging.getLogger(__name__)
EDITORS = ("sensible-editor", "editor", "nano", "vim", "vi")


def editor_command(path: Path) -> list[str]:
    """$VISUAL or $EDITOR (with its arguments), else the first usual editor installed."""
    for var in ("VISUAL", "EDITOR"):
        value = os.environ.get(var, "").strip()
        if value:
            return [*shlex.split(value), str(path)]
    for name in EDITORS:
        found = shutil.which(name)
        if found:
            return [found, str(path)]
    raise UserError("no text editor found", hint="set EDITOR (export EDITOR=nano) and press E again")


def _news(what: str, newly: list[int] | str) -> str:
    """What a reload after a change made elsewhere means, in one sentence."""
    if isinstance(newly, str):
        return newly
    return f"{what}: scene(s) {', '.join(map(str, newly))} now stale — their clips are kept until regenerated (R)"


def script_stamp(ref: object) -> object:
    """The script file's state, taken before it is loaded so that any later change is picked up (None: Firestore)."""
    return file_version(ref) if isinstance(ref, Path) else None


class Editing:
    """A controller's edits: saved where the script lives, and the script reloaded when it changes elsewhere."""

    def __init__(self, state: ScriptState, stamp: object = None) -> None:
        self.state = state
        self.drafts: dict[int, str] = {}  # a failed save's text, offered again next time
        self.remote: dict[str, Any] = {}  # the Firestore listener: its stop, the latest and the known digest
        self._script_stamp = stamp
        self._keyframe_stamps = keyframe_stamps(state.loaded)  # a keyframe replaced in place (same name) is noticed too

    def note_keyframe_stamps(self) -> None:
        """Remember each keyframe file's version, so one replaced in place (same name) is noticed too."""
        self._keyframe_stamps = keyframe_stamps(self.state.loaded)

    def restamp(self) -> None:
        """Our own write to the script file is not a change made elsewhere."""
        if self.state.loaded.path is not None:
            self._script_stamp = file_version(self.state.loaded.path)

    def draft_file(self, index: int) -> Path:
        """The scene's draft as a private file for the editor: a failed save's text, else the scene as it is."""
        text = self.drafts.get(index) or draft_text(self.state.loaded.script, index)
        folder = self.state.workspace.state_dir / "edits"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path = folder / f"{self.state.loaded.script.id}-scene-{index:03d}.toml"
        write_text_atomic(path, text)  # private (0600), like every file scenetui writes that holds the user's words
        return path

    async def save_scene_edit(self, index: int, text: str) -> EditOutcome:
        """Validate the editor's text and save the changed fields where the script lives; nothing is written when
        anything is wrong (the text is kept as the next draft)."""
        outcome = read_draft(self.state.loaded.script, index, text)
        if not outcome.ok:
            self.drafts[index] = text
            return outcome
        if not outcome.changes:
            self.drafts.pop(index, None)
            return outcome
        try:
            await self._write_scene(index, outcome.changes)
        except UserError:
            self.drafts[index] = text  # nothing was written: the next edit starts from this text
            raise
        self.drafts.pop(index, None)
        newly = await self.reload()
        what = ", ".join(outcome.changes)
        self.state.say(f"scene {index}: saved {what}" + (" — its clip is stale now (kept until regenerated)" if newly else ""))
        return outcome

    async def _write_scene(self, index: int, changes: dict[str, object]) -> None:
        path = self.state.loaded.path
        if path is None:  # a firestore: script
            from scenetui.storage.firebase.store import FirebaseStore

            if not isinstance(self.state.store, FirebaseStore):
                raise UserError("this script cannot be edited from here", hint="edit it where it is stored")
            await self.state.store.edit_scene_text(self.state.loaded.script.id, index, changes)
            return
        from scenetui.script.edit import check_writable, set_scene_fields

        check_writable(path)
        await asyncio.to_thread(set_scene_fields, path, {index: changes})
        self.restamp()

    async def reload(self) -> list[int]:
        """Load the script again (file or Firestore) and mark scenes whose inputs changed; returns those newly stale."""
        ref = self.state.loaded.path if self.state.loaded.path is not None else self.state.script_path
        loaded = await asyncio.to_thread(load_ref, ref, self.state.settings, self.state.opts.bucket, keyframes_optional=True)
        if len(loaded.script.scenes) != len(self.state.board.scenes):
            raise UserError(f"the script now has {len(loaded.script.scenes)} scenes instead of {len(self.state.board.scenes)}",
                            hint="quit and open it again to work with the new scene list")
        self.state.loaded = apply_video_overrides(loaded, self.state.opts)
        return mark_stale(self.state.board, self.state.loaded)

    async def reload_if_changed(self) -> str | None:
        """When the script file changed on disk since it was loaded: reload it and say what that means (None when
        nothing changed). An invalid file is reported once and the loaded version kept."""
        path = self.state.loaded.path
        if path is None:
            return await self._remote_changed()
        now = file_version(path)
        if now is None:
            return None
        pictures = await asyncio.to_thread(keyframe_stamps, self.state.loaded)
        script_changed = now != self._script_stamp
        if not script_changed and pictures == self._keyframe_stamps:
            return None
        self._script_stamp = now
        what = "the script file changed" if script_changed else "a keyframe file changed"
        try:
            newly = await self._reload_saying(what)
        finally:
            self.note_keyframe_stamps()
        if isinstance(newly, str) or newly:
            return _news(what, newly)
        stale = [s.index for s in self.state.board.scenes if s.stale]
        return f"{what}; reloaded" + (f" ({len(stale)} stale scene(s))" if stale else "")

    async def _reload_saying(self, what: str) -> list[int] | str:
        """Reload after a change made elsewhere: the scenes newly stale, or the sentence saying why the loaded
        version stays."""
        try:
            return await self.reload()
        except ScriptInvalid as exc:
            return f"{what} but the script is not valid now ({exc.message}); still using the version loaded"
        except UserError as exc:
            return f"{what}: {exc.message} — {exc.hint}"

    async def _remote_changed(self) -> str | None:
        """A `firestore:` script: a listener follows the document; an edit made elsewhere (the app, the console)
        reloads it, while the fields renders write (video URL, status, metadata) are not an edit."""
        state = self.remote
        if state.get("closed"):
            return None  # the app is closing: a late tick must not start a listener again
        if "stop" not in state:
            from scenetui.storage.firebase.store import FirebaseStore

            state["stop"] = None
            if isinstance(self.state.store, FirebaseStore):
                try:
                    state["stop"] = await self.state.store.watch_script(self.state.loaded.script.id, lambda digest: state.__setitem__("latest", digest))
                except Exception as exc:  # noqa: BLE001 -- no live reload is no reason to stop the app
                    logger.warning("cannot follow the script in Firestore: %s", exc)
            return None
        latest, known = state.get("latest"), state.get("known")
        if latest is None or latest == known:
            return None
        state["known"] = latest
        if known is None:
            return None  # the listener's first version: the script as it was loaded
        if latest == "":
            return "the script was deleted from Firestore; still using the version loaded"
        what = "the script changed in Firestore"
        before = self.state.loaded.script
        newly = await self._reload_saying(what)
        if isinstance(newly, str) or newly:
            return _news(what, newly)
        if self.state.loaded.script == before:
            return None  # this app's own edit (already reloaded), or a field the script does not read
        return f"{what}; reloaded"

    def stop_watching(self) -> None:
        """End the Firestore listener, if one runs."""
        state = self.remote
        state["closed"] = True
        stop = state.pop("stop", None)
        if stop is not None:
            try:
                stop()
            except Exception as exc:  # noqa: BLE001 -- shutting down
                logger.debug("stopping the Firestore listener: %s", exc)

