"""What keeps keys quick with hundreds of scenes: the details follow the cursor in the same frame, moving between
scenes lays nothing out when their words are as tall, a board change redraws only the rows whose words changed, and
the app's garbage collection is set for a steady run. Figures: tests/benchmarks/bench_tui.py."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual.screen import Screen

from scenetui.domain.events import SceneProgress, SceneStage
from scenetui.tui.app import YOUNG_GC_THRESHOLD
from scenetui.tui.widgets.details import SceneDetails
from scenetui.tui.widgets.scene_tree import SceneTree
from tests.conftest import write_script
from tests.tui.helpers import make_app, screen_text, wait_for


async def test_the_details_follow_the_cursor_before_the_next_frame(tmp_path: Path) -> None:
    app = make_app(write_script(tmp_path / "s", 8), tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tree, details = app.screen.query_one(SceneTree), app.screen.query_one(SceneDetails)
        await wait_for(pilot, lambda: tree.current_index == 0 and details.index == 0, what="the first scene")
        tree.action_cursor_down()  # a scene's own rows (keyframes, video) are collapsed: the next scene
        # No await: a NodeHighlighted message would only be handled after the frame drawing the cursor.
        assert details.index == tree.current_index == 1
        tree.select_scene(5)
        assert details.index == 5
        await pilot.pause(0.2)
        assert "things happen 5" in screen_text(app)


async def test_moving_between_scenes_as_tall_lays_nothing_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    layouts: list[Screen] = []
    original = Screen._refresh_layout

    def counted(self: Screen, *args: object, **kwargs: object) -> None:
        layouts.append(self)
        original(self, *args, **kwargs)  # type: ignore[arg-type]

    overrides = {7: {"visualDescription": "a view that goes on " * 30}}  # many lines in the details pane
    app = make_app(write_script(tmp_path / "s", 8, scene_overrides=overrides), tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SceneTree)
        await wait_for(pilot, lambda: app.screen.query_one(SceneDetails).pictures_of == 0, what="the first scene")
        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        monkeypatch.setattr("scenetui.tui.widgets.details.PICTURE_DELAY", 30.0)  # pictures lay out once at rest
        for _ in range(5):
            await pilot.press("down")
        await pilot.pause(0.1)
        assert tree.current_index == 5
        assert layouts == []  # scenes 0–5 have words of one height
        tree.select_scene(7)
        await wait_for(pilot, lambda: bool(layouts), what="a layout for the taller words")
        details_text = app.screen.query_one("#details-text")
        assert details_text.size.height > 12  # laid out for them: none of the long description is cut off


async def test_a_board_change_redraws_only_the_rows_whose_words_changed(tmp_path: Path) -> None:
    app = make_app(write_script(tmp_path / "s", 8), tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SceneTree)
        app.controller.emit(SceneStage(3, "dreaming", "Luma is generating"))
        await wait_for(pilot, lambda: "dreaming" in str(tree._scene_nodes[3].label), what="scene 3's row")
        row, video = tree._scene_nodes[3], tree._video_nodes[3]
        updates = (row._updates, video._updates, tree._scene_nodes[2]._updates)
        tree.refresh_scenes([2, 3])  # nothing changed since: no row is drawn again
        assert (row._updates, video._updates, tree._scene_nodes[2]._updates) == updates
        app.controller.emit(SceneProgress(3, 0.5))
        await wait_for(pilot, lambda: row._updates > updates[0], what="scene 3's row redrawn")
        assert video._updates == updates[1]  # its video row says the same: left alone
        assert tree._scene_nodes[2]._updates == updates[2]


@pytest.mark.parametrize("steady", [True, None])
async def test_garbage_collection_is_set_for_a_steady_run_only_in_the_app(tmp_path: Path, steady: bool | None) -> None:
    before = gc.get_threshold()
    app = make_app(write_script(tmp_path / "s", 2), tmp_path / "ws")
    app.steady_gc = steady  # None: decided by the terminal, and a test's app is headless
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.2)
            if steady:
                assert gc.get_threshold()[0] == YOUNG_GC_THRESHOLD and gc.get_freeze_count() > 0
            else:
                assert gc.get_threshold() == before
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
