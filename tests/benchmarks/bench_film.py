"""Benchmark: the film with transitions and music, against one xfade chain over all clips and a plain re-encode.

Run:  python tests/benchmarks/bench_film.py [--clips 20] [--clips 100]
Each method runs in a process of its own, so peak RSS is that method's (the Python process plus its ffmpeg
children). Same clips, same run: the ratios are what matters. Targets (issue 9): transitions + music at least 3x
faster than the xfade chain, peak RSS <= 300 MB and flat in the number of clips; hard cuts within 1.5x of a bare
concat copy. Issue 20: with sound — every other clip carrying its own audio, the music ducked under it and the mix
normalised to -14 LUFS in two passes — still at least 3x faster than the xfade chain (which mixes only the
music, so the comparison errs against us) and as flat in memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scenetui.media.ffmpeg import locate_ffmpeg  # noqa: E402
from scenetui.media.profile import h264_args, keyframe_times  # noqa: E402

T = 0.5  # transition seconds


def make_clips(folder: Path, n: int) -> list[Path]:
    """n different 5 s 720p30 clips in the film's profile, as the animatic makes them (one made, hues shifted)."""
    ffmpeg = str(locate_ffmpeg().path)
    clips = []
    for i in range(n):
        dest = folder / f"{i:03d}.mp4"
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size=1280x720:rate=30:duration=5,hue=h={i * 37 % 360}", *h264_args(),
                        "-force_key_frames", keyframe_times(5.0), "-an", str(dest)], check=True)
        clips.append(dest)
    return clips


def with_sound(clips: list[Path], folder: Path) -> list[Path]:
    """The same clips, every other one with a tone of its own (AAC), as Luma's sound or a placed clip gives one."""
    ffmpeg = str(locate_ffmpeg().path)
    out = []
    for i, clip in enumerate(clips):
        dest = folder / clip.name
        if i % 2:
            dest.write_bytes(clip.read_bytes())
        else:
            subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-i", str(clip), "-f", "lavfi", "-i",
                            f"sine=frequency={400 + 20 * i}:duration=5:sample_rate=48000", "-map", "0:v", "-map", "1:a",
                            "-c:v", "copy", "-c:a", "aac", "-shortest", str(dest)], check=True)
        out.append(dest)
    return out


def variant(name: str, clips: list[Path], music: Path, out: Path, work: Path) -> None:
    """Run one method in this process (called in a child by main)."""
    ffmpeg = str(locate_ffmpeg().path)
    if name == "scenetui-transitions":
        from scenetui.media.film import Music, make_film, parse_transition

        t = parse_transition(f"dissolve:{T}")
        asyncio.run(make_film(clips, [t] * (len(clips) - 1), out, work, size=(1280, 720), fps=30, music=Music(music, -6)))
    elif name == "scenetui-sound":
        from scenetui.media.film import make_film, parse_transition
        from scenetui.media.soundtrack import Loudness, Music

        t = parse_transition(f"dissolve:{T}")
        asyncio.run(make_film(clips, [t] * (len(clips) - 1), out, work, size=(1280, 720), fps=30,
                              music=Music(music, -6), duck=8.0, loudness=Loudness()))
    elif name == "scenetui-cuts":
        from scenetui.media.assemble import assemble

        asyncio.run(assemble(clips, out))
    elif name == "bare-concat-copy":
        lst = work / "list.txt"
        lst.write_text("".join(f"file '{c}'\n" for c in clips))
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), "-c", "copy",
                        str(out)], check=True)
    elif name == "xfade-chain":
        inputs = [a for c in clips for a in ("-i", str(c))]
        chain, last, offset = [], "[0:v]", 0.0
        for i in range(1, len(clips)):
            offset += 5.0 - T
            label = f"[x{i}]"
            chain.append(f"{last}[{i}:v]xfade=transition=fade:duration={T}:offset={offset:.3f}{label}")
            last = label
        duration = 5.0 * len(clips) - T * (len(clips) - 1)
        chain.append(f"[{len(clips)}:a]atrim=duration={duration},afade=t=in:d=1,afade=t=out:st={duration - 2}:d=2,volume=-6dB[a]")
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", *inputs, "-stream_loop", "-1", "-i", str(music),
                        "-filter_complex", ";".join(chain), "-map", last, "-map", "[a]", *h264_args(), "-c:a", "aac",
                        "-movflags", "+faststart", str(out)], check=True)
    elif name == "plain-reencode":
        lst = work / "list.txt"
        lst.write_text("".join(f"file '{c}'\n" for c in clips))
        subprocess.run([ffmpeg, "-loglevel", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(lst), *h264_args(),
                        str(out)], check=True)
    else:
        raise SystemExit(f"unknown variant {name}")


