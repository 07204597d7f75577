"""Kill -9 at random moments and resume; cancel a running render from another process — never pay twice."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from scenetui.media.probe import probe
from tests.conftest import LUMA_KEY, json_lines, luma_args, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma


def start_render(script: Path, ws: Path, fake: FakeLuma, *extra: str) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws), "--json",
           *luma_args(fake, *extra)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **luma_env()})


def wait_until(cond, timeout: float = 30.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def kill9(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def scene_clips(ws: Path, n: int) -> list[Path]:
    return [ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4" for i in range(n)]


def assert_all_valid(ws: Path, n: int) -> None:
    for clip in scene_clips(ws, n):
        info = probe(clip, decode=True)
        assert info.resolution == "1280x720" and abs(info.duration - 5.0) < 0.1
    leftovers = [p for p in ws.rglob("*") if p.is_file() and (".tmp" in p.name or p.name.endswith(".part"))]
    assert leftovers == []


def test_sigkill_at_random_moments_never_pays_twice(tmp_path: Path, asset_cache: Path) -> None:
    n = 4
    script = write_script(tmp_path / "script", n)
    ws = tmp_path / "ws"
    rng = random.Random(int(os.environ.get("SCENETUI_TEST_SEED", "20261124")))
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.3,
                  dreaming_s=1.5) as fake:
        kills = 0
        for _ in range(6):
            proc = start_render(script, ws, fake, "--concurrency", "2")
            time.sleep(rng.uniform(0.3, 3.5))  # startup, keyframe checks, creates, polls, downloads, assembly
            if proc.poll() is not None:
                proc.communicate()
                break
            kill9(proc)
            kills += 1
        final = start_render(script, ws, fake)
        out, err = final.communicate(timeout=240)
        assert final.returncode == 0, err
        assert kills >= 1, "the render finished before any kill; the test proved nothing"
        assert fake.duplicate_creates() == 0
        assert len(fake.creates()) == n, [c.request["prompt"][:12] for c in fake.creates()]
        assert_all_valid(ws, n)
        summary = json_lines(out)[-1]
        assert probe(Path(summary["final"])).duration > 19.5
        assert LUMA_KEY not in out + err


def test_sigkill_while_create_hangs_is_reconciled(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", 1)
    ws = tmp_path / "ws"
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.2,
                  dreaming_s=0.5) as fake:
        fake.faults.create_stall_after = 1
        fake.faults.stall_seconds = 60
        proc = start_render(script, ws, fake)
        wait_until(lambda: len(fake.creates()) == 1, what="the create to be stored")
        time.sleep(0.3)
        kill9(proc)  # the id never reached us: only the journal's intent knows a create was attempted
        fake.faults.stall_seconds = 0
        again = start_render(script, ws, fake)
        out, err = again.communicate(timeout=240)
        assert again.returncode == 0, err
        assert len(fake.creates()) == 1 and fake.duplicate_creates() == 0
        stages = [e.get("stage") for e in json_lines(out) if e["type"] == "scene_stage"]
        assert "reconciled" in stages
        assert_all_valid(ws, 1)


def test_cancel_from_another_process_stops_polling_and_deletes(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", 2)
    ws = tmp_path / "ws"
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.2,
                  dreaming_s=6.0) as fake:
        proc = start_render(script, ws, fake)
        wait_until(lambda: len(fake.creates()) == 2, what="both creates")
        scene0 = next(c for c in fake.creates() if "a view 0" in c.request["prompt"])
        r = run_cli("cancel", str(script), "--workspace", str(ws), "--scenes", "0", "--delete-remote", env=luma_env())
        assert r.returncode == 0, r.stderr
        assert "cancel" in r.stdout
        out, err = proc.communicate(timeout=120)
        events = json_lines(out)
        cancelled = [e for e in events if e["type"] == "scene_cancelled"]
        assert [e["scene_index"] for e in cancelled] == [0]
        finished = next(e for e in events if e["type"] == "render_finished")
        assert finished["cancelled"] == [0] and finished["completed"] == [1]
        assert proc.returncode != 0  # not everything was rendered
        wait_until(lambda: fake.records[scene0.id].deleted, timeout=10, what="the remote delete")
        assert not scene_clips(ws, 2)[0].exists() and scene_clips(ws, 2)[1].is_file()
        status = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)
        assert status["scenes"][0]["status"] in ("cancelled", "pending")
        # no poll for the cancelled generation after the cancel settled
        polls_before = fake.hits.get(f"get:{scene0.id}", 0)
        time.sleep(1.0)
        assert fake.hits.get(f"get:{scene0.id}", 0) == polls_before
        # resuming later creates the cancelled scene anew, once
        again = start_render(script, ws, fake)
        out2, err2 = again.communicate(timeout=120)
        assert again.returncode == 0, err2
        assert len(fake.creates()) == 3 and scene_clips(ws, 2)[0].is_file()
