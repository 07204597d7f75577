"""In the app: `g` refused for missing keyframes offers `k`; `k` draws them, the script and the screen follow."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import write_script
from tests.tui.helpers import make_app, screen_text, wait_for


async def test_k_draws_the_missing_keyframes_and_g_then_renders(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3, scene_overrides={1: {"endKeyframe": None}, 2: {"startKeyframe": None}})
    ws = tmp_path / "ws"
    app = make_app(script, ws, concurrency=2)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "0/3 done" in screen_text(app), what="the board")
        await pilot.press("g")
        await wait_for(pilot, lambda: any("press k" in n.message for n in app._notifications), what="the offer of k")
        await pilot.press("k")
        await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, what="the keyframes")
        data = json.loads(script.read_text())
        assert data["scenes"][1]["endKeyframe"] == "keyframes/001-end.png"
        assert data["scenes"][2]["startKeyframe"] == "keyframes/002-start.png"
        assert data["scenes"][0]["startKeyframe"].startswith("kf/")  # scenes that had theirs are untouched
        assert (tmp_path / "s" / "keyframes" / "001-end.png").is_file()
        await wait_for(pilot, lambda: "missing" not in screen_text(app), what="the tree without 'missing'")
        await pilot.press("g")
        await wait_for(pilot, lambda: "3/3 done" in screen_text(app), timeout=120, what="the render")
    assert (ws / "videos" / "scripts" / "test" / "scenes" / "2.mp4").is_file()


async def test_a_script_with_no_pictures_at_all_opens_and_k_makes_them(tmp_path: Path) -> None:
    """The gate the issue names: no keyframes anywhere. The app opens, r refuses (offering k), k draws every one."""
    from tests.tui.helpers import notices

    bare = {i: {"startKeyframe": None, "endKeyframe": None} for i in range(2)}
    script = write_script(tmp_path / "s", 2, scene_overrides=bare)
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
        await pilot.press("r")
        await wait_for(pilot, lambda: "have no keyframe yet" in notices(app), what="the refusal")
        assert "press k" in notices(app) and not app.controller.running
        await pilot.press("k")
        await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, what="the keyframes")
    data = json.loads(script.read_text())
    assert all(s["startKeyframe"] and s["endKeyframe"] for s in data["scenes"])
