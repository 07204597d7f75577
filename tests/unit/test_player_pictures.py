"""A frame asked for as a picture (a graphics protocol plays it) comes scaled by libswscale to the playing size and
without half-block cells nobody would draw; asked for as cells, it comes as cells only."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scenetui.control.playback import PLAYING_PX
from scenetui.media.ffmpeg import locate_ffmpeg
from scenetui.media.playback import ClipPlayer


def test_a_playing_picture_is_scaled_once_and_has_no_cells(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=24",
                    "-t", "1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True)
    player = ClipPlayer(clip)
    try:
        playing = player.show(0.5, 160, 40, True, PLAYING_PX)
        paused = player.show(0.5, 160, 40, True)
        cells = player.show(0.5, 160, 40)
    finally:
        player.close()
    assert playing.picture is not None and playing.picture.size == (PLAYING_PX, 450) and playing.lines == []
    assert paused.picture is not None and paused.picture.size == (1280, 720)  # paused: as sharp as the clip
    assert cells.picture is None and len(cells.lines) == cells.height and cells.lines[0]
    # the same moment either way: the scaled picture is the full one made smaller (testsrc2's colour bars)
    small = paused.picture.resize(playing.picture.size)
    diff = sum(abs(a - b) for a, b in zip(small.convert("L").tobytes(), playing.picture.convert("L").tobytes()))
    assert diff / (PLAYING_PX * 450) < 12
