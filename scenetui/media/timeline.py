"""The cut for an editor: OpenTimelineIO (.otio) or a CMX 3600 EDL (.edl), one clip per scene with its transitions.

Both describe the film exactly as export made it: clip i plays from its start; a transition of T seconds into
clip i+1 begins T before clip i ends (clip i's last T seconds are its handle), and clip i+1 starts at its own 0.
"""

from __future__ import annotations

import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scenetui.errors import UserError
from scenetui.media.film import Transition


@dataclass(frozen=True)
class TimelineClip:
    """One scene's clip as the timeline names it."""

    name: str
    path: Path
    frames: int


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


def edl_text(title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int) -> str:
    """CMX 3600: a cut event per clip, and for a transition the outgoing clip's zero-length cut plus a `D` line."""
    lines = [f"TITLE: {_one_line(title)[:70] or 'scenetui'}", "FCM: NON-DROP FRAME", ""]
    overlaps = _overlaps(clips, transitions, fps)
    rec = 0
    event = 0
    for i, clip in enumerate(clips):
        length = clip.frames - overlaps[i]  # what plays before the next transition starts
        event += 1
        tc = lambda n: _timecode(n, fps)  # noqa: E731
        reel = f"AX{i:03d}"[:8]
        incoming = overlaps[i - 1] if i > 0 else 0
        if incoming:
            prev = clips[i - 1]
            prev_out = prev.frames - incoming
            lines.append(f"{event:03d}  AX{i - 1:03d}    V     C        {tc(prev_out)} {tc(prev_out)} {tc(rec)} {tc(rec)}")
            lines.append(f"{event:03d}  {reel:<8} V     D    {incoming:03d} {tc(0)} {tc(length)} {tc(rec)} {tc(rec + length)}")
        else:
            lines.append(f"{event:03d}  {reel:<8} V     C        {tc(0)} {tc(length)} {tc(rec)} {tc(rec + length)}")
        lines.append(f"* FROM CLIP NAME: {_one_line(clip.name)}")
        lines.append(f"* SOURCE FILE: {_one_line(clip.path)}")
        lines.append("")
        rec += length
    return "\n".join(lines)


def write_timeline(dest: Path, title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int) -> None:
    """Write `.otio` or `.edl` by the file's suffix, whole or not at all (a temp file beside it, renamed)."""
    suffix = dest.suffix.lower()
    if suffix not in (".edl", ".otio"):
        raise UserError(f"--timeline {dest.name}: unknown timeline format", hint="use a .otio or .edl file name")
    fd, name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=suffix)
    tmp = Path(name)
    try:
        if suffix == ".edl":
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(edl_text(title, clips, transitions, fps))
        else:
            os.close(fd)
            _write_otio(tmp, title, clips, transitions, fps)
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


def _write_otio(dest: Path, title: str, clips: list[TimelineClip], transitions: list[Transition], fps: int) -> None:
    import opentimelineio as otio

    rate = float(fps)
    timeline = otio.schema.Timeline(name=title or "scenetui")
    track = otio.schema.Track(name="scenes", kind=otio.schema.TrackKind.Video)
    overlaps = _overlaps(clips, transitions, fps)
    for i, clip in enumerate(clips):
        if i > 0 and overlaps[i - 1]:
            t = transitions[i - 1]
            track.append(otio.schema.Transition(
                name=str(t), transition_type=otio.schema.TransitionTypes.SMPTE_Dissolve if t.name == "fade" else t.name,
                in_offset=otio.opentime.RationalTime(0, rate), out_offset=otio.opentime.RationalTime(overlaps[i - 1], rate)))
        media = otio.schema.ExternalReference(
            target_url=clip.path.resolve().as_uri(),
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), otio.opentime.RationalTime(clip.frames, rate)))
        track.append(otio.schema.Clip(
            name=clip.name, media_reference=media,
            source_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                 otio.opentime.RationalTime(clip.frames - overlaps[i], rate))))
    timeline.tracks.append(track)
    otio.adapters.write_to_file(timeline, str(dest))
