"""The EDL an editor reads: no title or clip name can close its event and write another."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.media.film import parse_transition
from scenetui.media.timeline import TimelineClip, edl_text, write_timeline

EVIL = "\n002  AX999    V     C        00:00:00:00 00:00:05:00 00:00:00:00 00:00:05:00\n* SOURCE FILE: /etc/shadow"


@pytest.mark.parametrize("breaker", ["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x1c"])
def test_a_line_breaker_in_a_name_stays_inside_its_event(breaker: str) -> None:
    clips = [TimelineClip(f"scene {i}" + EVIL.replace("\n", breaker), Path(f"/w/{i}.mp4"), 150) for i in range(3)]
    edl = edl_text("Title" + breaker + "FCM: DROP FRAME", clips, [parse_transition("cut")] * 2, 30)
    lines = edl.splitlines()
    assert lines[0].startswith("TITLE: ") and lines[1] == "FCM: NON-DROP FRAME"
    assert len([line for line in lines if line[:3].isdigit()]) == 3
    assert not any(line.startswith("* SOURCE FILE: /etc/shadow") for line in lines)


def test_the_edl_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    """The disk fills mid-write (a file-size limit stands in for it): the previous cut is kept, no temp file left."""
    import resource
    import signal
    import subprocess
    import sys

    dest = tmp_path / "cut.edl"
    dest.write_text("the previous cut\n")
    code = ("import sys; from pathlib import Path; from scenetui.media.timeline import TimelineClip, write_timeline; "
            "from scenetui.media.film import parse_transition; "
            "write_timeline(Path(sys.argv[1]), 'T', [TimelineClip(f'scene {i}', Path(f'/w/{i}.mp4'), 150) "
            "for i in range(200)], [parse_transition('cut')] * 199, 30)")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    r = subprocess.run([sys.executable, "-c", code, str(dest)], preexec_fn=limit, capture_output=True, text=True)
    assert r.returncode != 0 and "File too large" in r.stderr
    assert dest.read_text() == "the previous cut\n"
    assert [p.name for p in tmp_path.iterdir()] == ["cut.edl"]
