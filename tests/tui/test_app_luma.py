"""The app with the paid backend, against the fake Luma over loopback: it asks first, shows money, never pays twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.build import BuildOptions
from scenetui.domain.board import DONE
from scenetui.tui.screens.dialogs import ConfirmScreen
from tests.conftest import LUMA_KEY, write_script
from tests.fakes.luma_server import FakeLuma
from tests.tui.helpers import make_app, screen_text, screen_words, wait_for


@pytest.fixture
def luma_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMAAI_API_KEY", LUMA_KEY)
    monkeypatch.setenv("SCENETUI_LUMA_BACKOFF", "0.2")


async def test_create_videos_with_luma_confirms_cost_and_balance(tmp_path: Path, fake_luma: FakeLuma,
                                                                  luma_env: None) -> None:
    script = write_script(tmp_path / "script", 2)
    opts = BuildOptions(backend="luma", luma_base_url=fake_luma.base_url, keyframe_base_url=fake_luma.static_url(),
                        max_spend_cents=1000)
    app = make_app(script, tmp_path / "ws", opts=opts)
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: "Luma balance" in screen_text(app), what="the cost question")
        text = screen_words(app)
        assert isinstance(app.screen, ConfirmScreen)
        assert "2 new generation(s), about $2.00" in text and "Luma balance: $1,000.00" in text and "cap: $10.00" in text
        await pilot.press("n")  # refusing spends nothing
        await pilot.pause(0.3)
        assert fake_luma.creates() == [] and not app.controller.running
        await pilot.press("g")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
        await pilot.press("y")
        board = app.controller.board
        await wait_for(pilot, lambda: board.done == 2 and not app.controller.running, timeout=90, what="both clips")
        await pilot.pause(0.3)
        assert "spent $2.00 this run of $10.00 cap" in screen_words(app)
        assert all(s.remote_id for s in board.scenes) and board.scenes[0].cost_cents == 100
        assert len(fake_luma.creates()) == 2 and fake_luma.duplicate_creates() == 0
        # regenerating one asks again, stating the price of one generation
        await pilot.press("R")
        await wait_for(pilot, lambda: "1 new generation(s), about $1.00" in screen_words(app), what="the question")
        await pilot.press("n")
        # every screen a person (or a screen recorder) sees: the key is on none of them
        shots = [app.export_screenshot()]
        for key, back in (("l", "l"), ("S", "escape"), ("f1", "escape"), ("p", "escape")):
            await pilot.press(key)
            await pilot.pause(0.4)
            shots.append(app.export_screenshot())
            await pilot.press(back)
            await pilot.pause(0.2)
        assert len(shots) == 5 and all(LUMA_KEY not in shot for shot in shots)
        assert "Spend" in shots[2], "the stats screen was not captured"
    assert LUMA_KEY not in (tmp_path / "ws" / "logs" / "scenetui.log").read_text()
    assert all(s.status == DONE for s in app.controller.board.scenes)


def test_the_app_prices_the_video_settings_given_on_the_command_line(tmp_path: Path, luma_env: None) -> None:
    """`scenetui open --backend luma --resolution 1080p`: the estimate is for 1080p, as the render will be."""
    script = write_script(tmp_path / "script", 2)
    opts = BuildOptions(backend="luma", video={"resolution": "1080p", "duration": "9s"})
    app = make_app(script, tmp_path / "ws", opts=opts)
    est = app.controller.estimate(None)
    assert est.scenes == [0, 1] and est.cents == 2 * 405  # ray-2/1080p/9s
    assert app.controller.loaded.script.video.resolution == "1080p"
