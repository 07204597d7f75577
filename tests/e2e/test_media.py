"""Media with real ffmpeg: animatic sizes, probing damaged files, and assembly by copy or re-encode."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from scenetui.backends.animatic import animatic_args
from scenetui.media.assemble import assemble
from scenetui.media.ffmpeg import locate_ffmpeg, run_ffmpeg
from scenetui.media.probe import InvalidClip, probe, validate_clip
from tests.conftest import draw_keyframe


def make_clip(tmp: Path, name: str, size: tuple[int, int], seconds: float = 5.0) -> Path:
    a = draw_keyframe(tmp / f"{name}-a.png", (200, 30, 30))
    b = draw_keyframe(tmp / f"{name}-b.png", (30, 30, 200))
    dest = tmp / f"{name}.mp4"
    asyncio.run(run_ffmpeg(animatic_args(a, b, dest, size, seconds, 30)))
    return dest


def test_ffmpeg_is_found_without_a_system_install() -> None:
    found = locate_ffmpeg()
    assert Path(found.path).is_file() and found.source in {"PATH", "imageio-ffmpeg", "SCENETUI_FFMPEG"}


def test_copy_assembly_is_exact(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, f"c{i}", (640, 360)) for i in range(3)]
    dest = tmp_path / "final.mp4"
    fractions: list[float] = []
    plan = asyncio.run(assemble(clips, dest, on_progress=fractions.append))
    assert plan.method == "copy"
    info = probe(dest, decode=True)
    assert info.frames == 450 and info.resolution == "640x360" and abs(info.duration - 15) < 0.1
    assert fractions and fractions[-1] == 1.0


def test_mixed_clips_are_reencoded_to_the_first_format(tmp_path: Path) -> None:
    clips = [make_clip(tmp_path, "wide", (640, 360)), make_clip(tmp_path, "square", (480, 480))]
    dest = tmp_path / "final.mp4"
    plan = asyncio.run(assemble(clips, dest))
    assert plan.method == "reencode" and "square.mp4" in plan.reason
    info = probe(dest, decode=True)
    assert info.resolution == "640x360" and info.frames == 300


def test_truncated_and_wrong_clips_are_invalid(tmp_path: Path) -> None:
    clip = make_clip(tmp_path, "c", (640, 360))
    with pytest.raises(InvalidClip, match="expected 1280x720"):
        validate_clip(clip, seconds=5, size=(1280, 720))
    with pytest.raises(InvalidClip, match="lasts"):
        validate_clip(clip, seconds=9)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    with pytest.raises(InvalidClip):
        validate_clip(cut, seconds=5)
    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video")
    with pytest.raises(InvalidClip, match="cannot be read"):
        probe(junk)
