"""The film: transitions, music, quality, mixed formats and short clips — checked by probing every output."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

from scenetui.media.ffmpeg import locate_ffmpeg
from scenetui.media.probe import probe
from tests.conftest import json_lines, run_cli, write_script

FPS = 30


def ffmpeg(*args: str) -> None:
    subprocess.run([str(locate_ffmpeg().path), "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Four scenes rendered once for the module (the animatic makes clips in the film's profile)."""
    root = tmp_path_factory.mktemp("film")
    script = write_script(root / "s", 4)
    r = run_cli("render", str(script), "--workspace", str(root / "ws"), "--no-assemble")
    assert r.returncode == 0, r.stderr
    return script, root / "ws"


@pytest.fixture(scope="module")
def music(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("music") / "tune.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=330:duration=6", "-c:a", "aac", str(path))
    return path


def export(script: Path, ws: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("export", str(script), "--workspace", str(ws), "--json", *args)


def frames_and_errors(path: Path) -> tuple[int, list[float]]:
    """Decode every frame (damage anywhere shows); returns the count and the frame times."""
    times = []
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        for frame in c.decode(stream):
            times.append(float(frame.pts * stream.time_base))
    return len(times), times


def test_dissolves_with_music(rendered: tuple[Path, Path], music: Path, tmp_path: Path) -> None:
    script, ws = rendered
    out = tmp_path / "film.mp4"
    r = export(script, ws, "--transition", "dissolve:0.5", "--music", str(music), "--music-volume", "-3", "-o", str(out))
    assert r.returncode == 0, r.stderr
    summary = json_lines(r.stdout)[-1]
    assert summary["method"] == "transitions" and summary["normalised"] == 0
    assert any(e["type"] == "assembly_progress" for e in json_lines(r.stdout))
    n, times = frames_and_errors(out)
    assert n == 4 * 5 * FPS - 3 * 15  # duration = sum - transitions, to the frame
    assert all(abs((b - a) - 1 / FPS) < 1e-3 for a, b in zip(times, times[1:]))  # no repeated or missing frame
    with av.open(str(out)) as c:
        v = c.streams.video[0].codec_context
        assert (v.color_primaries, v.color_trc, v.colorspace) == (1, 1, 1)  # BT.709
        assert v.pix_fmt == "yuv420p" and v.name == "h264"
        audio = c.streams.audio[0]
        assert audio.codec_context.name == "aac"
        assert abs(float(audio.duration * audio.time_base) - n / FPS) < 0.1  # the looped music spans the film
    head = out.read_bytes()[:4096]
    assert head.find(b"moov") < head.find(b"mdat") or b"mdat" not in head  # +faststart: the index comes first
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    assert final.is_file() and probe(final).frames == n


def test_scene_transition_wins_and_short_clips_cut(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    script, ws = rendered
    data = json.loads(script.read_text())
    data["scenes"][0]["transitionToNext"] = "wipeleft:1"
    own = tmp_path / "s"
    own.mkdir()
    (own / "kf").symlink_to(script.parent / "kf")
    (own / "test.json").write_text(json.dumps(data))
    r = export(own / "test.json", ws, "--transition", "fadeblack:0.5")
    assert r.returncode == 0, r.stderr
    n, _ = frames_and_errors(ws / "videos" / "scripts" / "test" / "final.mp4")
    assert n == 600 - 30 - 15 - 15


def test_mixed_formats_are_normalised(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2, scene_overrides={})
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    odd = ws / "videos" / "scripts" / "test" / "scenes" / "1.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=960x540:rate=24:duration=5", "-c:v", "libx264", "-pix_fmt", "yuv444p",
           str(odd))  # another size, rate, pixel format and encoder settings, as a clip from elsewhere would be
    r = export(script, ws, "--transition", "dissolve")
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[-1]["normalised"] == 1
    info = probe(ws / "videos" / "scripts" / "test" / "final.mp4", decode=True)
    assert info.resolution == "1280x720" and info.fps == 30 and info.pix_fmt == "yuv420p"
    assert info.frames == 300 - 15


def test_a_clip_shorter_than_the_transition_becomes_a_cut(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    short = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=1.5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
           str(short))
    r = export(script, ws, "--transition", "dissolve:1")
    assert r.returncode == 0, r.stderr
    events = json_lines(r.stdout)
    assert any("shorter than" in e.get("message", "") for e in events if e["type"] == "log")
    assert probe(ws / "videos" / "scripts" / "test" / "final.mp4", decode=True).frames == 45 + 150


def test_quality_reencodes_once_and_compress_shrinks(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    script, ws = rendered
    out = tmp_path / "small.mp4"
    r = export(script, ws, "--quality", "small", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert probe(out, decode=True).frames == 600
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    c = run_cli("compress", str(clip), "-o", str(tmp_path / "c.mp4"), "--quality", "small", "--json")
    assert c.returncode == 0, c.stderr
    summary = json_lines(c.stdout)[-1]
    assert summary["bytesAfter"] < summary["bytesBefore"]
    assert probe(tmp_path / "c.mp4", decode=True).frames == 150


def test_ctrl_c_mid_export_leaves_the_old_film(rendered: tuple[Path, Path], music: Path, tmp_path: Path) -> None:
    script, ws = rendered
    out = tmp_path / "film.mp4"
    assert export(script, ws, "-o", str(out)).returncode == 0
    before = out.read_bytes()
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    final_before = final.read_bytes()
    proc = subprocess.Popen([sys.executable, "-m", "scenetui", "export", str(script), "--workspace", str(ws), "--json",
                             "--quality", "high", "--music", str(music), "-o", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    assert proc.stdout is not None
    for line in proc.stdout:  # wait until the encode is under way
        if '"assembly_progress"' in line and time.monotonic() < deadline:
            break
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert out.read_bytes() == before and final.read_bytes() == final_before
    staging = ws / "videos" / "scripts" / "test" / ".staging"
    assert not [p for p in staging.rglob("*") if p.is_file()], list(staging.rglob("*"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("args,words", [
    (["--transition", "spin"], "unknown transition"),
    (["--transition", "dissolve:3"], "out of range"),
    (["--music", "__script__"], "not an audio file"),
    (["--music", "/nonexistent/tune.mp3"], "music file not found"),
    (["-o", "/nonexistent/dir/film.mp4"], "does not exist"),
])
def test_bad_export_input(rendered: tuple[Path, Path], tmp_path: Path, args: list[str], words: str) -> None:
    script, ws = rendered
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    before = final.read_bytes() if final.exists() else None
    args = [str(script) if a == "__script__" else a for a in args]
    r = run_cli("export", str(script), "--workspace", str(ws), *args)
    assert r.returncode == 2 and words in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert (final.read_bytes() if final.exists() else None) == before


def test_missing_and_damaged_clips_are_named_with_the_fix(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble", "--scenes", "0,1").returncode == 0
    r = run_cli("export", str(script), "--workspace", str(ws))
    assert r.returncode == 2 and "scene(s) 2 have no clip" in r.stderr and "--scenes 2" in r.stderr
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble", "--scenes", "2").returncode == 0
    (ws / "videos" / "scripts" / "test" / "scenes" / "1.mp4").write_bytes(b"\x00" * 5000)
    r = run_cli("export", str(script), "--workspace", str(ws), "--transition", "dissolve")
    assert r.returncode == 2 and "scene 1's clip is damaged" in r.stderr and "--scenes 1 --force" in r.stderr
    assert "Traceback" not in r.stderr


def test_timeline_for_an_editor(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    import opentimelineio as otio

    script, ws = rendered
    r = export(script, ws, "--transition", "dissolve:0.5", "--timeline", str(tmp_path / "cut.otio"))
    assert r.returncode == 0, r.stderr
    timeline = otio.adapters.read_from_file(str(tmp_path / "cut.otio"))
    track = timeline.tracks[0]
    clips = [c for c in track if isinstance(c, otio.schema.Clip)]
    transitions = [t for t in track if isinstance(t, otio.schema.Transition)]
    assert [c.name for c in clips] == [f"scene {i} “Scene {i}”" for i in range(4)]
    assert [Path(c.media_reference.target_url).name for c in clips] == [f"{i}.mp4" for i in range(4)]
    assert [c.source_range.duration.value for c in clips] == [135, 135, 135, 150]  # cut points: 15 frames before each end
    assert [t.out_offset.value for t in transitions] == [15, 15, 15]
    film = probe(ws / "videos" / "scripts" / "test" / "final.mp4")
    assert track.duration().to_seconds() == pytest.approx(film.duration, abs=0.05)

    r = export(script, ws, "--transition", "dissolve:0.5", "--timeline", str(tmp_path / "cut.edl"))
    assert r.returncode == 0, r.stderr
    edl = (tmp_path / "cut.edl").read_text()
    assert edl.startswith("TITLE: Test") and "FCM: NON-DROP FRAME" in edl
    events = [line for line in edl.splitlines() if line[:3].isdigit()]
    assert events[0].split()[-4:] == ["00:00:00:00", "00:00:04:15", "00:00:00:00", "00:00:04:15"]
    dissolve = [e for e in events if " D " in e]
    assert len(dissolve) == 3 and dissolve[0].split()[4] == "015" and dissolve[0].split()[-2] == "00:00:04:15"
    assert edl.count("* COMMENT: scene") == 4 and edl.count("* FROM CLIP NAME: ") == 4
    # OTIO's own CMX 3600 reader finds every clip's file, in order, and the same cut
    import otio_cmx3600_adapter.cmx_3600 as cmx

    back = cmx.read_from_string(edl, rate=30)
    read = [c for c in back.tracks[0] if isinstance(c, otio.schema.Clip)]
    assert [Path(c.media_reference.target_url.removeprefix("file://")).name for c in read] == [f"{i}.mp4" for i in range(4)]
    assert all(Path(c.media_reference.target_url.removeprefix("file://")).is_file() for c in read)
    assert back.tracks[0].duration().to_frames() == round(film.duration * 30)
    assert events[-1].split()[-1] == "00:00:18:15"  # the film's length, 18.5 s at 30 fps


def _special_files(folder: Path) -> list[Path]:
    """A pipe always; a character device like /dev/null too when we may make one (root: what render boxes are)."""
    import os
    import stat

    fifo = folder / "pipe.mp4"
    os.mkfifo(fifo)
    made = [fifo]
    if os.geteuid() == 0:
        node = folder / "null.mp4"
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        made.append(node)
    return made


@pytest.mark.parametrize("command", ["compress", "export"])
def test_an_output_that_is_a_device_or_pipe_is_refused_and_stays(rendered: tuple[Path, Path], tmp_path: Path,
                                                                  command: str) -> None:
    import stat

    script, ws = rendered
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    for target in _special_files(tmp_path):
        kind = stat.S_IFMT(target.lstat().st_mode)
        args = [str(clip)] if command == "compress" else [str(script), "--workspace", str(ws)]
        r = run_cli(command, *args, "-o", str(target), timeout=60)
        assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
        assert stat.S_IFMT(target.lstat().st_mode) == kind  # still the device or pipe, not a video renamed over it


def test_an_output_link_is_written_through(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    _, ws = rendered
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    target = tmp_path / "takes" / "latest-real.mp4"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.mp4"
    link.symlink_to(target)
    r = run_cli("compress", str(clip), "-o", str(link), "--quality", "small")
    assert r.returncode == 0, r.stderr
    assert link.is_symlink() and probe(target).duration > 4  # the link kept, its target is the new video


def test_films_made_to_share_honour_the_umask(rendered: tuple[Path, Path], tmp_path: Path) -> None:
    """An exported film, its timeline and a compressed copy are the user's files to share: 0666 less the umask
    (0644 here, as final.mp4 is), not the 0600 of scenetui's private files."""
    import os
    import stat

    script, ws = rendered
    old = os.umask(0o022)
    try:
        r = export(script, ws, "-o", str(tmp_path / "film.mp4"), "--timeline", str(tmp_path / "cut.edl"))
        assert r.returncode == 0, r.stderr
        c = run_cli("compress", str(tmp_path / "film.mp4"), "-o", str(tmp_path / "small.mp4"), "--quality", "small")
        assert c.returncode == 0, c.stderr
    finally:
        os.umask(old)
    modes = {p: stat.S_IMODE((tmp_path / p).stat().st_mode) for p in ("film.mp4", "cut.edl", "small.mp4")}
    assert modes == {"film.mp4": 0o644, "cut.edl": 0o644, "small.mp4": 0o644}
