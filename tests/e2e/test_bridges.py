"""Bridge transitions: a Luma clip from each scene's last frame to the next scene's first, priced and journaled like
any generation — never paid twice, also across a kill -9 — then cut into the film."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av

from scenetui.media.probe import probe
from tests.conftest import LUMA_KEY, json_lines, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def setup(tmp_path: Path, scenes: int = 3) -> tuple[Path, Path]:
    script = write_script(tmp_path / "s", scenes)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--no-assemble")
    assert r.returncode == 0, r.stderr
    return script, ws


def bridge_args(fake: FakeLuma) -> list[str]:
    return ["--transition", "bridge", "--backend", "luma", "--luma-base-url", fake.base_url,
            "--keyframe-base-url", fake.static_url(), "--yes"]


def test_bridges_are_generated_once_and_cut_in(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = setup(tmp_path)
    frames_dir = ws / "bridges" / "test"
    frames_dir.mkdir(parents=True)
    with FakeLuma(api_key=LUMA_KEY, static_root=frames_dir, asset_cache=asset_cache, queued_s=0.2, dreaming_s=0.5) as fake:
        r = run_cli("export", str(script), "--workspace", str(ws), "--json", *bridge_args(fake),
                    "--timeline", str(tmp_path / "cut.edl"), env=luma_env())
        assert r.returncode == 0, r.stderr
        creates = fake.creates()
        assert len(creates) == 2 and fake.duplicate_creates() == 0 and all(rec.frames_ok for rec in creates)
        body = creates[0].request
        assert body["keyframes"]["frame0"]["url"].startswith(fake.static_url()) and "-from-" in body["keyframes"]["frame0"]["url"]
        assert "-to-" in body["keyframes"]["frame1"]["url"]
        events = json_lines(r.stdout)
        assert any(e["type"] == "estimate" and e["newGenerations"] == 2 for e in events)  # priced like any generation
        assert any("ledger" in e for e in events)
        film = ws / "videos" / "scripts" / "test" / "final.mp4"
        info = probe(film, decode=True)
        assert info.frames == 3 * 150 + 2 * 150 and info.resolution == "1280x720"  # scenes and bridges, cut together
        # the bridge's first frame continues scene 0's last frame (the fake's clip is a test pattern, so compare sizes)
        edl = (tmp_path / "cut.edl").read_text()
        assert "bridge 0→1" in edl and "bridge 1→2" in edl
        again = run_cli("export", str(script), "--workspace", str(ws), "--json", *bridge_args(fake), env=luma_env())
        assert again.returncode == 0, again.stderr
        assert len(fake.creates()) == 2  # a second export pays for nothing
        # a scene regenerated: only its two bridges are stale
        assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble", "--scenes", "2",
                       "--force").returncode == 0
        third = run_cli("export", str(script), "--workspace", str(ws), "--json", *bridge_args(fake), env=luma_env())
        assert third.returncode == 0, third.stderr
        assert len(fake.creates()) == 3 and fake.duplicate_creates() == 0


def test_bridges_survive_kill9_without_paying_twice(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = setup(tmp_path, scenes=2)
    frames_dir = ws / "bridges" / "test"
    frames_dir.mkdir(parents=True)
    with FakeLuma(api_key=LUMA_KEY, static_root=frames_dir, asset_cache=asset_cache, queued_s=0.5, dreaming_s=3.0) as fake:
        cmd = [sys.executable, "-m", "scenetui", "export", str(script), "--workspace", str(ws), "--json", *bridge_args(fake)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env={**os.environ, **luma_env()}, start_new_session=True)
        deadline = time.monotonic() + 60
        while not fake.creates() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.creates(), "the bridge was never created"
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        r = run_cli("export", str(script), "--workspace", str(ws), "--json", *bridge_args(fake), env=luma_env())
        assert r.returncode == 0, r.stderr
        assert len(fake.creates()) == 1 and fake.duplicate_creates() == 0  # polled again, not paid again
    with av.open(str(ws / "videos" / "scripts" / "test" / "final.mp4")) as c:
        assert sum(1 for _ in c.decode(c.streams.video[0])) == 2 * 150 + 150


def test_bridges_need_luma(tmp_path: Path) -> None:
    script, ws = setup(tmp_path, scenes=2)
    r = run_cli("export", str(script), "--workspace", str(ws), "--transition", "bridge")
    assert r.returncode == 2 and "--backend luma" in r.stderr and "Traceback" not in r.stderr
