"""Probing and validating clips in-process with PyAV (no ffprobe needed)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.container

from scenetui.media.sampletables import ImplausibleClip, check_sample_tables

MAX_W, MAX_H = 7680, 4320
MAX_PIXELS = MAX_W * MAX_H


@dataclass(frozen=True)
class ClipInfo:
    """What a video file is: duration, frames, size, fps, codec, pixel format, audio."""

    path: Path
    duration: float
    frames: int
    width: int
    height: int
    fps: float
    codec: str
    pix_fmt: str
    size_bytes: int
    has_audio: bool
    indexed_frames: int = 0  # what the container's index claims (0: it does not say)

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"

    def same_format(self, other: ClipInfo) -> bool:
        """True when the two can be joined by stream copy."""
        return (self.width, self.height, self.codec, self.pix_fmt, round(self.fps, 2), self.has_audio) == (
            other.width, other.height, other.codec, other.pix_fmt, round(other.fps, 2), other.has_audio
        )


class InvalidClip(Exception):
    """A clip that does not open, decode, or match what was asked."""


# Demuxers that read other files (or URLs) named inside the one given: a playlist is not a clip or a soundtrack.
LIST_FORMATS = frozenset({"hls", "concat", "dash", "webm_dash_manifest", "ffmetadata", "tee"})
_LIST_HEADS = (b"#EXTM3U", b"ffconcat", b"#EXTINF", b"[playlist]", b"<?xml", b"<MPD", b"<smil", b"file ")


def check_not_a_list(path: Path) -> None:
    """Refuse a playlist or concat list by its first bytes, before libavformat could open what it names."""
    try:
        with path.open("rb") as fh:
            head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError:
        return  # av.open says why
    if any(head.lower().startswith(mark.lower()) for mark in _LIST_HEADS):
        raise ImplausibleClip("it is a playlist or list naming other files, not a media file")


def open_media(path: Path) -> av.container.InputContainer:
    """av.open for reading, after the file's sample tables were found plausible for its size (libavformat would build
    an index of whatever size they claim) and with no picture larger than 8K; ImplausibleClip (a ValueError)
    otherwise."""
    check_sample_tables(path)
    check_not_a_list(path)
    container = av.open(str(path))
    if container.format.name in LIST_FORMATS:
        container.close()
        raise ImplausibleClip(f"it is a {container.format.name} list naming other files, not a media file")
    for stream in container.streams.video:
        w, h = stream.codec_context.width, stream.codec_context.height
        if w * h > MAX_PIXELS:  # one decoded frame of 16000x16000 is gigabytes in the player
            container.close()
            raise ImplausibleClip(f"its picture is {w}x{h}, larger than 8K ({MAX_W}x{MAX_H})")
    return container


def probe(path: Path, *, decode: bool = False, headers_only: bool = False) -> ClipInfo:
    """Read a clip's facts; decode=True decodes every frame (damage anywhere is found), headers_only=True
    reads just the container header (frames is then the header's count, duration the container's)."""
    try:
        size = path.stat().st_size
        with open_media(path) as container:
            if not container.streams.video:
                raise InvalidClip(f"{path.name}: no video stream")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(0)
            frames = 0
            last_pts_time = 0.0
            if headers_only:
                frames = stream.frames
                last_pts_time = (container.duration or 0) / 1e6 - (1.0 / float(rate) if rate else 0.0)
            elif decode:
                for frame in container.decode(stream):
                    frames += 1
                    if frame.time is not None:
                        last_pts_time = max(last_pts_time, frame.time)
            else:
                for packet in container.demux(stream):
                    if packet.size:
                        frames += 1
                        if packet.pts is not None and packet.time_base:
                            last_pts_time = max(last_pts_time, float(packet.pts * packet.time_base))
            fps = float(rate) if rate else 0.0
            duration = last_pts_time + (1.0 / fps if fps else 0.0)
            indexed = int(stream.frames or 0)
            return ClipInfo(
                path=path,
                duration=round(duration, 3),
                frames=frames,
                width=stream.codec_context.width,
                height=stream.codec_context.height,
                fps=fps,
                codec=stream.codec_context.name,
                pix_fmt=stream.codec_context.pix_fmt or "",
                size_bytes=size,
                has_audio=bool(container.streams.audio),
                indexed_frames=indexed,
            )
    except InvalidClip:
        raise
    except ImplausibleClip as exc:
        raise InvalidClip(f"{path.name}: {exc}") from None
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise InvalidClip(f"{path.name}: cannot be read as video ({exc})") from exc


def validate_clip(
    path: Path, *, seconds: float, size: tuple[int, int] | None = None, tolerance: float = 0.5, decode: bool = True
) -> ClipInfo:
    """Probe a clip and check it decodes, lasts about `seconds` and has the asked size."""
    info = probe(path, decode=decode)
    if info.frames == 0:
        raise InvalidClip(f"{path.name}: no frames")
    if abs(info.duration - seconds) > tolerance:
        raise InvalidClip(f"{path.name}: lasts {info.duration:.2f}s, expected about {seconds:g}s")
    if size and (info.width, info.height) != size:
        raise InvalidClip(f"{path.name}: is {info.resolution}, expected {size[0]}x{size[1]}")
    return info


def film_clip_problem(path: Path, *, seconds: float) -> str | None:
    """Why a stored clip cannot be a scene of the film (truncated, a single frame, under a quarter of the length
    asked), or None. Longer is fine (a scene rendered at 9 s for a 5 s script is whole), and so is a clip a person
    cut shorter on purpose; every clip a render stores was checked to within half a second."""
    try:
        info = probe(path)
    except InvalidClip as exc:
        return str(exc)
    if info.indexed_frames and info.frames < info.indexed_frames:
        return f"{path.name}: truncated ({info.frames} of its {info.indexed_frames} frames are in the file)"
    if info.frames < 2 or info.duration < seconds / 4:
        return f"{path.name}: lasts {info.duration:.2f}s ({info.frames} frames), expected about {seconds:g}s"
    return None
