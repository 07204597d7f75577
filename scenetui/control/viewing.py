"""What the app may look at without touching media code itself: pictures, frames, facts, players."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from PIL import Image
from rich.text import Text

from scenetui.control.state import ScriptState
from scenetui.domain.board import DONE
from scenetui.domain.units import human_size
from scenetui.errors import UserError
from scenetui.script.fingerprints import file_version
from scenetui.media.cells import file_cells, file_still, image_cells, video_frames
from scenetui.media.playback import ClipPlayer, PlaybackError
from scenetui.media.players import PlayPlan, play_plan
from scenetui.media.probe import InvalidClip, probe


class Viewing:
    """A controller's read-only views of keyframes and clips for the screens."""

    def __init__(self, state: ScriptState) -> None:
        self.state = state
        self._pictures: dict[tuple[Any, ...], Any] = {}

    async def fetch_clip(self, index: int | None) -> Path | None:
        """The clip as a local file, fetched from remote storage when only it has the clip."""
        if index is None:
            return self.state.clip_path(None)
        try:
            return await self.state.store.local_clip(self.state.script_id, index)
        except UserError:
            raise
        except Exception as exc:  # a storage error is one sentence on the screen; the log has the rest
            raise UserError(f"cannot fetch scene {index}'s clip ({type(exc).__name__}: {exc})", hint="check the connection") from exc

    def clip_facts(self, index: int | None) -> dict[str, str]:
        if index is not None:
            s = self.state.board.scenes[index]
            if s.status != DONE:
                return {"State": s.status}
            rows = {"Duration": f"{s.duration:.2f}s" if s.duration else "?", "Resolution": s.resolution or "?",
                    "Size": human_size(s.size) or "?"}
            if s.created:
                rows["Created"] = s.created
            rows["Kept"] = "yes" if s.kept else "no"
            return rows
        path = self.state.clip_path(None)
        if path is None:
            return {"State": "not assembled yet"}
        try:
            info = probe(path, headers_only=True)
        except InvalidClip as exc:
            return {"Problem": str(exc)}
        return {"Duration": f"{info.duration:.2f}s", "Resolution": info.resolution, "Size": human_size(info.size_bytes) or "?"}

    async def frames(self, path: Path, count: int) -> list[tuple[float, Any]]:
        try:
            return await asyncio.to_thread(video_frames, path, count)
        except Exception as exc:  # PyAV raises many kinds; the screen needs one sentence
            raise UserError(f"cannot decode {path.name} ({exc})", hint="delete it and generate it again") from exc

    async def open_player(self, path: Path) -> ClipPlayer:
        """A player for in-terminal playback (decoded with PyAV; nothing to install)."""
        try:
            return await asyncio.to_thread(ClipPlayer, path)
        except PlaybackError as exc:
            raise UserError(str(exc), hint="delete it and generate it again") from exc

    @staticmethod
    def picture(img: Image.Image, width: int, height: int) -> Text:
        return image_cells(img, width, height)

    async def keyframe_picture(self, index: int, which: str, width: int, height: int) -> Text:
        """The scene's keyframe as half-block cells, or a line saying why there is none."""
        found = self._keyframe_file(index, which)
        if isinstance(found, Text):
            return found
        return await self._cached((found, "cells", width, height), file_cells, found, width, height)

    async def keyframe_still(self, index: int, which: str) -> Image.Image | Text:
        """The scene's keyframe as a picture for the terminal's graphics protocol, or a line saying why not."""
        found = self._keyframe_file(index, which)
        if isinstance(found, Text):
            return found
        return await self._cached((found, "still"), file_still, found)

    def _keyframe_file(self, index: int, which: str) -> Path | Text:
        scene = self.state.loaded.script.scenes[index]
        ref = scene.start_keyframe if which == "start" else scene.end_keyframe
        if not ref:
            return Text(f"no {which} keyframe", style="red")
        source = self.state.loaded.keyframe_source(ref)
        if isinstance(source, str):
            return Text(f"{source}\n(hosted image, not drawn)", style="dim")
        return source

    async def _cached(self, key: tuple[Any, ...], make: Any, path: Path, *args: Any) -> Any:
        """Pictures are made once per file version: a keyframe replaced under the same name is drawn anew."""
        key = (*key, file_version(path))
        cache = self._pictures
        if key not in cache:
            if len(cache) > 256:
                cache.clear()
            cache[key] = await asyncio.to_thread(make, path, *args)
        return cache[key]

    @staticmethod
    def play_plan(clip: Path, *, in_terminal: bool | None = None) -> PlayPlan:
        return play_plan(clip, in_terminal=in_terminal)

    def open_folder(self) -> str:
        """Open the workspace in the desktop's file manager when there is a display; either way, say where it is."""
        import shutil
        import subprocess

        from scenetui.media.players import has_display

        folder = self.state.workspace.root
        opener = shutil.which("xdg-open") or shutil.which("open")
        if has_display() and opener:
            subprocess.Popen([opener, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
            return f"opened {folder}"
        return f"clips are in {folder}"

    def default_export_path(self, index: int | None) -> Path:
        name = f"{self.state.script_id}-final.mp4" if index is None else f"{self.state.script_id}-scene-{index:03d}.mp4"
        return Path.cwd() / name

