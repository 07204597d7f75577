"""`T` makes more takes of the selected scene (asked how many, each count with its cost) beside its clip; `a`
approves the scene's draft for `render --final`."""

from __future__ import annotations

import json
import os
from pathlib import Path

from scenetui.tui.screens.dialogs import ChoiceScreen
from tests.conftest import run_cli
from tests.tui.helpers import make_app, screen_words, wait_for
from tests.tui.test_app import rendered


async def test_T_asks_how_many_and_makes_them_beside_the_clip(tmp_path: Path) -> None:  # noqa: N802
    script, ws = rendered(tmp_path, 2)
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    before = os.stat(clip).st_ino
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.board.scenes[1].status == "done", what="the board")
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the question")
        words = screen_words(app)
        assert "how many more takes" in words and "free" in words
        assert [key for key, _ in app.screen.options] == ["1", "2", "3", "4", "5"]
        await pilot.press("2")
        await wait_for(pilot, lambda: len(app.controller.takes(0)) == 3, timeout=120, what="two more takes")
        await wait_for(pilot, lambda: not app.controller.running, timeout=60, what="the render to end")
        assert [(t.number, t.chosen) for t in app.controller.takes(0)] == [(1, True), (2, False), (3, False)]
        assert os.stat(clip).st_ino == before  # the scene's clip is the one it had
        from scenetui.tui.widgets.scene_tree import SceneTree

        board = app.controller.board.scenes[0]
        assert (board.take, board.takes) == (1, 3)
        assert "take 1 of 3" in str(app.screen.query_one(SceneTree)._video_label(0))
        await pilot.press("a")  # no draft: nothing approved, and said so
        await pilot.pause(0.5)
        doc = json.loads((ws / "scripts" / "test.json").read_text())
        assert not any(r.get("approved") for r in doc["scenes"]["0"]["takes"])


async def test_a_approves_the_scenes_draft(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    r = run_cli("render", str(script), "--workspace", str(ws), "--draft", "--force")
    assert r.returncode == 0, r.stderr
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.board.scenes[0].status == "done", what="the board")
        await pilot.press("a")
        doc = ws / "scripts" / "test.json"
        await wait_for(pilot, lambda: any(t.get("approved") for t in json.loads(doc.read_text())["scenes"]["0"]["takes"]),
                       what="the draft approved")
        assert [(t.number, t.approved, t.draft) for t in app.controller.takes(0)] == [(1, False, False), (2, True, True)]


async def test_the_preview_plays_any_take_and_flips_ab_at_the_same_moment(tmp_path: Path) -> None:
    from tests.tui.test_playback import open_preview

    script, ws = rendered(tmp_path, 1)
    r = run_cli("render", str(script), "--workspace", str(ws), "--takes", "1")
    assert r.returncode == 0, r.stderr
    takes = ws / "videos" / "scripts" / "test" / "takes" / "0"
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: app.controller.board.scenes[0].status == "done", what="the board")
        preview = await open_preview(app, pilot)
        assert preview._current() == 0 and "1 of 2" in screen_words(app)
        await pilot.press("right")  # a moment that is not the middle: the other take must open there too
        await wait_for(pilot, lambda: abs(preview.clock.now() - (preview.clock.player.duration / 2 + 1)) < 0.05,
                       what="+1 s")
        moment = preview.clock.now()
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: preview.clock is not None and preview.clock.shown is not None
                       and preview.clip == takes / "2.mp4", what="take 2 playing")
        assert abs(preview.clock.now() - moment) < 0.05 and "2 of 2" in screen_words(app)
        await pilot.press("d")  # not the scene's clip: nothing deleted, and said why
        await pilot.pause(0.3)
        assert (ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4").is_file() and "enter chooses it" in screen_words(app)
        await pilot.press("x")  # A/B: back to take 1, at the same moment
        await wait_for(pilot, lambda: preview.clock is not None and preview.clock.shown is not None
                       and preview._current() == 0, what="take 1 again")
        assert abs(preview.clock.now() - moment) < 0.05
        await pilot.press("x", "enter")  # B again, and choose it
        doc = ws / "scripts" / "test.json"
        await wait_for(pilot, lambda: json.loads(doc.read_text())["scenes"]["0"].get("take") == 2, what="take 2 chosen")
        assert app.controller.board.scenes[0].take == 2
        assert os.path.samefile(ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4", takes / "2.mp4")
