"""The command palette finds every action by the words people use, shows its key, and runs it."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.tui.commands import ACTIONS, best_score
from scenetui.tui.screens.dialogs import ConfirmScreen
from scenetui.tui.screens.preview import PreviewScreen
from tests.conftest import run_cli, write_script
from tests.tui.helpers import make_app, screen_text, wait_for

PHRASES = {
    "generate all": "generate_all", "render everything": "generate_all", "create videos": "generate_all",
    "retry": "retry_failed", "redo": "regenerate", "delete clip": "delete_selected", "play": "preview",
    "export film": "export", "open folder": "open_folder", "reword": "edit_scene", "change prompt": "edit_scene",
    "replace keyframe": "set_keyframe", "use last frame": "set_keyframe",
    "drain": "drain", "pause": "pause_queue", "more at once": "at_once(1)", "fewer at once": "at_once(-1)",
    "first": "first", "priority": "first",
}


@pytest.mark.parametrize("phrase", sorted(PHRASES))
def test_each_phrase_finds_its_action_first(phrase: str) -> None:
    from textual.fuzzy import Matcher

    matcher = Matcher(phrase)
    ranked = sorted(ACTIONS, key=lambda a: -best_score(matcher, a)[0])
    assert ranked[0].action == PHRASES[phrase] and best_score(matcher, ranked[0])[0] > 0


async def test_the_palette_shows_keys_and_runs_delete(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "2/2 done" in screen_text(app), what="the board")
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"generate all")
        await pilot.pause(0.4)
        text = screen_text(app)
        assert "Create video from keyframes" in text and "key: g" in text
        await pilot.press("escape")
        await pilot.pause(0.2)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"delete clip")
        await pilot.pause(0.4)
        assert "Delete the selected scene's clip" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the delete question")
        assert "Delete scene 0's clip?" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="back in the preview")
    assert (ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4").is_file()  # asked, not deleted
