"""Clips that lie: an index claiming 50 million samples in a 1.6 kB file is refused before libavformat builds it
(it took 3.5 GB and minutes), a player's close never waits on a frame in progress, and a frame's decoding reads a
bounded number of packets."""

from __future__ import annotations

import os
import struct
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from scenetui.media import playback
from scenetui.media.ffmpeg import locate_ffmpeg
from scenetui.media.playback import ClipPlayer, PlaybackError
from scenetui.media.probe import InvalidClip, probe

ROOT = Path(__file__).resolve().parents[2]


def make_clip(path: Path, *args: str, seconds: float = 0.2, size: str = "64x36") -> Path:
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc2=size={size}:rate=10:duration={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p",
                    *args, str(path)], check=True)
    return path


def claim_samples(src: Path, dest: Path, count: int) -> Path:
    """`src` with its stsz, stts and stsc rewritten to claim `count` one-byte samples (the file stays as small)."""
    data = bytearray(src.read_bytes())

    def walk(start: int, end: int) -> None:
        at = start
        while at + 8 <= end:
            size, kind = struct.unpack(">I4s", data[at:at + 8])
            if size < 8:
                return
            if kind in (b"moov", b"trak", b"mdia", b"minf", b"stbl"):
                walk(at + 8, at + size)
            elif kind == b"stsz":
                struct.pack_into(">II", data, at + 12, 1, count)
            elif kind == b"stts":
                struct.pack_into(">I", data, at + 16, count)
            elif kind == b"stsc":
                struct.pack_into(">I", data, at + 20, count)
            at += size

    walk(0, len(data))
    dest.write_bytes(bytes(data))
    return dest


def child_peak_mb(code: str, *args: str) -> tuple[int, str]:
    """Run `code` in a child Python; its exit code's output and its peak RSS in MB (wait4's rusage)."""
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    out = proc.stdout.read() if proc.stdout else ""
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss // 1024, out


@pytest.fixture
def lying_clip(tmp_path: Path) -> Path:
    return claim_samples(make_clip(tmp_path / "tiny.mp4"), tmp_path / "lying.mp4", 50_000_000)


def test_an_index_claiming_millions_of_samples_is_refused_up_front(lying_clip: Path) -> None:
    assert lying_clip.stat().st_size < 4096
    with pytest.raises(InvalidClip, match="50,000,000 samples"):
        probe(lying_clip, headers_only=True)
    with pytest.raises(PlaybackError, match="50,000,000 samples"):
        ClipPlayer(lying_clip)
    code = ("import sys; from pathlib import Path; from scenetui.media.probe import probe, InvalidClip\n"
            "try:\n    probe(Path(sys.argv[1]), headers_only=True)\nexcept InvalidClip:\n    print('refused')")
    peak, out = child_peak_mb(code, str(lying_clip))
    assert out.strip() == "refused" and peak < 1000, (peak, out)  # it took 3.5 GB before (av alone is ~400 MB)


def test_honest_clips_pass_the_table_check(tmp_path: Path) -> None:
    for name, extra in [("plain.mp4", []), ("frag.mp4", ["-movflags", "frag_keyframe+empty_moov"]),
                        ("long-gop.mp4", ["-g", "1000"])]:
        clip = make_clip(tmp_path / name, *extra, seconds=3)
        assert probe(clip).frames == 30, name


def test_close_from_another_thread_returns_while_a_frame_is_in_progress(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    player = ClipPlayer(make_clip(tmp_path / "c.mp4", seconds=2))
    in_frame, let_go = threading.Event(), threading.Event()
    real_show = player._show

    def slow_show(*args: object) -> object:
        in_frame.set()
        let_go.wait(30)  # a frame that takes as long as the hostile clip's decoding did
        return real_show(*args)

    monkeypatch.setattr(player, "_show", slow_show)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            player.show(0.5, 40, 12)
        except PlaybackError as exc:
            errors.append(exc)

    worker = threading.Thread(target=work)
    worker.start()
    assert in_frame.wait(30)
    closer = threading.Thread(target=player.close)  # the UI thread, leaving the preview
    closer.start()
    closer.join(10)
    assert not closer.is_alive() and not let_go.is_set()  # close returned while the frame was still being made
    let_go.set()
    worker.join(30)
    assert player._released  # the frame's own thread freed the decoder once its frame ended
    with pytest.raises(PlaybackError):
        player.show(0.0, 10, 10)


def test_a_frame_reads_a_bounded_number_of_packets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clip = make_clip(tmp_path / "one-keyframe.mp4", "-g", "1000", seconds=8)  # 80 packets after its only keyframe
    monkeypatch.setattr(playback, "PACKET_BUDGET", 0)
    player = ClipPlayer(clip)
    player.rate = 1.0  # budget: 0 + 1 × 62 packets
    try:
        player.show(1.0, 20, 10)  # within budget
        player._frames = None  # the next frame seeks to the keyframe at 0 and must decode 75 packets to reach 7.5 s
        with pytest.raises(PlaybackError, match="too many packets"):
            player.show(7.5, 20, 10)
    finally:
        player.close()


def test_a_picture_larger_than_8k_is_refused_before_a_frame_is_decoded(tmp_path: Path) -> None:
    clip = tmp_path / "huge-picture.mp4"
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "color=c=black:s=6400x6400:d=0.1:r=10", "-c:v", "mjpeg", "-pix_fmt", "yuvj420p", str(clip)],
                   check=True)
    with pytest.raises(InvalidClip, match="6400x6400, larger than 8K"):
        probe(clip, decode=True)
    with pytest.raises(PlaybackError, match="larger than 8K"):
        ClipPlayer(clip)
