"""`E` edits a scene in $EDITOR (here a script that edits the draft, as a person would): saved into the script file
with its format and unknown fields kept, the clip marked stale, a regenerate offered with its cost; a failing
editor or an invalid draft saves nothing. Changes made to the file outside the app are picked up live."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from textual.drivers.headless_driver import HeadlessDriver

from scenetui.script.edit import set_scene_fields
from scenetui.tui.screens.dialogs import ConfirmScreen
from scenetui.tui.screens.main import MainScreen
from tests.tui.helpers import make_app, notices, screen_text, screen_words, wait_for
from tests.tui.test_app import rendered

EDITOR = '''
import os, re, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
action = os.environ["EDIT_ACTION"]
if action == "fail":
    sys.exit(3)
if action == "garbage":
    text = "visualDescription = [unclosed\\n"
elif action == "unknown-field":
    text += "\\nvideoUrl = \\"https://elsewhere\\"\\n"
elif action == "bad-utf8":
    open(path, "wb").write(text.replace('visualDescription = "', 'visualDescription = "caf\\xe9 ').encode("latin-1"))
    sys.exit(0)
elif action.startswith("break-script:"):  # another editor or a sync tool spoils the script file meanwhile
    open(os.environ["EDIT_SCRIPT"], "w").write(action.split(":", 1)[1])
    text = re.sub(r'visualDescription = .*', 'visualDescription = "my new words"', text)
else:
    text = re.sub(r'visualDescription = .*', 'visualDescription = "' + action + '"', text)
open(path, "w", encoding="utf-8").write(text)
'''


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    """EDITOR is a script; the headless driver suspends like a terminal does (the real path in tmux is tested too)."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setattr(HeadlessDriver, "can_suspend", property(lambda self: True))

    def act(action: str) -> None:
        monkeypatch.setenv("EDIT_ACTION", action)

    return act


def with_unknown_field(script: Path) -> None:
    doc = json.loads(script.read_text())
    doc["appVersion"] = "ios-4.2"
    doc["scenes"][0]["mood"] = "quiet"
    script.write_text(json.dumps(doc, indent=4) + "\n")


async def test_edit_saves_marks_stale_and_offers_to_regenerate(tmp_path: Path, editor) -> None:  # noqa: ANN001
    script, ws = rendered(tmp_path, 2)
    with_unknown_field(script)
    editor("a lighthouse in a storm, waves breaking over the rocks")
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the regenerate question")
        words = screen_words(app)
        assert "Scene 0 saved. Regenerate it with the new prompt?" in words and "waves breaking" in words
        assert "(free)" in words or "animatic" in words  # the cost is stated
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="the main screen")
        await pilot.pause(0.3)
        assert app.controller.board.scenes[0].stale and not app.controller.board.scenes[1].stale
        assert "stale" in screen_text(app)
        doc = json.loads(script.read_text())
        assert doc["scenes"][0]["visualDescription"] == "a lighthouse in a storm, waves breaking over the rocks"
        assert doc["appVersion"] == "ios-4.2" and doc["scenes"][0]["mood"] == "quiet"
        assert script.read_text().startswith('{\n    "')  # its indentation kept
        clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
        assert clip.is_file()  # the clip stays until regenerated
        # regenerating clears it
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the regenerate question")
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.controller.board.scenes[0].stale
                       and app.controller.board.scenes[0].status == "done" and not app.controller.running,
                       timeout=90, what="the new clip")


@pytest.mark.parametrize("action", ["fail", "garbage", "unknown-field"])
async def test_a_failed_edit_saves_nothing(tmp_path: Path, editor, action: str) -> None:  # noqa: ANN001
    script, ws = rendered(tmp_path, 1)
    before = script.read_bytes()
    editor(action)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        if action == "fail":
            await wait_for(pilot, lambda: "nothing saved" in notices(app), timeout=10, what="the notice")
            assert "exited with 3" in notices(app)
        else:
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the problems")
            words = screen_words(app)
            assert "was not saved" in words and "The script is unchanged" in words
            assert ("not valid TOML" in words) if action == "garbage" else ("not an editable field" in words)
            await pilot.press("n")
            await wait_for(pilot, lambda: "edit discarded" in notices(app), what="the discard")
    assert script.read_bytes() == before


