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
        "enter or a number chooses · escape keeps the clip as it is · T makes more takes, a approves a draft"))
    if picked is None or next(t for t in rows if str(t.number) == picked).chosen:
        return False
    try:
        screen.notify(await controller.choose_take(index, int(picked)), timeout=8)
    except UserError as exc:
        screen.notify(f"nothing changed: {exc.line()}", severity="error", timeout=10)
        return False
    return True


TAKE_COUNTS = (1, 2, 3, 4, 5)


async def ask_more_takes(screen: Screen[None], controller: Controller, index: int) -> None:
    """`T`: how many more takes of the scene, each with what it costs; they are made beside its clip."""
    from scenetui.domain.units import usd

    def price(n: int) -> str:
        est = controller.takes_estimate(n)
        return usd(est.cents) if est.paid else "free"

    options = [(str(n), f"{n} more take{'s' if n > 1 else ''} — {price(n)}") for n in TAKE_COUNTS]
    picked = await screen.app.push_screen_wait(ChoiceScreen(
        f"Scene {index}: how many more takes?", options,
        "each is a new generation, paid once and kept; the scene's clip stays as it is until you choose (t)"))
    if picked is None:
        screen.notify("no takes were made")
        return
    try:
        screen.notify(await controller.make_takes(index, int(picked)), timeout=8)
    except UserError as exc:
        screen.notify(exc.line(), severity="error", timeout=10)


async def approve_draft(screen: Screen[None], controller: Controller, index: int) -> None:
    """`a`: approve the scene's draft for the final pass."""
    try:
        screen.notify(await controller.approve(index), timeout=8)
    except UserError as exc:
        screen.notify(f"nothing approved: {exc.line()}", severity="error", timeout=10)
