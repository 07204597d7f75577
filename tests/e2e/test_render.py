"""End to end with real ffmpeg: render, probe the clips and the film, rerun, force, resume."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
from PIL import ImageStat

from scenetui.engine.journal import Journal
from scenetui.media.probe import probe
from tests.conftest import draw_keyframe, json_lines, run_cli, write_script


def mean(img) -> float:
    return sum(ImageStat.Stat(img.convert("L")).mean)


def clip_path(ws: Path, script_id: str, i: int) -> Path:
    return ws / "videos" / "scripts" / script_id / "scenes" / f"{i}.mp4"


def test_render_probe_rerun_and_force(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    events = json_lines(r.stdout)
    assert [e["type"] for e in events][0] == "render_started"
    assert sorted(e["scene_index"] for e in events if e["type"] == "scene_completed") == [0, 1, 2]
    summary = events[-1]
    assert summary["type"] == "summary" and summary["exitCode"] == 0
    for i in range(3):
        info = probe(clip_path(ws, "test", i), decode=True)
        assert (info.width, info.height, info.frames, info.codec, info.pix_fmt) == (1280, 720, 150, "h264", "yuv420p")
        assert abs(info.duration - 5.0) < 0.05
    final = Path(summary["final"])
    assert final == ws / "videos" / "scripts" / "test" / "final.mp4"
    film = probe(final, decode=True)
    assert film.frames == 450 and abs(film.duration - 15.0) < 0.1 and film.resolution == "1280x720"
    doc = json.loads((ws / "scripts" / "test.json").read_text())
    assert doc["scenes"]["1"]["videoStatus"] == "completed"
    assert doc["scenes"]["1"]["videoMetadata"]["resolution"] == "1280x720"
    assert doc["finalVideoUrl"].endswith("final.mp4")

    mtimes = {i: clip_path(ws, "test", i).stat().st_mtime_ns for i in range(3)}
    again = run_cli("render", str(script), "--workspace", str(ws), "--json")
    assert again.returncode == 0
    types = [e["type"] for e in json_lines(again.stdout)]
    assert types.count("scene_skipped") == 3 and "scene_completed" not in types and "assembly_started" not in types
    assert {i: clip_path(ws, "test", i).stat().st_mtime_ns for i in range(3)} == mtimes

    forced = run_cli("render", str(script), "--workspace", str(ws), "--json", "--force", "--scenes", "1")
    assert forced.returncode == 0
    done = [e["scene_index"] for e in json_lines(forced.stdout) if e["type"] == "scene_completed"]
    assert done == [1]
    assert clip_path(ws, "test", 0).stat().st_mtime_ns == mtimes[0]
    assert clip_path(ws, "test", 1).stat().st_mtime_ns != mtimes[1]
    assert "assembly_finished" in [e["type"] for e in json_lines(forced.stdout)]


def test_single_keyframe_and_letterboxed_portrait(tmp_path: Path) -> None:
    folder = tmp_path / "s"
    draw_keyframe(folder / "tall.png", (250, 250, 250), size=(360, 640))
    script = write_script(folder, 2, scene_overrides={0: {"startKeyframe": None}, 1: {"startKeyframe": "tall.png", "endKeyframe": None}})
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--no-assemble")
    assert r.returncode == 0, r.stderr
    assert not (ws / "videos" / "scripts" / "test" / "final.mp4").exists()
    with av.open(str(clip_path(ws, "test", 1))) as c:
        frame = next(c.decode(video=0)).to_image()
    assert frame.size == (1280, 720)
    assert mean(frame.crop((0, 0, 100, 720))) < 20, "pillarbox bars should be black"
    assert mean(frame.crop((600, 0, 680, 720))) > 200, "the white still should fill the middle"


def _start(script: Path, ws: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws), "--json", *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(proc: subprocess.Popen[str], kind: str, timeout: float = 120) -> list[dict]:
    seen = []
    deadline = time.monotonic() + timeout
    assert proc.stdout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen.append(json.loads(line))
        if seen[-1]["type"] == kind:
            return seen
    raise AssertionError(f"never saw {kind}: {seen}")


def test_ctrl_c_stops_cleanly_and_rerun_resumes(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    proc = _start(script, ws, "--concurrency", "1")
    _wait_for(proc, "scene_completed")
    _wait_for(proc, "scene_progress")  # scene 1 is mid-render now
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert list((ws / "videos" / "scripts" / "test" / ".staging").glob("*")) == []
    assert clip_path(ws, "test", 0).is_file() and not clip_path(ws, "test", 2).exists()
    assert any(e["type"] == "scene_cancelled" for e in json_lines(out))

    again = run_cli("render", str(script), "--workspace", str(ws), "--json")
    assert again.returncode == 0, again.stderr
    events = json_lines(again.stdout)
    assert [e["scene_index"] for e in events if e["type"] == "scene_skipped"] == [0]
    assert sorted(e["scene_index"] for e in events if e["type"] == "scene_completed") == [1, 2]
    assert probe(Path(events[-1]["final"])).frames == 450


def test_kill_9_leaves_nothing_half_written(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    proc = _start(script, ws, "--concurrency", "2")
    _wait_for(proc, "scene_progress")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    time.sleep(0.5)  # the orphaned ffmpeg notices its closed pipe and exits
    again = run_cli("render", str(script), "--workspace", str(ws), "--json")
    assert again.returncode == 0, again.stderr
    assert list((ws / "videos" / "scripts" / "test" / ".staging").glob("*.part.mp4")) == []
    for i in range(2):
        assert probe(clip_path(ws, "test", i), decode=True).frames == 150
    runs = Journal(ws / ".scenetui" / "journal.db").attempts("test")
    assert len(runs) >= 2


def test_status_reports_each_scene(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--scenes", "0").returncode == 0
    r = run_cli("status", str(script), "--workspace", str(ws), "--json")
    data = json.loads(r.stdout)
    assert [s["status"] for s in data["scenes"]] == ["completed", "notStarted"]
    assert data["final"] is None
    text = run_cli("status", str(script), "--workspace", str(ws)).stdout
    assert "completed" in text and "not assembled yet" in text