async def test_an_invalid_value_is_explained_and_the_text_kept_for_the_next_try(tmp_path: Path, editor) -> None:  # noqa: ANN001
    script, ws = rendered(tmp_path, 1)
    before = script.read_bytes()
    editor("x" * 10)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        # an edit that breaks a rule of the script (here: characters must be a list) is refused with its place
        app.controller.edits.drafts[0] = 'characters = "Mara"\n'
        editor("keep")  # the editor leaves the draft as it was given
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the problems")
        assert "characters" in screen_words(app) and "list of names" in screen_words(app)
        await pilot.press("y")  # edit again: the same text comes back
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the problems again")
        await pilot.press("n")
    assert script.read_bytes() == before


async def test_changes_made_outside_the_app_are_picked_up_live(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 3)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        set_scene_fields(script, {1: {"visualDescription": "the keeper climbs the stairs at dawn"}})
        await wait_for(pilot, lambda: app.controller.board.scenes[1].stale, timeout=10, what="scene 1 stale")
        assert not app.controller.board.scenes[0].stale and not app.controller.board.scenes[2].stale
        assert "scene(s) 1 now stale" in notices(app)
        assert app.controller.loaded.script.scenes[1].visual_description == "the keeper climbs the stairs at dawn"
        # a broken save elsewhere is reported once; the loaded script stays
        good = app.controller.loaded
        script.write_text("{ not json")
        await wait_for(pilot, lambda: "not valid now" in notices(app), timeout=10, what="the report")
        assert app.controller.loaded is good


async def test_a_keyframe_replaced_under_the_same_name_makes_its_scenes_stale(tmp_path: Path) -> None:
    """The script file unchanged, one picture overwritten in place: the scenes using it are stale, the others not,
    and the details pane shows the new picture."""
    from scenetui.script.fingerprints import keyframe_files
    from tests.conftest import draw_keyframe

    script, ws = rendered(tmp_path, 3)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        loaded = app.controller.loaded
        assert all(s.inputs and "." in s.inputs for s in app.controller.board.scenes)  # pictures recorded with clips
        target = keyframe_files(loaded, loaded.script.scenes[1])[0]
        users = {i for i, sc in enumerate(loaded.script.scenes) if target in keyframe_files(loaded, sc)}
        before = script.read_bytes()
        await pilot.press("down", "down")  # scene 1 selected, its pictures drawn
        await wait_for(pilot, lambda: "start keyframe" in screen_text(app), what="the pictures")
        old_picture = await app.controller.view.keyframe_picture(1, "start", 20, 6)
        draw_keyframe(target, (10, 200, 230))
        await wait_for(pilot, lambda: all(app.controller.board.scenes[i].stale for i in users), timeout=10,
                       what="the scenes using the picture stale")
        assert not any(s.stale for s in app.controller.board.scenes if s.index not in users)
        assert "a keyframe file changed" in notices(app) and script.read_bytes() == before
        assert str(await app.controller.view.keyframe_picture(1, "start", 20, 6)) == str(old_picture)  # same cells text…
        new_picture = await app.controller.view.keyframe_picture(1, "start", 20, 6)
        assert new_picture.spans != old_picture.spans  # …but the new colours


@pytest.mark.parametrize("spoiled", ['{"id": "test", "scen', '{"id": "test", "title": "T"}', '{"scenes": []}'])
async def test_saving_into_a_script_spoiled_meanwhile_keeps_the_draft(tmp_path: Path, editor,  # noqa: ANN001
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      spoiled: str) -> None:
    script, ws = rendered(tmp_path, 1)
    monkeypatch.setenv("EDIT_SCRIPT", str(script))
    editor("break-script:" + spoiled)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await wait_for(pilot, lambda: 0 in app.controller.edits.drafts, timeout=15, what="the kept draft")
        assert "my new words" in app.controller.edits.drafts[0]
        assert "not saved" in notices(app) and "kept as a draft" in notices(app)
        assert isinstance(app.screen, MainScreen) and app.is_running  # the app (and a render in it) goes on
    assert script.read_text() == spoiled  # the other editor's file is left as it is


async def test_a_draft_that_is_not_utf8_is_not_saved_as_replacement_characters(tmp_path: Path, editor) -> None:  # noqa: ANN001
    script, ws = rendered(tmp_path, 1)
    before = script.read_bytes()
    editor("bad-utf8")
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        await pilot.press("E")
        await wait_for(pilot, lambda: 0 in app.controller.edits.drafts, timeout=15, what="the kept draft")
        assert "not UTF-8" in notices(app)
    assert script.read_bytes() == before
