"""Closing a player while its worker thread is decoding (the preview closed mid-frame) must wait for that frame:
freeing PyAV's decoder under it crashed the whole process (SIGSEGV), which a test in the same process would not
survive — so the race runs in a child process, hundreds of times."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

RACE = """
import sys, threading, time
from pathlib import Path
from scenetui.media.playback import ClipPlayer, PlaybackError

for i in range(250):
    player = ClipPlayer(Path(sys.argv[1]))

    def run() -> None:
        n = 0
        while True:
            try:
                player.show((n % 48) / 24, 160, 40, True)
            except PlaybackError:
                return
            n += 7

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(0.001 * (i % 23))
    player.close()
    worker.join()
    try:
        player.show(0.0, 10, 10)
        raise SystemExit("a closed player still decoded")
    except PlaybackError:
        pass
print("survived")
"""


def test_closing_mid_frame_waits_for_the_frame(tmp_path: Path) -> None:
    from scenetui.media.ffmpeg import locate_ffmpeg

    clip = tmp_path / "clip.mp4"
    subprocess.run([locate_ffmpeg().path, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=24",
                    "-t", "2", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(clip)], check=True)
    root = Path(__file__).resolve().parents[2]
    r = subprocess.run([sys.executable, "-X", "faulthandler", "-c", RACE, str(clip)], capture_output=True, text=True,
                       timeout=240, cwd=root, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    assert r.returncode == 0 and "survived" in r.stdout, (r.returncode, r.stdout[-500:], r.stderr[-3000:])
