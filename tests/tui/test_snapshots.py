"""SVG snapshots of the main screens at 80×24 and 160×48 (update with --snapshot-update after checking them)."""

from __future__ import annotations

import asyncio
import time
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from textual.pilot import Pilot

from scenetui.domain.events import (
    RenderStarted,
    SceneCompleted,
    SceneFailed,
    SceneProgress,
    SceneStage,
    SpendChanged,
)
from scenetui.media.playback import Shown, fit, rgb_cells
from tests.conftest import write_script
from tests.tui.helpers import make_app

SIZES = [(80, 24), (160, 48)]
NOW = 1_795_000_000.0  # a fixed clock, so elapsed times and dates are the same on every run


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = types.SimpleNamespace(time=lambda: NOW, strftime=time.strftime, localtime=time.localtime)
    monkeypatch.setattr("scenetui.tui.format.time", fake)
    monkeypatch.setattr("scenetui.tui.widgets.scene_tree.time", fake)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()


@pytest.fixture
def story(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    extra = {"title": "The Lighthouse", "characters": [{"name": "Mara", "description": "old keeper, yellow raincoat"}]}
    overrides = {i: {"title": t, "characters": ["Mara"] if i != 2 else []} for i, t in
                 enumerate(["Storm over the bay", "Climbing the stairs", "The lamp", "Dawn"])}
    write_script(Path("s"), 4, extra=extra, scene_overrides=overrides)
    return Path("s/test.json")


def mid_render(pilot: Pilot) -> None:
    """Scene 0 done, 1 generating, 2 failed with advice, 3 waiting; money spent against a cap."""
    c = pilot.app.controller
    for e in [
        RenderStarted("test", "luma", [0, 1, 2, 3], [], "ws", ts=NOW - 100),
        SceneStage(0, "dreaming", ts=NOW - 95),
        SceneCompleted(0, "ws/0.mp4", 5.0, "1280x720", 3_200_000, 61.0, "gen-0000", 160, ts=NOW - 30),
        SceneStage(1, "dreaming", "Luma is generating", "gen-1111", ts=NOW - 42),
        SceneProgress(1, 0.45, ts=NOW - 1),
        SceneStage(2, "queued", ts=NOW - 90),
        SceneFailed(2, "Luma's moderation refused this prompt", "reword the visual description", False, 12.0, ts=NOW - 80),
        SpendChanged(480, 1000, ts=NOW - 40),
    ]:
        c.emit(e)


def _pictures_pending(pilot: Pilot) -> bool:
    """The details pane shows keyframe pictures but one of them has not been drawn yet."""
    from scenetui.tui.widgets.details import SceneDetails

    clock = getattr(pilot.app.screen, "clock", None)
    if clock is not None and clock.shown is None:  # the preview's first frame is still being decoded
        return True
    for screen in pilot.app.screen_stack:  # a dialog's snapshot shows the screen beneath it too
        for details in screen.query(SceneDetails):
            # both pictures of the selected scene drawn (one drawn and the other on its way is not enough)
            if details.index is not None and details.size.width > 0 and details.pictures_of != details.index:
                return True
    return False


async def settle(pilot: Pilot) -> None:
    """Time to draw, then whatever drawing work is still queued: pictures decode in workers that start a moment
    after the selection changes, later still on a busy box, so wait until they are there (at most 20 s)."""
    await pilot.pause(0.4)
    deadline = time.monotonic() + 20
    while True:
        await asyncio.wait_for(pilot.app.workers.wait_for_complete(), timeout=20)
        await pilot.pause(0.2)
        # a board change still on its way would redraw the details (and their pictures) after the snapshot
        if not _pictures_pending(pilot) and not pilot.app._posted:  # type: ignore[attr-defined]
            break
        # a snapshot of a half-drawn screen would pass as long as it matched one: fail instead
        assert time.monotonic() < deadline, "a picture or the preview's frame was never drawn"


def mid_render_then(*keys: str):  # noqa: ANN201
    """A run_before: the mid-render state, then these keys, then time to draw."""

    async def before(pilot: Pilot) -> None:
        mid_render(pilot)
        await pilot.pause(0.3)
        await pilot.press(*keys)
        await settle(pilot)

    return before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_fresh(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int]) -> None:
    app = make_app(story, tmp_path / "ws")
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_main_screen_mid_render(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int]) -> None:
    app = make_app(story, tmp_path / "ws")
    # the failed scene: its reason and what to do
    assert snap_compare(app, terminal_size=size, run_before=mid_render_then("down", "down"))


class ImagesPlayer:
    """The player's interface over still pictures, so the snapshot does not depend on a codec's output."""

    def __init__(self, frames: list[tuple[float, Image.Image]]) -> None:
        self.frames, self.rate, self.decoded = frames, 2.5, 0
        self.duration = len(frames) / self.rate

    def show(self, t: float, cols: int, rows: int, picture: bool = False, longest: int | None = None) -> Shown:
        number = min(int(t * self.rate + 1e-6), len(self.frames) - 1)
        img = self.frames[number][1]
        w, h = fit(img.width, img.height, cols, rows)
        rgb = np.asarray(img.convert("RGB").resize((w, h * 2), Image.Resampling.BILINEAR))
        return Shown(number / self.rate, number, rgb_cells(rgb), w, h)

    def close(self) -> None:
        pass


