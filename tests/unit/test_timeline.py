"""The cut an editor reads: no title or clip name can close an EDL event and write another; scene sound, music and
captions are in both the EDL and the OTIO timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from scenetui.media.captions import Cue
from scenetui.media.film import parse_transition
from scenetui.media.soundtrack import Music
from scenetui.media.timeline import TimelineClip, TimelineSound, edl_text, write_timeline

EVIL = "\n002  AX999    V     C        00:00:00:00 00:00:05:00 00:00:00:00 00:00:05:00\n* FROM CLIP: /etc/shadow"


@pytest.mark.parametrize("breaker", ["\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x1c"])
def test_a_line_breaker_in_a_name_stays_inside_its_event(breaker: str) -> None:
    clips = [TimelineClip(f"scene {i}" + EVIL.replace("\n", breaker), Path(f"/w/{i}.mp4"), 150) for i in range(3)]
    edl = edl_text("Title" + breaker + "FCM: DROP FRAME", clips, [parse_transition("cut")] * 2, 30)
    lines = edl.splitlines()
    assert lines[0].startswith("TITLE: ") and lines[1] == "FCM: NON-DROP FRAME"
    assert len([line for line in lines if line[:3].isdigit()]) == 3
    assert not any(line.startswith("* FROM CLIP: /etc/shadow") for line in lines)


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


def _sounding() -> tuple[list[TimelineClip], list, TimelineSound]:
    clips = [TimelineClip("scene 0", Path("/w/0.mp4"), 150, sound=True), TimelineClip("scene 1", Path("/w/1.mp4"), 150),
             TimelineClip("scene 2", Path("/w/2.mp4"), 150, sound=True)]
    cues = [Cue(5.25, 9.25, "The storm\nbreaks."), Cue(9.75, 14.0, "Dawn.")]
    return clips, [parse_transition("dissolve:0.5")] * 2, TimelineSound(Music(Path("/m/score.wav"), -6), 8, cues)


def test_the_edl_carries_scene_sound_the_music_and_caption_locators() -> None:
    clips, transitions, sound = _sounding()
    lines = edl_text("T", clips, transitions, 30, sound).splitlines()
    events = [line for line in lines if line[:3].isdigit()]
    assert events[0].split()[2] == "AA/V" and events[1].split()[2] == "AA/V"  # scene 0, as the dissolve's outgoing
    assert events[2].split()[2] == "V" and events[2].split()[3] == "D"  # scene 1 comes in silent
    assert events[-1].split()[1:3] == ["MUSIC", "A3"] and events[-1].split()[-1] == "00:00:14:00"
    locs = [line for line in lines if line.startswith("* LOC:")]
    assert locs == ["* LOC: 00:00:05:08 WHITE  The storm breaks.", "* LOC: 00:00:09:22 WHITE  Dawn."]
    # each locator sits in the event it begins in: the first under scene 1's, the second under scene 2's
    assert lines.index(locs[0]) > lines.index(events[2]) and lines.index(locs[1]) > lines.index(events[4])
    # OTIO's CMX 3600 reader sees the picture, the scenes' sound on A1/A2, the music on A3, captions as markers
    import otio_cmx3600_adapter.cmx_3600 as cmx

    back = cmx.read_from_string("\n".join(lines), rate=30)
    tracks = {t.name: t for t in back.tracks}
    assert sorted(tracks) == ["A1", "A2", "A3", "V"]
    assert [c.media_reference.target_url for c in tracks["A3"] if c.schema_name() == "Clip"] == ["/m/score.wav"]
    assert any(c.media_reference.target_url.endswith("/w/0.mp4") for c in tracks["A1"] if c.schema_name() == "Clip")
    marks = [m.name for t in back.tracks for c in t if c.schema_name() == "Clip" for m in c.markers]
    assert "The storm breaks." in marks and "Dawn." in marks


def test_the_otio_has_a_scene_sound_track_a_music_track_and_caption_markers(tmp_path: Path) -> None:
    import opentimelineio as otio

    clips, transitions, sound = _sounding()
    write_timeline(tmp_path / "cut.otio", "T", clips, transitions, 30, sound)
    video, voices, music = otio.adapters.read_from_file(str(tmp_path / "cut.otio")).tracks
    assert voices.kind == music.kind == otio.schema.TrackKind.Audio
    assert [type(i).__name__ for i in voices] == ["Clip", "Transition", "Gap", "Transition", "Clip"]
    assert voices.duration() == video.duration() == music.duration() == otio.opentime.RationalTime(420, 30)
    assert music[0].metadata["scenetui"] == {"volumeDb": -6, "duckDb": 8, "loopedToFilm": True}
    marks = [(m.name, m.marked_range.start_time.value, m.marked_range.duration.value) for m in video.markers]
    assert marks == [("The storm\nbreaks.", 158, 120), ("Dawn.", 292, 128)]
