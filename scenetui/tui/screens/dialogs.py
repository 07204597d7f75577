"""Small modal questions: confirm an action (saying what it costs) and ask for a path."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option


class ConfirmScreen(ModalScreen[bool]):
    """Yes or no; `y`/`enter` confirm, `n`/`escape` refuse."""

    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str, detail: str = "", yes: str = "Yes") -> None:
        super().__init__()
        self.question, self.detail, self.yes = question, detail, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.question), classes="dialog-title")
            if self.detail:
                yield Static(Text(self.detail), classes="dialog-detail")
            with Horizontal(classes="dialog-buttons"):
                yield Button(f"{self.yes} (y)", id="yes", variant="warning")
                yield Button("No (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ChoiceScreen(ModalScreen[str | None]):
    """One of a few labelled choices: arrows and enter, or its number; escape chooses nothing."""

    BINDINGS = [Binding("escape", "pick(-1)", "Cancel"), *(Binding(str(n), f"pick({n - 1})", show=False) for n in range(1, 10))]

    def __init__(self, title: str, options: list[tuple[str, str]], detail: str = "") -> None:
        super().__init__()
        self.title_text, self.options, self.detail = title, options, detail

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self.title_text), classes="dialog-title")
            yield OptionList(*(Option(Text(f"{n}  {label}"), id=key) for n, (key, label) in enumerate(self.options, 1)))
            yield Static(Text(self.detail or "enter or a number chooses · escape cancels"), classes="dialog-detail")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(str(event.option.id))

    def action_pick(self, n: int) -> None:
        if n < 0:
            self.dismiss(None)
        elif n < len(self.options):
            self.dismiss(self.options[n][0])


class PathPrompt(ModalScreen[str | None]):
    """One line of input (a path); `enter` accepts, `escape` cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, default: str = "") -> None:
        super().__init__()
        self.question, self.default = question, default

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(value=self.default, id="path")
            yield Static("enter: save · escape: cancel · leave empty to keep it where it is", classes="dialog-detail")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
