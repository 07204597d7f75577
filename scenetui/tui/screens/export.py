"""Assemble the final film from the scene clips: transition, music, sound, loudness, captions and quality, with
progress; the loudness reached is shown once it is made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Select, Static

from scenetui.control.protocol import FilmSound
from scenetui.domain.board import DONE
from scenetui.errors import UserError
from scenetui.tui.messages import BoardChanged

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller


TRANSITIONS = [("Cut", "cut"), ("Dissolve", "dissolve"), ("Fade to black", "fadeblack"), ("Fade to white", "fadewhite"),
               ("Wipe left", "wipeleft"), ("Slide left", "slideleft"), ("Circle open", "circleopen")]
LOUDNESS = [("-14 LUFS (streaming)", "-14"), ("-16 LUFS (podcasts, Apple)", "-16"), ("-23 LUFS (broadcast)", "-23"),
            ("Keep the levels as mixed", "off")]
CLIP_SOUND = [("Clips' own sound", "keep"), ("Clips muted", "mute")]
CAPTIONS = [("No captions", "none"), ("Subtitle track + .srt/.vtt", "soft"), ("Burned into the picture", "burn")]
QUALITIES = [("Keep the clips' quality", "keep"), ("High (CRF 18)", "high"), ("Balanced (CRF 23)", "balanced"),
             ("Small (CRF 28)", "small")]


class ExportScreen(Screen[None]):
    """Shows which clips are ready, the film's choices, assembles on `a`, and follows the assembly's progress."""

    BINDINGS = [
        Binding("a", "assemble", "Assemble"),
        Binding("ctrl+s", "assemble", "Assemble", show=False),
        Binding("v", "preview_final", "Preview film"),
        Binding("escape,q", "back", "Back"),
    ]

    def __init__(self, controller: Controller) -> None:
        super().__init__()
        self.controller = controller

    def compose(self) -> ComposeResult:
        with Vertical(id="export"):
            yield Static(id="export-summary")
            with Horizontal(classes="export-row"):
                yield Label("Transition", classes="export-label")
                yield Select(TRANSITIONS, value="cut", allow_blank=False, id="export-transition")
                yield Input("0.5", id="export-seconds", tooltip="seconds, at most 1", max_length=4)
            with Horizontal(classes="export-row"):
                yield Label("Music", classes="export-label")
                yield Input(placeholder="audio file (optional), looped or trimmed to the film", id="export-music")
                yield Label("duck dB", classes="export-small")
                yield Input("8", id="export-duck", tooltip="dB the music drops under a scene's own sound (0-12)",
                            max_length=4)
            with Horizontal(classes="export-row"):
                yield Label("Sound", classes="export-label")
                yield Select(CLIP_SOUND, value="keep", allow_blank=False, id="export-clip-sound")
                yield Select(LOUDNESS, value="-14", allow_blank=False, id="export-loudness")
            with Horizontal(classes="export-row"):
                yield Label("Captions", classes="export-label")
                yield Select(CAPTIONS, value="none", allow_blank=False, id="export-captions")
            with Horizontal(classes="export-row"):
                yield Label("Quality", classes="export-label")
                yield Select(QUALITIES, value="keep", allow_blank=False, id="export-quality")
            yield ProgressBar(total=1.0, show_eta=False, id="export-progress")
            yield Static(id="export-status")
        yield Footer()

    def on_mount(self) -> None:
        self.flush(set())

    def on_board_changed(self, message: BoardChanged) -> None:
        self.flush(message.changed)

    def flush(self, changed: set[int]) -> None:
        board = self.controller.board
        ready = [s.index for s in board.scenes if s.status == DONE]
        missing = [s.index for s in board.scenes if s.status != DONE]
        lines = [f"Final film of {self.controller.loaded.script.title or self.controller.script_id}: "
                 f"{len(ready)} of {len(board.scenes)} clips ready."]
        if missing:
            shown = ", ".join(map(str, missing[:12])) + (" …" if len(missing) > 12 else "")
            lines.append(f"Not ready: scene(s) {shown} — generate them first.")
        else:
            lines.append("Every clip is ready: choose below, then a (or Enter in a field) to assemble.")
        self.query_one("#export-summary", Static).update("\n".join(lines))
        self.query_one("#export-progress", ProgressBar).update(progress=board.assembly_fraction)
        sound = f" · {board.final_sound}" if board.final_sound else ""
        status = {"joining": f"assembling… {board.assembly_fraction:.0%}", "done": f"assembled: {board.final}{sound}"}
        self.query_one("#export-status", Static).update(status.get(board.assembly, board.assembly)
                                                         or (f"last film: {board.final}" if board.final else ""))

    async def action_assemble(self) -> None:
        if any(s.status != DONE for s in self.controller.board.scenes):
            self.notify("some scenes have no clip yet", severity="warning")
            return
        name = str(self.query_one("#export-transition", Select).value)
        seconds = self.query_one("#export-seconds", Input).value.strip() or "0.5"
        music = self.query_one("#export-music", Input).value.strip() or None
        quality = str(self.query_one("#export-quality", Select).value)
        try:
            self.notify(await self.controller.assemble(name if name == "cut" else f"{name}:{seconds}", music,
                                                       None if quality == "keep" else quality, sound=self._sound()))
        except UserError as exc:
            self.notify(exc.line(), severity="error")

    def _sound(self) -> FilmSound:
        """The sound and caption choices; a duck that is not a number is one line, nothing assembled."""
        duck_text = self.query_one("#export-duck", Input).value.strip() or "8"
        try:
            duck = float(duck_text)
        except ValueError:
            raise UserError(f"duck {duck_text!r} is not a number", hint="give the dB the music drops, 0 to 12") from None
        loudness = str(self.query_one("#export-loudness", Select).value)
        captions = str(self.query_one("#export-captions", Select).value)
        return FilmSound(duck=duck, loudness=None if loudness == "off" else float(loudness),
                         clip_sound=self.query_one("#export-clip-sound", Select).value == "keep",
                         captions="burn" if captions == "burn" else "soft" if captions == "soft" else "none")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self.action_assemble()

    def action_preview_final(self) -> None:
        from scenetui.tui.screens.preview import preview_film

        preview_film(self, self.controller, "press a")

    def action_back(self) -> None:
        self.dismiss(None)
