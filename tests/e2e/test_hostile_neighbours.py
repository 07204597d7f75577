"""What an unlucky user or a hostile neighbour hands scenetui: a pipe where a clip should be, a clip PyAV reads but
ffmpeg refuses, a key with a line break inside, an id with a trailing newline, a clip cut short on disk. Each gets
one sentence and a non-zero exit; nothing made is lost and no secret is shown."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from scenetui.media.ffmpeg import locate_ffmpeg
from tests.conftest import LUMA_KEY, luma_args, luma_env, run_cli, write_script


def one_line(stderr: str) -> None:
    assert "Traceback" not in stderr and "please report" not in stderr, stderr
    assert len([line for line in stderr.strip().splitlines() if line.startswith("scenetui: error")]) == 1, stderr


def bad_sps_clip(dest: Path) -> Path:
    """A clip PyAV's demuxer reads happily whose decoder setup (the SPS in avcC) is garbage: ffmpeg exits 1."""
    good = dest.with_name("good.mp4")
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=320x180:rate=30:duration=3", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(good)],
                   check=True)
    data = bytearray(good.read_bytes())
    at = data.find(b"avcC") + 4 + 8
    for k in range(at, at + 12):
        data[k] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def test_compress_of_a_pipe_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    r = run_cli("compress", str(fifo), timeout=60)  # it blocked in av.open for good before
    assert r.returncode == 2 and "not a regular file" in r.stderr, r.stderr
    one_line(r.stderr)


def test_a_clip_ffmpeg_refuses_is_called_damaged(tmp_path: Path) -> None:
    clip = bad_sps_clip(tmp_path / "bad.mp4")
    r = run_cli("compress", str(clip), "-o", str(tmp_path / "out.mp4"))
    assert r.returncode == 2 and "bad.mp4 could not be re-encoded: it is damaged" in r.stderr, r.stderr
    one_line(r.stderr)
    assert not (tmp_path / "out.mp4").exists()


def test_export_names_the_scene_whose_clip_ffmpeg_refuses(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    before = final.read_bytes()
    bad_sps_clip(ws / "videos" / "scripts" / "test" / "scenes" / "1.mp4")
    r = run_cli("export", str(script), "--workspace", str(ws), "--transition", "dissolve")
    assert r.returncode == 2 and "scene 1's clip is damaged" in r.stderr and "--scenes 1 --force" in r.stderr, r.stderr
    one_line(r.stderr)
    assert final.read_bytes() == before  # the previous film is kept


@pytest.mark.parametrize("key", [f"{LUMA_KEY}\nsecond-half-of-key", "lm-" + "é" * 8 + "-key", "lm-abc\x1b[31m-key"])
def test_a_key_with_a_break_or_foreign_character_inside_is_one_sentence(tmp_path: Path, key: str) -> None:
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--backend", "luma", "--yes",
                env={"LUMAAI_API_KEY": key})
    assert r.returncode == 2 and "Luma API key" in r.stderr and "line break" in r.stderr, r.stderr
    one_line(r.stderr)
    shown = r.stdout + r.stderr + "".join(p.read_text(errors="replace") for p in ws.rglob("*.log"))
    assert "second-half-of-key" not in shown and "é" * 8 not in shown


def test_a_key_with_a_trailing_newline_or_cr_just_works(fake_luma, script_factory) -> None:  # noqa: ANN001
    script = script_factory(1)
    ws = script.parent / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), *luma_args(fake_luma),
                env=luma_env(LUMAAI_API_KEY=LUMA_KEY + "\r\n"))
    assert r.returncode == 0, r.stderr


def test_a_firestore_id_with_a_trailing_newline_is_refused() -> None:
    r = run_cli("status", "firestore:abc\n")
    assert r.returncode == 2 and "not a Firestore script id" in r.stderr, r.stderr


@pytest.mark.parametrize("damage", ["half", "one-frame"])
def test_a_clip_cut_short_on_disk_is_not_a_scene_done(tmp_path: Path, damage: str) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    if damage == "half":
        clip.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    else:
        subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "color=c=red:size=1280x720:rate=30:duration=0.034", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                        str(clip)], check=True)
    status = run_cli("status", str(script), "--workspace", str(ws), "--json")
    assert status.returncode == 0, status.stderr
    rows = json.loads(status.stdout)["scenes"]
    assert [r["status"] for r in rows] == ["damaged", "completed"], rows
    assert "--force" in rows[0]["error"]
    film = run_cli("export", str(script), "--workspace", str(ws))
    assert film.returncode == 2 and "scene 0's clip is damaged" in film.stderr, film.stderr
    one_line(film.stderr)


def test_luma_out_of_reach_before_the_estimate_is_a_sentence(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = write_script(tmp_path / "s", 1)
    r = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"), "--backend", "luma", "--yes",
                "--luma-base-url", f"http://127.0.0.1:{port}", "--keyframe-base-url", "https://example.com/",
                env=luma_env(SCENETUI_LUMA_BACKOFF="0.01"))
    assert r.returncode == 2 and "nothing was paid" in r.stderr, r.stderr
    one_line(r.stderr)
