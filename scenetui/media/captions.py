"""Captions: each scene's `caption` (or `dialogue`) as a cue over that scene's time in the film, written as SRT and
WebVTT. A transition's overlap is split at its middle, where the picture is half one scene and half the next.
Caption text is shown as text, never interpreted: control characters are dropped and markup is escaped."""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from scenetui.media.ffmpeg import run_ffmpeg
from scenetui.media.placement import clip_places
from scenetui.media.probe import probe
from scenetui.media.profile import QUALITY, h264_args

MAX_CAPTION = 500  # characters: a caption is a line or two on screen, not a script
# --burn-subtitles: white DejaVu Sans on a half-transparent dark box, bottom centre (libass ASS style; sizes are in
# its 288-line script space, so they scale with the picture)
BURN_STYLE = ("FontName=DejaVu Sans,FontSize=16,PrimaryColour=&H00FFFFFF,BackColour=&H80000000,OutlineColour=&H80000000,"
              "BorderStyle=3,Outline=2,Shadow=0,Alignment=2,MarginV=18")


@dataclass(frozen=True)
class Cue:
    """One caption over [start, end) seconds of the film."""

    start: float
    end: float
    text: str


def clean_caption(text: str) -> str:
    """The words alone: control characters (escape sequences included) dropped, runs of spaces folded, at most two
    lines."""
    kept = "".join(ch if ch == "\n" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in kept.split("\n")]
    return "\n".join([line for line in lines if line][:2])


def caption_cues(texts: list[str | None], frames: list[int], overlaps: list[int], fps: float) -> list[Cue]:
    """Cues for the film's clips in order: `texts[i]` (None: no caption) over clip i, whose length is `frames[i]`;
    `overlaps[i]` frames of clip i and clip i+1 are shown together (a transition; 0 for a cut)."""
    cues: list[Cue] = []
    for i, p in enumerate(clip_places(frames, overlaps)):
        text = clean_caption(texts[i] or "") if i < len(texts) else ""
        if text:
            cues.append(Cue((p.start + p.before / 2) / fps, (p.start + p.frames - p.after / 2) / fps, text))
    return cues


def _stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def srt_text(cues: list[Cue]) -> str:
    """SubRip. Players read <i>…</i> and {\\an8} in it, so angle and curly brackets become look-alikes."""
    table = str.maketrans({"<": "‹", ">": "›", "{": "(", "}": ")"})
    blocks = [f"{n}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text.translate(table)}\n"
              for n, c in enumerate(cues, 1)]
    return "\n".join(blocks)


def vtt_text(cues: list[Cue]) -> str:
    """WebVTT, with the text escaped as its spec says (&, <, >)."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{escape(c.text)}\n" for c in cues]
    return "WEBVTT\n\n" + "\n".join(blocks)


async def add_subtitle_track(film: Path, subtitles: Path, dest: Path) -> None:
    """`film` with `subtitles` as a soft track (mov_text) at `dest`; the picture and sound are copied, not encoded."""
    await run_ffmpeg(["-y", "-i", str(film), "-i", str(subtitles), "-map", "0", "-map", "1:0", "-c", "copy",
                      "-c:s", "mov_text", "-metadata:s:s:0", "language=und", "-movflags", "+faststart", str(dest)])


async def burn_subtitles(film: Path, subtitles: Path, dest: Path, quality: str, seconds: float) -> None:
    """`film` with the captions drawn into its picture (libass) at `dest`: the picture re-encoded once at `quality`,
    the sound copied. The filter graph comes from ffmpeg-python, which escapes the file name for it."""
    import ffmpeg

    source = ffmpeg.input(str(film))
    picture = source.video.filter("subtitles", filename=str(subtitles), force_style=BURN_STYLE, charenc="UTF-8")
    voiced = (await asyncio.to_thread(probe, film, headers_only=True)).has_audio
    streams = [picture, source.audio] if voiced else [picture]
    crf, preset, _ = QUALITY[quality]
    args = h264_args(crf, preset)
    encode = {flag.lstrip("-"): value for flag, value in zip(args[::2], args[1::2])}
    out = ffmpeg.output(*streams, str(dest), **encode, **{"c:a": "copy"}, movflags="+faststart", f="mp4")
    await run_ffmpeg(list(out.overwrite_output().compile())[1:], total_seconds=seconds)
