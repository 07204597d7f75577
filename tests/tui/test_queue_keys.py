"""The app's queue keys on a running render: `+` sends the selected scene to the front, `>`/`<` change how many
run at once, `P` pauses and resumes, `D` drains (what is in flight finishes, nothing new starts)."""

from __future__ import annotations

from pathlib import Path

from scenetui.engine.journal import Journal
from tests.conftest import write_script
from tests.tui.helpers import make_app, wait_for
from scenetui.tui.widgets.scene_tree import SceneTree


def _started(ws: Path) -> list[int]:
    journal = Journal(ws / ".scenetui" / "journal.db")
    try:
        return [a.scene_index for a in journal.attempts("test")]
    finally:
        journal.close()


async def test_first_more_pause_and_drain_steer_the_running_render(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 6), tmp_path / "ws"
    app = make_app(script, ws, concurrency=1)
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        await pilot.press("g")
        await wait_for(pilot, lambda: board.scenes[0].status == "active", what="scene 0 to start")
        app.screen.query_one(SceneTree).select_scene(5)
        await pilot.press("plus")  # scene 5 goes next
        await wait_for(pilot, lambda: board.scenes[5].status in ("active", "done"), timeout=60, what="scene 5 next")
        await pilot.press("greater_than_sign", "less_than_sign")
        assert app.controller.queue.at_once == 1
        await pilot.press("D")
        await wait_for(pilot, lambda: not app.controller.running, timeout=60, what="the render to end")
    started = _started(ws)
    assert 5 in started and started.index(5) < 3, started  # ahead of scenes 3 and 4
    assert len(set(started)) < 6, started  # drained: the rest were never started
