"""The cut for an editor: OpenTimelineIO (.otio) or a CMX 3600 EDL (.edl), one clip per scene with its transitions,
the scenes' own sound and the music as audio tracks, and the captions as markers.

Both describe the film exactly as export made it: clip i plays from its start; a transition of T seconds into
clip i+1 begins T before clip i ends (clip i's last T seconds are its handle), and clip i+1 starts at its own 0.
A clip's sound runs with its picture (crossfaded where the picture dissolves); the music runs under the whole film.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from scenetui.errors import UserError
from scenetui.safeopen import shared_mode
from scenetui.media.captions import Cue
from scenetui.media.film import Transition
from scenetui.media.soundtrack import Music


@dataclass(frozen=True)
class TimelineClip:
    """One scene's clip as the timeline names it; `sound`: its own audio is in the film."""

    name: str
    path: Path
    frames: int
    sound: bool = False


@dataclass(frozen=True)
class TimelineSound:
    """What the film hears and reads beside its clips: the music under it (ducked by `duck` dB under scene sound)
    and the captions' cues."""

    music: Music | None = None
    duck: float = 0.0
    cues: list[Cue] = field(default_factory=list)


def _timecode(frames: int, fps: int) -> str:
    s, f = divmod(frames, fps)
    m, s = divmod(s, 60)
    h, m = divmod(m, 60)
    return f"{h:02d}:{m:02d}:{s:02d}:{f:02d}"


def _one_line(text: object) -> str:
    """`text` with every character that ends a line anywhere (\\n, \\r, U+2028, U+2029, U+0085 …) or controls the
    terminal made a space: a scene title must not close its EDL event and write another."""
    return "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in str(text))


def _overlaps(clips: list[TimelineClip], transitions: list[Transition], fps: int) -> list[int]:
    return [0 if t.is_cut else round(t.seconds * fps) for t in transitions] + [0]


def edl_text(title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int,
             sound: TimelineSound | None = None) -> str:
    """CMX 3600: a cut event per clip (picture and, for a clip with its own sound, audio: `AA/V`), and for a
    transition the outgoing clip's zero-length cut plus a `D` line; the music as an audio-only event (A3) under the
    film; each caption a locator (`* LOC:`) on the event it begins in."""
    sound = sound or TimelineSound()
    lines = [f"TITLE: {_one_line(title)[:70] or 'scenetui'}", "FCM: NON-DROP FRAME", ""]
    overlaps = _overlaps(clips, transitions, fps)
    rec = 0
    event = 0
    tc = lambda n: _timecode(n, fps)  # noqa: E731
    cues = sorted(sound.cues, key=lambda c: c.start)
    for i, clip in enumerate(clips):
        length = clip.frames - overlaps[i]  # what plays before the next transition starts
        event += 1
        reel = f"AX{i:03d}"[:8]
        track = "AA/V" if clip.sound else "V"
        incoming = overlaps[i - 1] if i > 0 else 0
        if incoming:
            prev = clips[i - 1]
            prev_out = prev.frames - incoming
            prev_track = "AA/V" if prev.sound else "V"
            lines.append(f"{event:03d}  AX{i - 1:03d}    {prev_track:<5} C        {tc(prev_out)} {tc(prev_out)} "
                         f"{tc(rec)} {tc(rec)}")
            lines.append(f"{event:03d}  {reel:<8} {track:<5} D    {incoming:03d} {tc(0)} {tc(length)} {tc(rec)} "
                         f"{tc(rec + length)}")
        else:
            lines.append(f"{event:03d}  {reel:<8} {track:<5} C        {tc(0)} {tc(length)} {tc(rec)} {tc(rec + length)}")
        # what EDL readers relink by (Avid's form, which OTIO's reader and Resolve read): the file's name and path
        lines.append(f"* FROM CLIP NAME: {_one_line(clip.path.name)}")
        lines.append(f"* FROM CLIP: {_one_line(clip.path)}")
        lines.append(f"* COMMENT: {_one_line(clip.name)}")
        last = i == len(clips) - 1
        while cues and (last or round(cues[0].start * fps) < rec + length):
            cue = cues.pop(0)
            lines.append(f"* LOC: {tc(round(cue.start * fps))} WHITE  {_one_line(cue.text)}")
        lines.append("")
        rec += length
    if sound.music is not None:
        event += 1
        lines += [f"{event:03d}  MUSIC    A3    C        {tc(0)} {tc(rec)} {tc(0)} {tc(rec)}",
                  f"* FROM CLIP NAME: {_one_line(sound.music.path.name)}",
                  f"* FROM CLIP: {_one_line(sound.music.path)}",
                  f"* COMMENT: music, {sound.music.volume_db:g} dB, ducked {sound.duck:g} dB under scene sound, looped "
                  "or trimmed to the film", ""]
    return "\n".join(lines)


