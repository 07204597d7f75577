"""Keyframes from the app: `k` makes the ones scenes lack (cards, or Luma pictures on a paid backend, cost stated),
`K` sets or replaces one — a picture file, the neighbouring clip's edge frame, a card, or Luma."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.screen import Screen

from scenetui.errors import UserError
from scenetui.tui.screens.dialogs import ChoiceScreen, ConfirmScreen, PathPrompt

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller


async def _luma(screen: Screen[None], controller: Controller, jobs: list[tuple[int, str]], *, new: bool) -> bool:
    """Estimate, ask, then make the pictures (progress shows on the scenes' rows); True when something was made."""
    try:
        session, plan = await controller.keyframes.picture_plan(jobs, new=new)
    except UserError as exc:
        screen.notify(f"nothing was spent: {exc.line()}", severity="error", timeout=10)
        return False
    if plan.to_pay:
        again = "".join(f"Scene {j.index}'s {j.which} keyframe may already have been accepted by Luma (the answer was "
                        "lost; check your Luma usage page): going ahead pays for it again. " for j in plan.resubmitting)
        if not await screen.app.push_screen_wait(ConfirmScreen(
                f"Make {len(plan.to_pay)} keyframe(s) with {controller.keyframes.picture_maker}?",
                f"{again}{plan.estimate().sentence()} Each picture is paid once, even if this is interrupted.",
                yes="Make them")):
            await session.aclose()
            screen.notify("nothing was spent")
            return False
    try:
        screen.notify(await controller.keyframes.make_pictures(session, plan, force=new), timeout=8)
    except UserError as exc:
        screen.notify(exc.line(), severity="error", timeout=10)
    return True


async def make_missing_keyframes(screen: Screen[None], controller: Controller, targets: list[int] | None) -> bool:
    """`k`: cards for free, or Luma pictures when the backend is paid (asked which); True when the script changed."""
    missing = controller.missing_keyframes()
    chosen = [i for i in (targets if targets is not None else sorted(missing)) if i in missing]
    if not chosen:
        screen.notify("every chosen scene already has both keyframes — K replaces one")
        return False
    if controller.paid:
        jobs = [(i, w.split()[0]) for i in chosen for w in missing[i]]
        how = await screen.app.push_screen_wait(ChoiceScreen(
            f"{len(jobs)} keyframe(s) missing in {len(chosen)} scene(s): make them with",
            [("luma", f"{controller.keyframes.picture_maker} (paid; asks with the cost first; keeps each character's look)"),
             ("sketch", "storyboard cards (offline, free; enough for the animatic)")]))
        if how is None:
            return False
        if how == "luma":
            return await _luma(screen, controller, jobs, new=False)
    try:
        screen.notify(await controller.keyframes.draw_keyframes(chosen))
    except UserError as exc:
        screen.notify(exc.line(), severity="error", timeout=8)
        return False
    return True


async def choose_and_set_keyframe(screen: Screen[None], controller: Controller, index: int) -> bool:
    """`K`: which keyframe, from what; then set it. True when the script changed."""
    choices = controller.keyframes.keyframe_choices(index)
    picked = await screen.app.push_screen_wait(ChoiceScreen(
        f"Scene {index}: set a keyframe", [(f"{which}:{source}", label) for which, source, label in choices],
        "enter or a number chooses · escape cancels · a finished scene's clip is kept, marked stale"))
    if picked is None:
        return False
    which, source = picked.split(":")
    if source == "luma":
        return await _luma(screen, controller, [(index, which)], new=True)
    picture: Path | None = None
    if source == "file":
        typed = await screen.app.push_screen_wait(PathPrompt(f"Scene {index}'s new {which} keyframe (a picture file):"))
        if not typed:
            screen.notify("no picture named; nothing changed")
            return False
        picture = Path(typed)
    try:
        screen.notify(await controller.keyframes.set_keyframe(index, which, source, picture), timeout=8)
    except UserError as exc:
        screen.notify(f"nothing changed: {exc.line()}", severity="error", timeout=10)
        return False
    return True