def _frames(count: int) -> list[tuple[float, Image.Image]]:
    out = []
    for i in range(count):
        img = Image.new("RGB", (320, 180), (20 + i * 15, 40, 120))
        ImageDraw.Draw(img).ellipse((100 + i * 5, 40, 220 + i * 5, 160), fill=(240, 200, 60))
        out.append((i * 0.4, img))
    return out


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_preview_screen(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(story, tmp_path / "ws")

    async def open_player(path: Path) -> ImagesPlayer:
        return ImagesPlayer(_frames(12))

    async def before(pilot: Pilot) -> None:
        mid_render(pilot)
        c = pilot.app.controller
        monkeypatch.setattr(c.view, "open_player", open_player)
        stand_in = tmp_path / "0.mp4"  # exists, so the player does not report the clip gone; never decoded
        stand_in.write_bytes(b"")
        monkeypatch.setattr(c, "clip_path", lambda index: stand_in)
        monkeypatch.setattr(c.state, "clip_path", lambda index: stand_in)
        await pilot.pause(0.2)
        await pilot.press("p")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_export_screen(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int]) -> None:
    app = make_app(story, tmp_path / "ws")
    assert snap_compare(app, terminal_size=size, run_before=mid_render_then("e"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_help_screen(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int]) -> None:
    app = make_app(story, tmp_path / "ws")
    assert snap_compare(app, terminal_size=size, press=["f1"], run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_problems_screen(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]) -> None:
    monkeypatch.chdir(tmp_path)
    write_script(Path("s"), 2, scene_overrides={0: {"startKeyframe": "kf/missing.png"}, 1: {"endKeyframe": "kf"}})
    app = make_app(Path("s/test.json"), tmp_path / "ws")
    assert snap_compare(app, terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_keyframe_choice(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int]) -> None:
    app = make_app(story, tmp_path / "ws")
    # scene 1 selected: its start can come from scene 0's finished clip

    async def before(pilot: Pilot) -> None:
        await mid_render_then("down")(pilot)
        await pilot.press("K")  # its worker waits on the dialog: no settle() (it waits for every worker)
        await dialog_drawn(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


async def dialog_drawn(pilot: Pilot) -> None:
    """A choice dialog open over the main screen, the pictures beneath it drawn whole, and nothing still moving."""
    from scenetui.tui.screens.dialogs import ChoiceScreen
    from scenetui.tui.widgets.details import SceneDetails

    deadline = time.monotonic() + 10  # a busy box may take a moment to lay the dialog out
    while not isinstance(pilot.app.screen, ChoiceScreen) and time.monotonic() < deadline:
        await pilot.pause(0.1)
    assert isinstance(pilot.app.screen, ChoiceScreen), "the dialog never opened"
    while _pictures_pending(pilot) and time.monotonic() < deadline:  # the details beneath, drawn whole
        await pilot.pause(0.1)
    assert not _pictures_pending(pilot), "the pictures beneath the dialog were never drawn"
    # the details pane beneath scrolls at 80x24: wait until its size and scroll stop changing (CI once caught
    # its scrollbar mid-layout)
    details = pilot.app.screen_stack[-2].query_one(SceneDetails)
    seen: list[tuple[object, float]] = []
    while time.monotonic() < deadline:
        seen = [*seen[-2:], (details.virtual_size, details.scroll_y)]
        if len(seen) == 3 and len(set(seen)) == 1:
            break
        await pilot.pause(0.2)
    await pilot.pause(0.3)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_takes_screen(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, size: tuple[int, int],
                      monkeypatch: pytest.MonkeyPatch) -> None:
    from scenetui.domain.takes import TakeRow

    app = make_app(story, tmp_path / "ws")
    rows = [  # an approved draft, its upscaled final (the clip), and a variant made before the prompt changed
        TakeRow(0, 1, False, "t/1.mp4", 2_900_000, "ray-flash-2", "luma", "960x540", 5.0, "2026-11-30T09:12:00", 17,
                "gen-a", draft=True, approved=True),
        TakeRow(0, 2, True, "t/2.mp4", 3_200_000, "ray-flash-2 upscaled", "luma", "1280x720", 5.0,
                "2026-11-30T10:02:00", 100, "gen-b", source=1),
        TakeRow(0, 3, False, "t/3.mp4", 3_100_000, "ray-2", "luma", "1280x720", 5.0, "2026-11-30T11:40:00", 100,
                "gen-c", stale=True),
    ]

    async def before(pilot: Pilot) -> None:
        mid_render(pilot)
        monkeypatch.setattr(pilot.app.controller, "takes", lambda index: rows)
        await pilot.pause(0.3)
        await pilot.press("t")
        await dialog_drawn(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_team_view(snap_compare, story: Path, tmp_path: Path, fixed_clock: None, monkeypatch: pytest.MonkeyPatch,
                   size: tuple[int, int]) -> None:
    """A shared script's boxes, as the claims listener delivers them: scene 2's box is gone (its lease ran out)."""
    from scenetui.storage.firebase.claims import Claim, SceneClaim

    monkeypatch.setattr("scenetui.control.team.time", types.SimpleNamespace(time=lambda: NOW))
    app = make_app(story, tmp_path / "ws")

    async def before(pilot: Pilot) -> None:
        team = app.controller.team
        team.started = team.following = True  # as if the listener ran (a firestore: script)
        team._seen([SceneClaim(0, Claim("render-a:4121:1a2b3c4d", NOW + 100, "gen-a", NOW - 125, NOW - 5,
                                               "dreaming", NOW - 75)),
                    SceneClaim(2, Claim("render-b:77:deadbeef", NOW - 70, None, NOW - 400, NOW - 190))])
        from scenetui.tui.widgets.scene_tree import SceneTree

        tree = app.screen.query_one(SceneTree)
        deadline = time.monotonic() + 20
        while len(tree.boxes) < 2 and time.monotonic() < deadline:  # the screen's next tick marks the rows
            await pilot.pause(0.1)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=before)
