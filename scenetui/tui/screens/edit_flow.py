"""`E`: a scene's words in the person's editor, checked, saved where the script lives, and an offer to regenerate
(with its cost) when the scene already had a clip."""

from __future__ import annotations

import asyncio
import subprocess
from typing import TYPE_CHECKING

from textual.app import SuspendNotSupported
from textual.screen import Screen

from scenetui.domain.board import DONE
from scenetui.domain.text import clean
from scenetui.errors import UserError
from scenetui.tui.screens.dialogs import ConfirmScreen

if TYPE_CHECKING:
    from scenetui.control.protocol import Controller


async def _run_editor(screen: Screen[None], command: list[str]) -> int | None:
    """The editor's exit code, or None when it could not run here (said on screen)."""
    try:
        with screen.app.suspend():
            result = await asyncio.to_thread(subprocess.run, command, check=False)
    except SuspendNotSupported:
        screen.notify("no terminal here to run an editor in (browser view): edit the script file — changes are "
                      "picked up live", severity="warning", timeout=10)
        return None
    except OSError as exc:
        screen.notify(f"cannot start the editor {command[0]!r} ({exc.strerror or exc}) — set EDITOR",
                      severity="error", timeout=10)
        return None
    return result.returncode


async def edit_scene(screen: Screen[None], controller: Controller, index: int) -> bool:
    """Edit until saved, given up or unchanged; True when something was saved."""
    from scenetui.control.editing import editor_command

    while True:
        try:
            path = controller.edits.draft_file(index)
            command = editor_command(path)
        except (UserError, OSError) as exc:
            screen.notify(exc.line() if isinstance(exc, UserError) else f"cannot write the draft ({exc})",
                          severity="error", timeout=10)
            return False
        code = await _run_editor(screen, command)
        if code is None:
            return False
        if code != 0:
            screen.notify(f"the editor exited with {code}: nothing saved, the script is unchanged", severity="warning",
                          timeout=8)
            return False
        try:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                # Saved as U+FFFD it would silently change the words; kept as the draft, the person sees where.
                controller.edits.drafts[index] = raw.decode("utf-8", errors="replace")
                screen.notify(f"not saved: the editor wrote bytes that are not UTF-8 (at byte {bad.start}); your "
                              "text is kept as the next draft", severity="error", timeout=10)
                return False
            outcome = await controller.edits.save_scene_edit(index, text)
        except OSError as exc:
            screen.notify(f"not saved: cannot read the draft back ({exc.strerror or exc})", severity="error", timeout=10)
            return False
        except UserError as exc:
            screen.notify(f"not saved: {exc.line()}", severity="error", timeout=10)
            return False
        finally:
            path.unlink(missing_ok=True)
        if outcome.ok:
            break
        listing = "\n".join(clean(str(p)) for p in outcome.problems[:8])
        again = await screen.app.push_screen_wait(ConfirmScreen(
            f"Scene {index} was not saved: {len(outcome.problems)} problem(s)",
            f"{listing}\n\nThe script is unchanged. Edit again (your text is kept), or discard the edit?",
            yes="Edit again"))
        if not again:
            controller.edits.drafts.pop(index, None)
            screen.notify("edit discarded; the script is unchanged")
            return False
    if not outcome.changes:
        screen.notify(f"scene {index}: nothing changed")
        return False
    if controller.board.scenes[index].status != DONE:
        screen.notify(f"scene {index} saved — r generates it with the new prompt")
        return True
    est = controller.estimate([index], force=True)
    if await screen.app.push_screen_wait(ConfirmScreen(
            f"Scene {index} saved. Regenerate it with the new prompt?",
            f"{clean(outcome.prompt)[:400]}\n\nCost: {await controller.cost_text(est)}. "
            "The current clip stays (marked stale) until the new one is stored.", yes="Regenerate")):
        try:
            screen.notify(await controller.generate([index], force=True))
        except UserError as exc:
            screen.notify(exc.line(), severity="error", timeout=8)
    else:
        screen.notify(f"scene {index} saved; its clip is marked stale — R regenerates it")
    return True
