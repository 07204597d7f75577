"""Playing a clip inside the terminal (PyAV, half blocks): frames advance, pause holds, seeks land, no drift, and
a clip that disappears or a pane too small is said in words."""

from __future__ import annotations

import time
from pathlib import Path

from scenetui.tui.screens.preview import PreviewScreen
from scenetui.tui.widgets.video import ScrubBar, VideoView
from tests.tui.helpers import make_app, screen_text, wait_for
from tests.tui.test_app import rendered


async def open_preview(app, pilot) -> PreviewScreen:  # noqa: ANN001
    await pilot.pause()
    await pilot.press("p")
    await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")
    preview = app.screen
    await wait_for(pilot, lambda: preview.clock is not None and preview.clock.shown is not None, what="a frame")
    return preview


def view_lines(preview: PreviewScreen) -> list[str]:
    return [str(line) for line in preview.query_one(VideoView)._lines]


async def test_play_pause_seek_and_step(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        preview = await open_preview(app, pilot)
        clock = preview.clock
        assert clock is not None and not clock.playing
        assert abs(clock.shown.t - clock.player.duration / 2) < 0.1  # opens paused on the middle frame
        assert len(preview.query_one(VideoView)._lines) > 5  # a picture, drawn as cells
        await pilot.press("home")
        await wait_for(pilot, lambda: clock.shown.number == 0, what="the first frame")
        first = view_lines(preview)
        await pilot.press("space")  # a loaded machine starts the decoder late: wait for the frames, not a time
        await wait_for(pilot, lambda: clock.shown.t > 0.5 and clock.drawn > 5, what="half a second played")
        assert clock.playing, (clock.shown, clock.drawn)
        assert view_lines(preview) != first  # the picture changed as it played
        await pilot.press("space")
        await pilot.pause(0.1)
        held = clock.shown.number
        await pilot.pause(0.6)
        assert not clock.playing and clock.shown.number == held  # pause holds
        assert "‖" in str(preview.query_one(ScrubBar).render())
        # seek a second on and back; a frame on and back
        await pilot.press("right")
        await wait_for(pilot, lambda: abs(clock.shown.t - (held / clock.player.rate + 1)) < 0.05, what="+1 s")
        await pilot.press("left")
        await wait_for(pilot, lambda: clock.shown.number == held, what="back 1 s")
        await pilot.press("shift+right")
        await wait_for(pilot, lambda: clock.shown.number == held + 1, what="one frame on")
        await pilot.press("comma", "comma")
        await wait_for(pilot, lambda: clock.shown.number == held - 1, what="two frames back")
        # click the scrub bar three quarters along
        bar = preview.query_one(ScrubBar)
        start, room = bar._bar
        await pilot.click(ScrubBar, offset=(start + round(0.75 * (room - 1)), 0))
        await wait_for(pilot, lambda: abs(clock.shown.t - 0.75 * clock.player.duration) < 0.15, what="the click")


async def test_a_whole_clip_plays_in_its_own_time(tmp_path: Path) -> None:
    """No drift: 5 s of clip take 5 s of wall clock, whatever the drawing costs (frames are dropped instead)."""
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    async with app.run_test(size=(160, 52)) as pilot:
        preview = await open_preview(app, pilot)
        clock = preview.clock
        await pilot.press("home")
        await wait_for(pilot, lambda: clock.shown.number == 0, what="the first frame")
        started = time.monotonic()
        await pilot.press("space")
        await wait_for(pilot, lambda: not clock.playing, timeout=20, what="the end of the clip")
        wall = time.monotonic() - started
        duration = clock.player.duration
        # The clip's time runs out on the wall clock's time; how late the loop is let to notice is this machine's
        # load (a busy CI box holds the loop for a frame or more), so that is allowed on top.
        assert clock.played_wall is not None, "the play did not run from the start to the end"
        assert abs(clock.played_wall - duration) < 0.25 + clock.worst_gap, (clock.played_wall, clock.worst_gap)
        assert wall < duration + 1.0
        assert clock.shown.number >= round(duration * clock.player.rate) - 1  # it ended on the last frame
        assert clock.drawn >= duration * 8, f"only {clock.drawn} frames drawn in {duration} s"
        bar = preview.query_one(ScrubBar)  # stopped at the end, it says so (not ▶ … fps drawn)
        await wait_for(pilot, lambda: str(bar.render()).startswith("‖") and "fps drawn" not in str(bar.render()),
                       what="the bar saying the clip stopped")
        # loop: it goes round instead of stopping
        await pilot.press("L", "space")
        await pilot.pause(duration + 0.8)
        assert clock.playing
        await pilot.press("space")


async def test_a_clip_deleted_while_playing_is_said_and_nothing_else_moves(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 2)
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    other = ws / "videos" / "scripts" / "test" / "scenes" / "1.mp4"
    before = other.read_bytes()
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        preview = await open_preview(app, pilot)
        await pilot.press("home", "space")
        await pilot.pause(0.3)
        clip.unlink()
        await wait_for(pilot, lambda: not preview.clock.playing, timeout=5, what="playback to stop")
        assert "the clip is gone" in screen_text(app)
        assert other.read_bytes() == before and isinstance(app.screen, PreviewScreen)


async def test_a_pane_too_small_says_so(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    async with app.run_test(size=(60, 14)) as pilot:
        await open_preview(app, pilot)
        text = screen_text(app)
        assert "too small to play here" in text and "press o" in text


async def test_a_damaged_clip_is_one_sentence(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path, 1)
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    clip.write_bytes(b"not a video at all" * 100)
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")
        await wait_for(pilot, lambda: "cannot open 0.mp4" in screen_text(app), what="the explanation")
        assert "cannot be played" in screen_text(app)


async def test_a_clip_with_sound_says_where_its_sound_plays(tmp_path: Path) -> None:
    """In-terminal playback is picture only: a clip with sound says so on its scrub bar, a silent one says nothing."""
    from tests.e2e.test_sound import give_sound

    script, ws = rendered(tmp_path, 2)
    give_sound(ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4", 440)
    app = make_app(script, ws)
    async with app.run_test(size=(140, 40)) as pilot:
        preview = await open_preview(app, pilot)
        assert "o plays its sound" in str(preview.query_one(ScrubBar).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PreviewScreen), what="back to the tree")
        await pilot.press("down")
        preview = await open_preview(app, pilot)
        assert "sound" not in str(preview.query_one(ScrubBar).render())