def write_timeline(dest: Path, title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int,
                   sound: TimelineSound | None = None) -> None:
    """Write `.otio` or `.edl` by the file's suffix, whole or not at all (a temp file beside it, renamed)."""
    suffix = dest.suffix.lower()
    if suffix not in (".edl", ".otio"):
        raise UserError(f"--timeline {dest.name}: unknown timeline format", hint="use a .otio or .edl file name")
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=suffix)
    tmp = Path(name)
    os.fchmod(fd, shared_mode())  # for an editor, maybe on another account: the user's umask, not 0600
    try:
        if suffix == ".edl":
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(edl_text(title, clips, transitions, fps, sound))
        else:
            os.close(fd)
            _write_otio(tmp, title, clips, transitions, fps, sound or TimelineSound())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _write_otio(dest: Path, title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int,
                sound: TimelineSound) -> None:
    import opentimelineio as otio

    rate = float(fps)
    rt = lambda n: otio.opentime.RationalTime(n, rate)  # noqa: E731
    timeline = otio.schema.Timeline(name=title or "scenetui")
    video = otio.schema.Track(name="scenes", kind=otio.schema.TrackKind.Video)
    voices = otio.schema.Track(name="scene sound", kind=otio.schema.TrackKind.Audio)
    overlaps = _overlaps(clips, transitions, fps)
    for i, clip in enumerate(clips):
        if i > 0 and overlaps[i - 1]:
            t = transitions[i - 1]
            kind = otio.schema.TransitionTypes.SMPTE_Dissolve if t.name == "fade" else t.name
            video.append(otio.schema.Transition(name=str(t), transition_type=kind, in_offset=rt(0),
                                                out_offset=rt(overlaps[i - 1])))
            voices.append(otio.schema.Transition(name="crossfade", transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve,
                                                 in_offset=rt(0), out_offset=rt(overlaps[i - 1])))
        played = otio.opentime.TimeRange(rt(0), rt(clip.frames - overlaps[i]))
        for track, plays in ((video, True), (voices, clip.sound)):
            if not plays:  # a silent clip is silence under its picture
                track.append(otio.schema.Gap(source_range=played))
                continue
            media = otio.schema.ExternalReference(target_url=clip.path.resolve().as_uri(),
                                                  available_range=otio.opentime.TimeRange(rt(0), rt(clip.frames)))
            track.append(otio.schema.Clip(name=clip.name, media_reference=media, source_range=played))
    film = video.duration()
    for cue in sound.cues:
        start = rt(round(cue.start * fps))
        video.markers.append(otio.schema.Marker(
            name=cue.text, color=otio.schema.MarkerColor.WHITE, metadata={"scenetui": {"caption": cue.text}},
            marked_range=otio.opentime.TimeRange(start, rt(round(cue.end * fps)) - start)))
    timeline.tracks.append(video)
    if any(c.sound for c in clips):
        timeline.tracks.append(voices)
    if sound.music is not None:
        music = otio.schema.Track(name="music", kind=otio.schema.TrackKind.Audio)
        music.append(otio.schema.Clip(
            name="music", media_reference=otio.schema.ExternalReference(target_url=sound.music.path.resolve().as_uri()),
            source_range=otio.opentime.TimeRange(rt(0), film),
            metadata={"scenetui": {"volumeDb": sound.music.volume_db, "duckDb": sound.duck, "loopedToFilm": True}}))
        timeline.tracks.append(music)
    otio.adapters.write_to_file(timeline, str(dest))
