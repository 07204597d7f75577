"""The screens draw a changed frame within one period of the last one, not on Textual's grid: the frame timer
keeps the 60 fps cap and the app still draws through it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.app import App

from scenetui.tui.frames import FrameTimer, install_frame_timer
from scenetui.tui.screens.main import MainScreen
from tests.conftest import write_script
from tests.tui.helpers import make_app, screen_text, wait_for


async def test_the_frame_timer_keeps_the_cap_and_answers_each_resume() -> None:
    ticks: list[float] = []

    class Probe(App[None]):
        async def on_mount(self) -> None:
            loop = asyncio.get_running_loop()

            def tick() -> None:
                ticks.append(loop.time())
                timer.pause()  # as the screen's update does: one frame, then wait for the next change

            timer = FrameTimer(self, 0.05, callback=tick, pause=True)
            timer._start()
            for _ in range(12):  # changes arriving faster and slower than the period
                timer.resume()
                await asyncio.sleep(0.01)
                timer.resume()
                await asyncio.sleep(0.07)
            timer.stop()
            self.exit()

    async with Probe().run_test() as pilot:
        await pilot.pause()
    assert len(ticks) >= 12  # every resume after a quiet spell drew a frame
    gaps = [b - a for a, b in zip(ticks, ticks[1:])]
    assert min(gaps) >= 0.05 - 1e-3, gaps  # never two frames within one period


async def test_the_main_screen_draws_through_the_frame_timer(tmp_path: Path) -> None:
    app = make_app(write_script(tmp_path / "s", 3), tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="the main screen")
        assert isinstance(app.screen._update_timer, FrameTimer)
        await pilot.press("down")
        await wait_for(pilot, lambda: "things happen 1" in screen_text(app), what="scene 1's details")


def test_a_screen_textual_made_otherwise_keeps_its_own_timer() -> None:
    assert install_frame_timer(object()) is False  # type: ignore[arg-type]  # no update timer where expected
