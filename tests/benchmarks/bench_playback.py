"""Benchmark: in-terminal playback of a 720p clip in a 160×48 pane — frames drawn per second and CPU.

Run:  python tests/benchmarks/bench_playback.py [--seconds 5]
Baselines measured in the same run on the same clip: PyAV decoding alone, and decoding + scaling + cells with no
app. The app's figure is the whole path (decode, scale, cells, Textual compositing, the terminal driver) playing in
real time, so its frame rate is capped by the clip's own (24 fps); dropped frames are decoded but never drawn.
Two clips: flat test colours (few colour runs per line) and a detailed fractal (nearly one run per cell).
Then the same through sixel and kitty's protocol (every frame encoded in the worker thread at up to 800 px, as the
preview plays on such a terminal), with encoding alone as the baseline and the bytes a second sent to the terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

PANE = (160, 48)
CHROME_ROWS = 10  # facts, scrub bar, status and footer around the video pane


def make_clip(folder: Path, source: str, seconds: float) -> Path:
    from scenetui.media.ffmpeg import locate_ffmpeg

    out = folder / f"{source.split('=')[0]}.mp4"
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    f"{source}=size=1280x720:rate=24", "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast",
                    "-pix_fmt", "yuv420p", str(out)], check=True)
    return out


def decode_only(clip: Path) -> float:
    import av

    started = time.perf_counter()
    with av.open(str(clip)) as c:
        frames = sum(1 for _ in c.decode(video=0))
    return frames / (time.perf_counter() - started)


def cells_only(clip: Path) -> float:
    from scenetui.media.playback import ClipPlayer

    player = ClipPlayer(clip)
    frames = round(player.duration * player.rate)
    started = time.perf_counter()
    for n in range(frames):
        player.show(n / player.rate, *PANE)
    player.close()
    return frames / (time.perf_counter() - started)


def encoded_only(clip: Path, protocol: str) -> tuple[float, float]:
    """Decode + encoding (sixel, or kitty's base64 PNG) at the playing size, no app: (frames a second, bytes a frame).
    Protocol "textual-image" is the baseline: the sixel encoder the app used before its own (tui/sixel.py)."""
    from scenetui.control.playback import PLAYING_PX
    from scenetui.media.playback import ClipPlayer
    from scenetui.tui.graphics import Pictures, _fit

    if protocol == "textual-image":
        from textual_image._sixel import image_to_sixels

        def encode(image, cols, rows, playing):  # noqa: ANN001, ANN202
            return image_to_sixels(_fit(image, cols, rows, playing, scaled=False)[0]), 0, 0
    else:
        encode = Pictures(protocol).encoder  # type: ignore[arg-type]
    assert encode is not None

    player = ClipPlayer(clip)
    frames = round(player.duration * player.rate)
    size = 0
    started = time.perf_counter()
    for n in range(frames):
        shown = player.show(n / player.rate, *PANE, True, PLAYING_PX)  # as the player asks while playing
        size += len(encode(shown.picture, PANE[0], PANE[1] - CHROME_ROWS, True)[0])
    player.close()
    return frames / (time.perf_counter() - started), size / frames


async def in_the_app(clip: Path, seconds: float, protocol: str = "") -> dict[str, float]:
    from textual.app import App

    from scenetui.control.playback import PlaybackClock
    from scenetui.media.playback import ClipPlayer
    from scenetui.tui.graphics import Pictures
    from scenetui.tui.widgets.video import FRAMES, VideoView

    widget = FRAMES.get(protocol, VideoView)
    graphic = bool(protocol)  # a frame encoded for a graphics protocol

    class Bench(App[None]):
        def compose(self):  # noqa: ANN202
            yield widget()

    app = Bench()
    async with app.run_test(size=PANE) as pilot:
        view = app.query_one(widget)
        player = ClipPlayer(clip)

        def draw(s) -> None:  # noqa: ANN001
            if graphic:
                view.show(s.graphic[0], s.graphic[1:])
            else:
                view.show(s.lines, s.width)

        clock = PlaybackClock(player, draw, lambda m: None, lambda: (view.size.width, view.size.height - CHROME_ROWS
                                                                     if graphic else view.size.height),
                              encode=Pictures(protocol).encoder if protocol else None)
        clock.encode_playing = graphic
        clock.start(0.0)
        await pilot.pause(0.3)
        cpu0, wall0, drawn0, decoded0 = time.process_time(), time.monotonic(), clock.drawn, player.decoded
        clock.loop = True
        clock.play()
        await asyncio.sleep(seconds)
        clock.pause()
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        drawn, decoded = clock.drawn - drawn0, player.decoded - decoded0
        clock.stop()
        player.close()
    return {"fps": drawn / wall, "cpu": cpu / wall, "dropped": max(0, decoded - drawn) / max(decoded, 1),
            "rate": player.rate}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-playback-"))
    try:
        print(f"720p clip in a {PANE[0]}×{PANE[1]} pane, {args.seconds:.0f} s of playback each\n")
        print(f"{'clip':<12}{'decode fps':>11}{'+cells fps':>11}{'app fps':>9}{'of clip':>9}{'dropped':>9}{'CPU':>7}")
        for source in ("testsrc2", "mandelbrot"):
            clip = make_clip(tmp, source, 5)
            dec, cells = decode_only(clip), cells_only(clip)
            app = asyncio.run(in_the_app(clip, args.seconds))
            print(f"{source:<12}{dec:>11.0f}{cells:>11.0f}{app['fps']:>9.1f}{app['fps'] / app['rate']:>8.0%}"
                  f"{app['dropped']:>9.0%}{app['cpu']:>7.0%}")
        for protocol in ("sixel", "kitty"):
            print(f"\n{protocol}\n{'clip':<12}{'+encode fps':>12}{'KB/frame':>10}{'app fps':>9}{'of clip':>9}"
                  f"{'dropped':>9}{'CPU':>7}{'MB/s':>7}")
            for source in ("testsrc2", "mandelbrot"):
                clip = tmp / f"{source}.mp4"
                encoded, per_frame = encoded_only(clip, protocol)
                if protocol == "sixel":
                    before, _ = encoded_only(clip, "textual-image")
                    print(f"{'':<12}{before:>12.0f}  textual-image's encoder (before): ours is {encoded / before:.2f}×")
                app = asyncio.run(in_the_app(clip, args.seconds, protocol))
                print(f"{source:<12}{encoded:>12.0f}{per_frame / 1024:>10.0f}{app['fps']:>9.1f}"
                      f"{app['fps'] / app['rate']:>8.0%}{app['dropped']:>9.0%}{app['cpu']:>7.0%}"
                      f"{app['fps'] * per_frame / 1e6:>7.1f}")
        print("\nCPU is this process's share of one core while playing (decode threads included).")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
