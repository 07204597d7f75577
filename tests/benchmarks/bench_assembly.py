"""Benchmark: animatic time per clip, and hard-cut assembly vs a full re-encode vs bare `ffmpeg -f concat -c copy`.

Run:  python tests/benchmarks/bench_assembly.py [--clips 20]
Every figure is measured in the same run, on the same files, so the ratios are what matters.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scenetui.backends.animatic import animatic_args  # noqa: E402
from scenetui.cli.demo import _keyframe  # noqa: E402
from scenetui.media.assemble import _concat_list, assemble  # noqa: E402
from scenetui.media.ffmpeg import locate_ffmpeg, run_ffmpeg  # noqa: E402
from scenetui.media.probe import probe  # noqa: E402


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--clips", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=3, help="assembly runs per method (median reported)")
    args = ap.parse_args()
    ffmpeg = locate_ffmpeg().path
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        a, b = d / "a.png", d / "b.png"
        _keyframe(a, (250, 170, 90), (70, 40, 90), 0.0)
        _keyframe(b, (90, 100, 130), (20, 30, 50), 1.0)
        per_clip = []
        clips = []
        for i in range(args.clips):
            dest = d / f"{i}.mp4"
            per_clip.append(timed(lambda: asyncio.run(run_ffmpeg(animatic_args(a, b, dest, (1280, 720), 5.0, 30)))))
            clips.append(dest)
        print(f"animatic: {statistics.median(per_clip):.2f} s per 5 s 720p30 clip (median of {len(per_clip)}; ffmpeg {locate_ffmpeg().source})")

        ours = [timed(lambda: asyncio.run(assemble(clips, d / "ours.mp4"))) for _ in range(args.repeat)]
        lst = d / "list.txt"
        lst.write_text(_concat_list(clips))
        bare_cmd = [ffmpeg, "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), "-c", "copy", str(d / "bare.mp4")]
        bare = [timed(lambda: subprocess.run(bare_cmd, check=True)) for _ in range(args.repeat)]
        reencode_cmd = [ffmpeg, "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst),
                        "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", str(d / "re.mp4")]
        reencode = timed(lambda: subprocess.run(reencode_cmd, check=True))
        assert probe(d / "ours.mp4").frames == 150 * args.clips
        o, b_, r = statistics.median(ours), statistics.median(bare), reencode
        print(f"assembly (scenetui, concat copy): {o:.3f} s")
        print(f"bare ffmpeg -f concat -c copy:    {b_:.3f} s   scenetui/bare = {o / b_:.2f}x (target <= 1.5x)")
        print(f"full re-encode (libx264 veryfast): {r:.2f} s   re-encode/scenetui = {r / o:.0f}x faster (target >= 100x)")


if __name__ == "__main__":
    main()
