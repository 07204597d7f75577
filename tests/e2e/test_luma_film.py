"""Luma and the film: continuity chains generations; downloaded clips are prepared for transitions as they arrive."""

from __future__ import annotations

from pathlib import Path

from scenetui.media.probe import probe
from tests.conftest import json_lines, luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def test_continuity_starts_each_scene_from_the_previous_generation(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 3)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--json", "--continuity",
                *luma_args(fake_luma), env=luma_env())
    assert r.returncode == 0, r.stderr
    creates = fake_luma.creates()
    assert len(creates) == 3 and fake_luma.duplicate_creates() == 0
    assert creates[0].request["keyframes"]["frame0"]["type"] == "image"
    for before, after in zip(creates, creates[1:]):
        assert after.request["keyframes"]["frame0"] == {"type": "generation", "id": before.id}
        assert after.request["keyframes"]["frame1"]["type"] == "image"  # the scene's own end keyframe still pins the end
    assert creates[1].created >= creates[0].created


def test_continuity_needs_a_generator_that_chains(tmp_path: Path) -> None:
    script = write_script(tmp_path / "script", 2)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--continuity")
    assert r.returncode == 2 and "--backend luma" in r.stderr and not (tmp_path / "ws").exists()


def test_downloaded_clips_are_prepared_for_transitions_on_arrival(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", "--no-assemble", *luma_args(fake_luma),
                env=luma_env(SCENETUI_PREPARE_FOR_FILM="1"))
    assert r.returncode == 0, r.stderr
    prepared = sorted((ws / "videos" / "scripts" / "test" / ".normalised").glob("norm-*.mp4"))
    assert len(prepared) == 2
    original = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    assert probe(original).fps == 24  # the clip as Luma made it is kept untouched
    e = run_cli("export", str(script), "--workspace", str(ws), "--json", "--transition", "dissolve")
    assert e.returncode == 0, e.stderr
    assert json_lines(e.stdout)[-1]["normalised"] == 0  # nothing left to re-encode but the boundary
    film = probe(ws / "videos" / "scripts" / "test" / "final.mp4", decode=True)
    assert film.fps == 30 and film.frames == 2 * 150 - 15
