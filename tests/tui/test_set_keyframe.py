"""`K` sets a keyframe from the app: a picture file (checked like validate), the neighbouring clip's edge frame (the
continuity trick), or a storyboard card. A finished scene's clip is kept and marked stale; bad input changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from textual.widgets import Input

from scenetui.tui.screens.dialogs import ChoiceScreen, PathPrompt
from tests.tui.helpers import make_app, notices, wait_for
from tests.tui.test_app import rendered


async def choose(pilot, app, label_part: str) -> None:  # noqa: ANN001
    await pilot.press("K")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the keyframe choices")
    n = next(i for i, (_, label) in enumerate(app.screen.options, start=1) if label_part in label)
    await pilot.press(str(n))


async def test_a_picture_file_and_the_previous_clips_last_frame(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 2)
    picture = tmp_path / "new-start.png"
    Image.new("RGB", (640, 360), (10, 200, 30)).save(picture)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await choose(pilot, app, "start keyframe ← a picture file")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), what="the path prompt")
        app.screen.query_one(Input).value = str(picture)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "keyframe is now" in notices(app), what="the change")
        ref = json.loads(script.read_text())["scenes"][0]["startKeyframe"]
        assert ref.startswith("keyframes/000-start-") and (script.parent / ref).read_bytes() == picture.read_bytes()
        assert app.controller.board.scenes[0].stale and "stale" in notices(app)
        # scene 1 starts where scene 0's clip ends
        app.screen.query_one("SceneTree").select_scene(1)
        await pilot.pause(0.2)
        await choose(pilot, app, "last frame of scene 0's clip")
        await wait_for(pilot, lambda: "scene 1's start keyframe is now" in notices(app), what="the frame")
        ref1 = json.loads(script.read_text())["scenes"][1]["startKeyframe"]
        with Image.open(script.parent / ref1) as still:
            assert still.size == (1280, 720)
        assert app.controller.board.scenes[1].stale


async def test_a_file_that_is_not_a_picture_changes_nothing(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    before = script.read_bytes()
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture")
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await choose(pilot, app, "end keyframe ← a picture file")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), what="the path prompt")
        app.screen.query_one(Input).value = str(fake)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "nothing changed" in notices(app), what="the refusal")
        assert "not an image" in notices(app)
        assert not app.controller.board.scenes[0].stale
    assert script.read_bytes() == before and not (script.parent / "keyframes").exists()


async def test_a_storyboard_card_for_one_end(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    end_before = json.loads(script.read_text())["scenes"][0]["endKeyframe"]
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await choose(pilot, app, "start keyframe ← a storyboard card")
        await wait_for(pilot, lambda: "keyframe is now" in notices(app), what="the card")
    scene = json.loads(script.read_text())["scenes"][0]
    assert scene["startKeyframe"].startswith("keyframes/000-start") and scene["endKeyframe"] == end_before
