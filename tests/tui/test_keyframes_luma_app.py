"""In the app on the paid backend, against the fake Luma: `k` makes the missing keyframes with Photon (uni-1 for a ray-3.2 script) after stating
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
            n = next(i for i, (key, _) in enumerate(app.screen.options, 1) if key == "start:luma")
            assert "about 2¢" in app.screen.options[n - 1][1]
            await pilot.press(str(n))
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
            assert "Make 1 keyframe(s)" in screen_words(app)
            await pilot.press("y")
            await wait_for(pilot, lambda: json.loads(script.read_text())["scenes"][0]["startKeyframe"] != old,
                           timeout=60, what="the new picture")
            assert len(images(fake)) == 4


async def test_k_with_uni1_for_a_ray32_script(tmp_path: Path, fake_agents, agents_keys: None) -> None:
    """A script on ray-3.2 gets its pictures from uni-1 on the same API and key: nothing hosted, cost asked first."""
    script = write_script(tmp_path / "s", 2, scene_overrides={1: {"startKeyframe": None, "endKeyframe": None}})
    opts = BuildOptions(backend="luma", luma_base_url=fake_agents.base_url, video={"model": "ray-3.2"})
    app = make_app(script, tmp_path / "ws", opts=opts)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="cards or Luma")
        assert "Luma uni-1" in screen_words(app)
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
        words = screen_words(app)
        assert "Make 2 keyframe(s) with Luma uni-1?" in words and "about $0.08" in words
        assert "does not report a balance" in words
        await pilot.press("y")
        await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, timeout=60, what="the pictures")
        made = fake_agents.creates()
        assert len(made) == 2 and {(c.body["type"], c.body["model"]) for c in made} == {("image", "uni-1")}
        end = next(c.body for c in made if "closing frame" in c.body["prompt"])
        assert end["image_ref"][-1]["media_type"] == "image/png"  # the start picture just made, sent inline
    assert json.loads(script.read_text())["scenes"][1]["endKeyframe"].startswith("keyframes/001-end-")


async def test_K_pays_again_for_a_uni1_picture_in_doubt_only_after_saying_so(tmp_path: Path, fake_agents,
                                                                          agents_keys: None) -> None:
    script = write_script(tmp_path / "s", 2, scene_overrides={1: {"startKeyframe": None}})
    opts = BuildOptions(backend="luma", luma_base_url=fake_agents.base_url, video={"model": "ray-3.2"})
    fake_agents.faults.create_drop_after = 1  # accepted, its answer lost
    app = make_app(script, tmp_path / "ws", opts=opts)
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
        await pilot.press("k")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="cards or Luma")
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(fake_agents.creates()) == 1 and not app.controller.running
                       and app.controller.board.scenes[1].stage != "keyframes", timeout=30, what="the lost answer")
        assert app.controller.missing_keyframes() != {} and len(fake_agents.creates()) == 1
        await pilot.press("down")  # scene 1
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the keyframe choices")
        n = next(i for i, (key, _) in enumerate(app.screen.options, 1) if key == "start:luma")
        await pilot.press(str(n))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the cost question")
        assert "may already have been accepted" in screen_words(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, timeout=60, what="the new picture")
        assert len(fake_agents.creates()) == 2
