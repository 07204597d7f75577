"""`t` in the app: a scene's takes with what made each, and choosing one makes it the scene's clip."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scenetui.tui.screens.dialogs import ChoiceScreen
from tests.conftest import run_cli
from tests.tui.helpers import make_app, screen_text, screen_words, wait_for
from tests.tui.test_app import rendered


async def test_t_lists_the_takes_and_enter_chooses_one(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 2)
    again = run_cli("render", str(script), "--workspace", str(ws), "--scenes", "0", "--force")
    assert again.returncode == 0, again.stderr
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    first = ws / "videos" / "scripts" / "test" / "takes" / "0" / "1.mp4"
    assert not os.path.samefile(clip, first)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "2/2 done" in screen_text(app), what="the board")
        await pilot.press("t")  # on scene 0, selected when the app opens
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the takes")
        words = screen_words(app)
        assert "Scene 0: 2 take(s)" in words and "take 2" in words and "the scene's clip" in words
        assert [key for key, _ in app.screen.options] == ["1", "2"] and "the scene's clip" in app.screen.options[1][1]
        await pilot.press("1")
        doc = ws / "scripts" / "test.json"
        await wait_for(pilot, lambda: json.loads(doc.read_text())["scenes"]["0"].get("take") == 1, what="take 1 chosen")
        assert os.path.samefile(clip, first)
        await wait_for(pilot, lambda: app.controller.board.scenes[0].status == "done", what="the scene done")
        assert [t.chosen for t in app.controller.takes(0)] == [True, False]
        await pilot.press("t")  # escape keeps the clip as it is
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the takes again")
        await pilot.press("escape")
        await pilot.pause(0.3)
        assert json.loads(doc.read_text())["scenes"]["0"]["take"] == 1
