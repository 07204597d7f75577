"""The app with Ray 3.2 on Luma's current API: a scene whose create may have been accepted is shown in doubt and
is paid for again only after a question that says so, with the cost."""

from __future__ import annotations

from pathlib import Path


from scenetui.build import BuildOptions
from scenetui.domain.board import DONE, DOUBT
from scenetui.tui.screens.dialogs import ConfirmScreen
from tests.conftest import agents_args, agents_env, run_cli, write_script
from tests.fakes.luma_agents_server import FakeLumaAgents
from tests.tui.helpers import make_app, screen_words, wait_for


async def test_a_scene_in_doubt_is_paid_again_only_after_the_question(tmp_path: Path, fake_agents: FakeLumaAgents,
                                                                     agents_keys: None) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    fake_agents.faults.create_drop_after = 1  # the first create is accepted, its answer lost
    first = run_cli("render", str(script), "--workspace", str(ws), *agents_args(fake_agents), env=agents_env())
    assert first.returncode != 0 and len(fake_agents.creates()) == 2
    opts = BuildOptions(backend="luma", luma_base_url=fake_agents.base_url, video={"model": "ray-3.2"})
    app = make_app(script, ws, opts=opts)
    board = app.controller.board
    doubted = [s.index for s in board.scenes if s.status == DOUBT]
    assert len(doubted) == 1 and [s.status for s in board.scenes].count(DONE) == 1
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "in doubt" in screen_words(app), what="the scene shown in doubt")
        await pilot.press("f")  # retry failed: the scene in doubt is among them
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        words = screen_words(app)
        assert f"Scene(s) {doubted[0]} may already have been accepted" in words and "$0.30" in words
        await pilot.press("n")
        await pilot.pause(0.5)
        assert len(fake_agents.creates()) == 2 and not app.controller.running  # refusing pays nothing
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question again")
        await pilot.press("y")
        await wait_for(pilot, lambda: board.done == 2 and not app.controller.running, timeout=90, what="the clip")
    assert len(fake_agents.creates()) == 3  # paid again once, at the person's word
    assert (ws / "videos" / "scripts" / "test" / "scenes" / f"{doubted[0]}.mp4").is_file()
