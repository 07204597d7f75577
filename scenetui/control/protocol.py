"""The one thing the screens know of a controller: what they may read and the commands they may send. `open`
(LocalController) and `watch` (WatchController) are peers behind it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from scenetui.control.editing import Editing
from scenetui.control.keyframing import Keyframing
from scenetui.control.state import Listener
from scenetui.control.steering import Steering
from scenetui.control.team import Team
from scenetui.control.viewing import Viewing
from scenetui.domain.board import Board
from scenetui.domain.takes import TakeRow
from scenetui.engine.costs import SpendEstimate
from scenetui.script.file import LoadedScript
from scenetui.storage.workspace import Workspace



@dataclass(frozen=True)
class FilmSound:
    """The film's sound and words as the export screen chooses them (`export`'s --duck, --loudness, --mute-clips,
    --subtitles / --burn-subtitles)."""

    duck: float = 8.0  # dB the music drops under a scene's own sound
    loudness: float | None = -14.0  # integrated LUFS the film is brought to; None keeps the levels
    clip_sound: bool = True
    captions: Literal["none", "soft", "burn"] = "none"

class Controller(Protocol):
    """A script in a workspace for the app: its board and script to draw, and actions that answer in a sentence."""

    mode: str  # "open" renders here; "watch" follows a render elsewhere
    view: Viewing  # pictures, frames, players, facts
    edits: Editing  # a scene's words through the editor, the script reloaded when it changes
    keyframes: Keyframing  # cards, pictures, clip frames, Luma pictures
    queue: Steering  # the running render as a queue: at once, pause, drain, first
    team: Team  # the render boxes sharing a firestore: script, from their claims

    @property
    def board(self) -> Board: ...

    @property
    def loaded(self) -> LoadedScript: ...

    @property
    def workspace(self) -> Workspace: ...

    @property
    def script_id(self) -> str: ...

    @property
    def paid(self) -> bool: ...

    @property
    def running(self) -> bool: ...

    @property
    def running_here(self) -> bool: ...

    def subscribe(self, listener: Listener) -> None: ...

    def clip_path(self, index: int | None) -> Path | None: ...

    def missing_keyframes(self) -> dict[int, list[str]]: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def abandon(self) -> None: ...

    def estimate(self, indices: list[int] | None, *, force: bool = False) -> SpendEstimate: ...

    async def cost_text(self, estimate: SpendEstimate) -> str: ...

    async def request_text(self, index: int) -> str: ...

    def in_doubt(self, indices: list[int] | None) -> list[int]: ...

    async def generate(self, indices: list[int] | None, *, force: bool = False, resubmit: bool = False) -> str: ...

    async def render_in_background(self, indices: list[int] | None, *, force: bool = False,
                                   resubmit: bool = False) -> str: ...

    async def cancel(self, index: int | None = None, *, delete_remote: bool = False) -> str: ...

    async def delete_clip(self, index: int) -> str: ...

    def takes(self, index: int) -> list[TakeRow]: ...

    async def choose_take(self, index: int, number: int) -> str: ...

    def takes_estimate(self, count: int) -> SpendEstimate: ...

    async def make_takes(self, index: int, count: int) -> str: ...

    async def approve(self, index: int) -> str: ...

    async def keep_clip(self, index: int, dest: Path | None) -> str: ...

    async def assemble(self, transition: str = "cut", music: str | None = None, quality: str | None = None,
                       music_volume: float = -6.0, *, sound: FilmSound | None = None) -> str: ...

    async def export_final(self, dest: Path | None) -> str: ...

    async def stats_text(self, width: int) -> str: ...
