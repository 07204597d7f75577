"""`K`: set or replace one of a scene's keyframes — a picture file, the neighbouring clip's edge frame, or a card."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from scenetui.errors import UserError
from scenetui.tui.screens.dialogs import PathPrompt

if TYPE_CHECKING:
    from scenetui.control.local import LocalController


class KeyframeChoice(ModalScreen[tuple[str, str] | None]):
    """Which keyframe, from what: one list, arrows and enter (or the number)."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel"),
                *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10))]

    def __init__(self, index: int, choices: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.index, self.choices = index, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(f"Scene {self.index}: set a keyframe"), classes="dialog-title")
            yield OptionList(*(Option(Text(f"{n}  {label}"), id=f"{which}:{source}")
                               for n, (which, source, label) in enumerate(self.choices, start=1)), id="keyframe-choices")
            yield Static("enter or a number chooses · escape cancels · a finished scene's clip is kept, marked stale",
                         classes="dialog-detail")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        which, source = str(event.option.id).split(":")
        self.dismiss((which, source))

    def action_pick(self, n: int) -> None:
        if 0 <= n < len(self.choices):
            which, source, _ = self.choices[n]
            self.dismiss((which, source))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


async def choose_and_set_keyframe(screen: Screen[None], controller: LocalController, index: int) -> bool:
    """Ask which keyframe and from what, then set it; True when the script changed."""
    choice = await screen.app.push_screen_wait(KeyframeChoice(index, controller.keyframe_choices(index)))
    if choice is None:
        return False
    which, source = choice
    picture: Path | None = None
    if source == "file":
        typed = await screen.app.push_screen_wait(PathPrompt(f"Scene {index}'s new {which} keyframe (a picture file):"))
        if not typed:
            screen.notify("no picture named; nothing changed")
            return False
        picture = Path(typed)
    try:
        screen.notify(await controller.set_keyframe(index, which, source, picture), timeout=8)
    except UserError as exc:
        screen.notify(f"nothing changed: {exc.line()}", severity="error", timeout=10)
        return False
    return True
