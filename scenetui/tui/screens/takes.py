"""`t`: a scene's takes — every clip it ever got, with what made it and what it cost; choosing one makes it the
scene's clip (nothing is generated, nothing deleted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from scenetui.errors import UserError
from scenetui.tui.screens.dialogs import ChoiceScreen

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller


async def choose_take(screen: Screen[None], controller: Controller, index: int) -> bool:
    """List the scene's takes and make the chosen one its clip; True when the clip changed."""
    rows = controller.takes(index)
    if not rows:
        screen.notify(f"scene {index} has no takes yet — generate it first", severity="warning")
        return False
    picked = await screen.app.push_screen_wait(ChoiceScreen(
        f"Scene {index}: {len(rows)} take(s) — choose its clip", [(str(t.number), t.label()) for t in rows],
        "enter or a number chooses · escape keeps the clip as it is · scenetui takes deletes or prunes"))
    if picked is None or next(t for t in rows if str(t.number) == picked).chosen:
        return False
    try:
        screen.notify(await controller.choose_take(index, int(picked)), timeout=8)
    except UserError as exc:
        screen.notify(f"nothing changed: {exc.line()}", severity="error", timeout=10)
        return False
    return True
