"""In the app on the paid backend, against the fake Luma: `k` makes the missing keyframes with Photon after stating
the cost (rows show the work), `K` makes one new picture for one end; every picture is paid once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenetui.build import BuildOptions
from scenetui.tui.screens.dialogs import ChoiceScreen, ConfirmScreen
from tests.conftest import LUMA_KEY, write_script
from tests.fakes.luma_server import FakeLuma
from tests.tui.helpers import make_app, notices, screen_text, screen_words, wait_for


@pytest.fixture
def luma_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LUMAAI_API_KEY", LUMA_KEY)
    monkeypatch.setenv("SCENETUI_LUMA_BACKOFF", "0.2")


def images(fake: FakeLuma) -> list:  # noqa: ANN201
    return [c for c in fake.creates() if c.request.get("generation_type") == "image"]


async def test_k_and_K_with_photon(tmp_path: Path, luma_env: None, asset_cache: Path) -> None:
    script = write_script(tmp_path / "s", 2, scene_overrides={0: {"endKeyframe": None}, 1: {"startKeyframe": None,
                                                                                          "endKeyframe": None}})
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "s", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.5) as fake:
        opts = BuildOptions(backend="luma", luma_base_url=fake.base_url, keyframe_base_url=fake.static_url())
        app = make_app(script, tmp_path / "ws", opts=opts)
        async with app.run_test(size=(140, 40)) as pilot:
            await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
            await pilot.press("k")
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="cards or Photon")
            assert "3 keyframe(s) missing in 2 scene(s)" in screen_words(app)
            await pilot.press("1")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
            words = screen_words(app)
            assert "Make 3 keyframe(s) with Luma Photon?" in words and "about $0.06" in words and "balance" in words
            await pilot.press("y")
            await wait_for(pilot, lambda: any(s.stage == "keyframes" for s in app.controller.board.scenes),
                           timeout=10, what="the rows at work")
            await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, timeout=60, what="the pictures")
            await wait_for(pilot, lambda: "made with Luma Photon" in notices(app), what="the notice")
            assert len(images(fake)) == 3 and fake.duplicate_creates() == 0
            assert all(s.status == "pending" for s in app.controller.board.scenes)  # back to waiting for a render
            await wait_for(pilot, lambda: "missing" not in screen_text(app), what="the tree without 'missing'")
            data = json.loads(script.read_text())
            assert data["scenes"][1]["startKeyframe"].startswith("keyframes/001-start-")
            old = data["scenes"][0]["startKeyframe"]
            # K: one new picture for scene 0's start, its price stated first
            await pilot.press("K")
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the keyframe choices")
            n = next(i for i, (key, _) in enumerate(app.screen.options, 1) if key == "start:photon")
            assert "about 2¢" in app.screen.options[n - 1][1]
            await pilot.press(str(n))
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
            assert "Make 1 keyframe(s)" in screen_words(app)
            await pilot.press("y")
            await wait_for(pilot, lambda: json.loads(script.read_text())["scenes"][0]["startKeyframe"] != old,
                           timeout=60, what="the new picture")
            assert len(images(fake)) == 4