def measure(name: str, clips_dir: Path, music: Path, n: int) -> dict[str, float]:
    if name == "scenetui-sound":
        clips_dir = clips_dir.parent / "sound-clips"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.mp4"
        started = time.perf_counter()
        r = subprocess.run([sys.executable, __file__, "--run", name, "--dir", str(clips_dir), "--music", str(music),
                            "--clips", str(n), "--out", str(out)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        rss = json.loads(r.stdout.strip().splitlines()[-1])["peak_rss_mb"]
        import av

        with av.open(str(out)) as c:
            frames = sum(1 for _ in c.demux(c.streams.video[0]) if _.size)
            duration = c.duration / 1e6
        return {"wall": wall, "rss": rss, "frames": frames, "duration": duration}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clips", type=int, action="append")
    ap.add_argument("--skip-chain-over", type=int, default=40, help="skip the xfade chain above this many clips (it grows)")
    ap.add_argument("--run")
    ap.add_argument("--dir")
    ap.add_argument("--music")
    ap.add_argument("--out")
    args = ap.parse_args()
    if args.run:  # child: one method, then its peak RSS (self and children) as JSON
        clips = sorted(Path(args.dir).glob("*.mp4"))[: args.clips[0]]
        with tempfile.TemporaryDirectory() as work:
            variant(args.run, clips, Path(args.music), Path(args.out), Path(work))
        peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        print(json.dumps({"peak_rss_mb": round(peak / 1024, 1)}))
        return
    counts = args.clips or [20]
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        music = d / "music.m4a"
        subprocess.run([str(locate_ffmpeg().path), "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "sine=frequency=330:duration=7", "-c:a", "aac", str(music)], check=True)
        clips_dir = d / "clips"
        clips_dir.mkdir()
        made = make_clips(clips_dir, max(counts))
        (d / "sound-clips").mkdir()
        with_sound(made, d / "sound-clips")
        for n in counts:
            print(f"\n{n} clips x 5 s 720p30, transitions {T}s dissolve, music looped (ffmpeg {locate_ffmpeg().source})")
            names = ["scenetui-transitions", "scenetui-sound", "xfade-chain", "plain-reencode", "scenetui-cuts", "bare-concat-copy"]
            if n > args.skip_chain_over:
                names.remove("xfade-chain")
            results = {name: measure(name, clips_dir, music, n) for name in names}
            for name, r in results.items():
                print(f"  {name:<22} {r['wall']:7.2f} s  peak RSS {r['rss']:6.1f} MB  {r['frames']:5d} frames  {r['duration']:7.2f} s")
            ours = results["scenetui-transitions"]
            if "xfade-chain" in results:
                print(f"  transitions: xfade chain / scenetui = {results['xfade-chain']['wall'] / ours['wall']:.1f}x faster "
                      f"(target >= 3x)")
                print(f"  with sound, ducking and loudness: xfade chain / scenetui = "
                      f"{results['xfade-chain']['wall'] / results['scenetui-sound']['wall']:.1f}x faster (target >= 3x)")
            print(f"  transitions: plain re-encode / scenetui = {results['plain-reencode']['wall'] / ours['wall']:.1f}x")
            print(f"  hard cuts: scenetui / bare concat copy = "
                  f"{results['scenetui-cuts']['wall'] / results['bare-concat-copy']['wall']:.2f}x (target <= 1.5x; "
                  "both include ~0.1 s of process start)")
            print(f"  peak RSS with transitions + music: {ours['rss']:.0f} MB, with sound "
                  f"{results['scenetui-sound']['rss']:.0f} MB (target <= 300 MB, flat in clips)")


if __name__ == "__main__":
    main()
