"""The final film with transitions and music, re-encoding only the second around each boundary.

Every clip is brought to one profile with keyframes 0.5 s and 1 s from each end (media.profile); the animatic
makes clips that way, other clips are normalised once and cached. Each clip is then split at those keyframes
by stream copy, each boundary's tail+head is re-encoded through ffmpeg's xfade with the same profile, and one
concat pass stream-copies the lot, adds the BT.709 tags and mixes the music. Work grows with the number of
boundaries, not with the film's length, and memory stays that of one short encode.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import av

from scenetui.errors import UserError
from scenetui.media.ffmpeg import run_ffmpeg
from scenetui.media.probe import ClipInfo, InvalidClip, open_media, probe
from scenetui.media.profile import KEY_OFFSETS, MAX_TRANSITION, PROFILE_MARK, QUALITY, h264_args, keyframe_times
from scenetui.media.soundtrack import DUCK_DEFAULT, Loudness, LoudnessReport, Music, make_soundtrack, place_sounds

XFADE = ("fade", "fadeblack", "fadewhite", "fadegrays", "wipeleft", "wiperight", "wipeup", "wipedown", "slideleft",
         "slideright", "slideup", "slidedown", "smoothleft", "smoothright", "smoothup", "smoothdown", "circleopen",
         "circleclose", "circlecrop", "rectcrop", "radial", "distance", "pixelize", "hblur", "dissolve", "diagtl",
         "diagtr", "diagbl", "diagbr", "hlslice", "hrslice", "vuslice", "vdslice", "squeezeh", "squeezev", "zoomin")
ALIASES = {"dissolve": "fade", "crossfade": "fade", "noise": "dissolve"}  # what people call a dissolve is xfade's fade
DEFAULT_SECONDS = 0.5
Progress = Callable[[float], None]


@dataclass(frozen=True)
class Transition:
    """How one scene gives way to the next: a cut, or an xfade transition of `seconds`."""

    name: str = "cut"
    seconds: float = 0.0

    @property
    def is_bridge(self) -> bool:
        """A generated clip between the scenes (the seed's generateTransition), joined with cuts."""
        return self.name == "bridge"

    @property
    def is_cut(self) -> bool:
        return self.name == "cut" or (self.seconds <= 0 and not self.is_bridge)

    def __str__(self) -> str:
        return "bridge" if self.is_bridge else "cut" if self.is_cut else f"{self.name}:{self.seconds:g}"


def parse_transition(text: str) -> Transition:
    """`cut`, `dissolve`, `wipeleft:0.8`, … (seconds default 0.5, at most 1)."""
    name, _, secs = text.strip().lower().partition(":")
    if name in ("cut", "none", ""):
        return Transition()
    if name == "bridge":
        return Transition("bridge")
    xfade = ALIASES.get(name, name)
    if xfade not in XFADE:
        raise UserError(f"unknown transition {name!r}", hint="use cut, dissolve, fadeblack, fadewhite, wipeleft, wiperight, "
                                                            "slideleft, circleopen, … (any ffmpeg xfade name)")
    try:
        seconds = float(secs) if secs else DEFAULT_SECONDS
    except ValueError:
        raise UserError(f"transition {text!r}: {secs!r} is not a number of seconds", hint="e.g. dissolve:0.8") from None
    if not 0 < seconds <= MAX_TRANSITION:
        raise UserError(f"transition {text!r}: {seconds:g}s is out of range",
                        hint=f"transitions last more than 0 and at most {MAX_TRANSITION:g} s")
    return Transition(xfade, seconds)


@dataclass
class FilmReport:
    """What was made and what was decided on the way."""

    duration: float = 0.0
    method: str = "transitions"
    normalised: int = 0
    notes: list[str] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)  # as made: a too-long transition became a cut
    frames: list[int] = field(default_factory=list)  # each clip's frames
    voiced: list[bool] = field(default_factory=list)  # each clip's own sound went into the film
    loudness: LoudnessReport | None = None


@dataclass(frozen=True)
class _Clip:
    info: ClipInfo
    key_frames: frozenset[int]  # frame indices that start a GOP
    profiled: bool  # encoded with the shared profile (stitchable)


def edge_frame(path: Path, which: str, dest: Path) -> Path:
    """Save the clip's first or last frame as a PNG (bridges start and end on them)."""
    picked = None
    with open_media(path) as c:
        for frame in c.decode(c.streams.video[0]):
            picked = frame
            if which == "first":
                break
    if picked is None:
        raise InvalidClip(f"{path.name}: no frames")
    tmp = dest.with_suffix(".part.png")
    picked.to_image().save(tmp, format="PNG")
    tmp.replace(dest)
    return dest


def music_problem(path: Path) -> str | None:
    """Why `path` cannot be the soundtrack, or None."""
    if not path.is_file():
        return f"music file not found: {path}"
    try:
        with open_media(path) as c:
            if not c.streams.audio:
                return f"{path.name} has no audio"
            stream = c.streams.audio[0]
            for packet in c.demux(stream):  # a header is not enough: the first packets must decode
                for _ in packet.decode():
                    return None
            return f"{path.name}: its audio does not decode"
    except (av.FFmpegError, OSError, ValueError) as exc:
        return f"{path.name} is not an audio file ({exc})"


def _inspect(path: Path) -> _Clip:
    info = probe(path, headers_only=True)
    keys: set[int] = set()
    first: float | None = None
    profiled = False
    with av.open(str(path)) as c:
        stream = c.streams.video[0]
        fps = info.fps or 30.0
        times = []
        for packet in c.demux(stream):
            if packet.pts is None:
                continue
            t = float(packet.pts * packet.time_base)
            first = t if first is None else min(first, t)
            if packet.is_keyframe:
                times.append(t)
                if not profiled and len(times) == 1:
                    profiled = PROFILE_MARK in bytes(packet)
        keys = {round((t - (first or 0.0)) * fps) for t in times}
    return _Clip(info, frozenset(keys), profiled)


def _window(transition: Transition, a: _Clip, b: _Clip, fps: float) -> int | None:
    """Frames on each side of the boundary to re-encode, or None when either clip is too short for it."""
    for offset in KEY_OFFSETS:
        if offset >= transition.seconds:
            w = round(offset * fps)
            if a.info.frames > 2 * w and b.info.frames > 2 * w:
                return w
            return None
    return None


def _cache_key(path: Path, size: tuple[int, int], fps: float) -> str:
    st = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{size}|{fps}".encode()).hexdigest()[:24]


def normalised_path(cache: Path, src: Path, size: tuple[int, int], fps: float) -> Path:
    """Where the film's profile copy of `src` is cached (keyed by the file's identity and the target format)."""
    return cache / f"norm-{_cache_key(src, size, fps)}.mp4"


def needs_normalising(clip: _Clip, size: tuple[int, int], fps: float) -> bool:
    i = clip.info
    return (not clip.profiled or (i.width, i.height) != size or round(i.fps, 2) != round(fps, 2)
            or i.pix_fmt != "yuv420p" or i.codec != "h264")


async def prepare_for_film(src: Path, cache: Path, size: tuple[int, int], fps: float) -> bool:
    """Normalise a newly arrived clip ahead of the export (True when a copy was made); the clip itself is untouched."""
    clip = await asyncio.to_thread(_inspect, src)
    target = normalised_path(cache, src, size, fps)
    if not needs_normalising(clip, size, fps) or target.is_file():
        return False
    cache.mkdir(parents=True, exist_ok=True)
    await normalise(src, target, size, fps, clip.info.duration)
    return True


async def normalise(src: Path, dest: Path, size: tuple[int, int], fps: float, seconds: float) -> None:
    """Re-encode one clip into the shared profile at `size`/`fps`, keyframes placed for transitions, no audio."""
    w, h = size
    vf = (f"scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,"
          f"fps={fps:g},format=yuv420p")
    tmp = dest.with_suffix(".part.mp4")
    await run_ffmpeg(["-y", "-i", str(src), "-vf", vf, *h264_args(), "-force_key_frames", keyframe_times(seconds),
                      "-an", "-movflags", "+faststart", "-f", "mp4", str(tmp)], total_seconds=seconds)
    tmp.replace(dest)


async def _split(src: Path, frames: int, cuts: list[int], prefix: Path) -> list[tuple[Path, int]]:
    """Stream-copy `src` into pieces at the keyframes with these frame indices (segment muxer, frame-exact);
    each piece with its number of frames."""
    if not cuts:
        return [(src, frames)]
    pattern = f"{prefix}-%d.mp4"
    await run_ffmpeg(["-y", "-i", str(src), "-map", "0:v:0", "-c", "copy", "-f", "segment", "-segment_frames",
                      ",".join(map(str, cuts)), "-reset_timestamps", "1", "-segment_format", "mp4", pattern])
    edges = [0, *cuts, frames]
    return [(Path(pattern % i), edges[i + 1] - edges[i]) for i in range(len(cuts) + 1)]


async def _piece(tail: Path, head: Path, t: Transition, w: int, fps: float, dest: Path) -> None:
    overlap = round(t.seconds * fps)
    offset = (w - overlap) / fps
    graph = (f"[0:v]settb=AVTB,fps={fps:g}[a];[1:v]settb=AVTB,fps={fps:g}[b];"
             f"[a][b]xfade=transition={t.name}:duration={overlap / fps:.6f}:offset={offset:.6f},format=yuv420p[v]")
    await run_ffmpeg(["-y", "-i", str(tail), "-i", str(head), "-filter_complex", graph, "-map", "[v]", *h264_args(),
                      "-frames:v", str(2 * w - overlap), "-an", "-f", "mp4", str(dest)])


def _concat_file(pieces: Sequence[tuple[Path, int]], fps: float, dest: Path) -> Path:
    """The concat list, each file's duration given: a piece whose first frame is not at 0 (ffmpeg 5's segment
    muxer writes no edit list for B-frame delay) would otherwise push everything after it two frames late."""
    lines = []
    for path, frames in pieces:
        lines.append("file '{}'".format(str(path.resolve()).replace("'", "'\\''")))
        lines.append(f"duration {frames / fps:.6f}")
    dest.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return dest


def mux_args(list_file: Path, dest: Path, duration: float, soundtrack: Path | None, quality: str | None) -> list[str]:
    """One pass over the film: stream copy (or one re-encode at `quality`), BT.709 tags, the soundtrack copied in."""
    args = ["-y", "-f", "concat", "-safe", "0", "-i", str(list_file)]
    if soundtrack is not None:
        args += ["-i", str(soundtrack), "-map", "0:v:0", "-map", "1:a:0", "-c:a", "copy"]
    else:
        args += ["-map", "0:v:0", "-an"]
    if quality:
        crf, preset, _ = QUALITY[quality]
        args += h264_args(crf, preset)
    else:
        args += ["-c:v", "copy", "-bsf:v", "h264_metadata=colour_primaries=1:transfer_characteristics=1:matrix_coefficients=1"]
    return [*args, "-t", f"{duration:.3f}", "-movflags", "+faststart", "-f", "mp4", str(dest)]


async def make_film(clips: Sequence[Path], transitions: Sequence[Transition], dest: Path, work: Path, *,
                    size: tuple[int, int], fps: float, music: Music | None = None, quality: str | None = None,
                    cache: Path | None = None, on_progress: Progress | None = None, duck: float = DUCK_DEFAULT,
                    loudness: Loudness | None = Loudness(), clip_sound: bool = True) -> FilmReport:
    """Join `clips` with `transitions[i]` between clip i and i+1 into `dest` (a staging path); the clips' own sound
    (unless not `clip_sound`) and the music go under it, ducked by `duck` dB and brought to `loudness`."""
    if len(transitions) != max(0, len(clips) - 1):
        raise ValueError("one transition per boundary")
    report = FilmReport()
    progress = on_progress or (lambda f: None)
    work.mkdir(parents=True, exist_ok=True)
    try:
        facts = await asyncio.gather(*(asyncio.to_thread(_inspect, p) for p in clips))
    except InvalidClip as exc:
        raise UserError(f"a clip cannot be read: {exc}") from exc
    sources = [c.info.path if clip_sound and c.info.has_audio else None for c in facts]  # before normalising drops it
    # Clips of another format or profile are normalised once (cached by file identity), so every join is clean.
    odd = [i for i, c in enumerate(facts) if needs_normalising(c, size, fps)]
    store = cache or work
    store.mkdir(parents=True, exist_ok=True)
    gate = asyncio.Semaphore(2)

    async def norm(i: int) -> None:
        src = clips[i]
        target = normalised_path(store, src, size, fps)
        if not target.is_file():
            async with gate:
                await normalise(src, target, size, fps, facts[i].info.duration)
            report.normalised += 1  # made now; a copy prepared when the clip arrived costs nothing here
        facts[i] = await asyncio.to_thread(_inspect, target)

    if odd:
        await asyncio.gather(*(norm(i) for i in odd))
    progress(0.3 if odd else 0.05)
    windows: list[int | None] = []
    for i, t in enumerate(transitions):
        if t.is_cut or t.is_bridge:  # a bridge is its own clip, joined with cuts by the caller
            windows.append(None)
            continue
        w = _window(t, facts[i], facts[i + 1], fps)
        a, b = facts[i], facts[i + 1]
        if w is None or (a.info.frames - w) not in a.key_frames or w not in b.key_frames:
            report.notes.append(f"scenes {i}→{i + 1}: a clip is shorter than the {t.seconds:g}s transition; cut instead")
            windows.append(None)
        else:
            windows.append(w)
    overlaps = [round(t.seconds * fps) if w else 0 for t, w in zip(transitions, windows)]
    report.duration = round((sum(c.info.frames for c in facts) - sum(overlaps)) / fps, 3)
    # The sound is made by processes of its own while the boundaries are encoded (audio only: seconds).
    sounds = place_sounds(sources, [c.info.frames for c in facts], overlaps, fps)
    report.voiced = [s is not None for s in sources]
    soundtrack: Path | None = None
    scoring: asyncio.Task[LoudnessReport | None] | None = None
    if music is not None or sounds:
        soundtrack = work / "sound.m4a"
        scoring = asyncio.create_task(make_soundtrack(sounds, music, report.duration, soundtrack, duck=duck,
                                                      loudness=loudness, bitrate=QUALITY[quality or "high"][2]))
    try:
        return await _join(facts, transitions, windows, work, gate, fps, dest, report, soundtrack, scoring, quality, progress)
    finally:
        if scoring is not None and not scoring.done():
            scoring.cancel()
            await asyncio.gather(scoring, return_exceptions=True)


async def _join(facts: list[_Clip], transitions: Sequence[Transition], windows: list[int | None], work: Path,
                gate: asyncio.Semaphore, fps: float, dest: Path, report: FilmReport, soundtrack: Path | None,
                scoring: asyncio.Task[LoudnessReport | None] | None, quality: str | None, progress: Progress) -> FilmReport:
    """Split, encode the boundary pieces, wait for the soundtrack, and mux the film."""
    # Split every clip at its boundary windows, re-encode each window pair, stream-copy the rest. Each step is a
    # short ffmpeg process: they run side by side (splits only copy; piece encodes share the two cores).
    cuts: list[list[int]] = []
    for i, c in enumerate(facts):
        w_in = windows[i - 1] if i > 0 else None
        w_out = windows[i] if i < len(windows) else None
        cuts.append(([w_in] if w_in else []) + ([c.info.frames - w_out] if w_out else []))
    copy_gate = asyncio.Semaphore(4)

    async def split(i: int) -> list[Path]:
        async with copy_gate:
            return await _split(facts[i].info.path, facts[i].info.frames, cuts[i], work / f"clip{i}")

    parts = list(await asyncio.gather(*(split(i) for i in range(len(facts)))))
    heads = {i: p.pop(0) for i, p in enumerate(parts) if i > 0 and windows[i - 1]}
    tails = {i: p.pop() for i, p in enumerate(parts) if i < len(windows) and windows[i]}

    async def encode(i: int) -> Path:
        piece = work / f"piece{i}.mp4"
        async with gate:
            await _piece(tails[i][0], heads[i + 1][0], transitions[i], windows[i] or 0, fps, piece)
        w = windows[i] or 0
        return piece, 2 * w - round(transitions[i].seconds * fps)

    pieces = dict(zip(sorted(tails), await asyncio.gather(*(encode(i) for i in sorted(tails)))))
    sequence: list[tuple[Path, int]] = []
    for i, p in enumerate(parts):
        sequence.extend(p)
        if i in pieces:
            sequence.append(pieces[i])
    progress(0.5)
    if scoring is not None:
        report.loudness = await scoring
    report.transitions = [t if w else Transition() for t, w in zip(transitions, windows)]
    report.frames = [c.info.frames for c in facts]
    report.method = "transitions" if any(windows) else "cuts"
    list_file = _concat_file(sequence, fps, work / "film.txt")
    await run_ffmpeg(mux_args(list_file, dest, report.duration, soundtrack, quality), total_seconds=report.duration,
                     on_progress=lambda f: progress(0.5 + 0.5 * f))
    return report


async def compress(src: Path, dest: Path, quality: str, on_progress: Progress | None = None) -> None:
    """The seed's compressVideo: one re-encode at a documented quality; audio re-encoded to AAC when present."""
    info = await asyncio.to_thread(probe, src, headers_only=True)
    crf, preset, abitrate = QUALITY[quality]
    audio = ["-c:a", "aac", "-b:a", abitrate] if info.has_audio else ["-an"]
    await run_ffmpeg(["-y", "-i", str(src), "-map", "0:v:0", *(["-map", "0:a:0"] if info.has_audio else []),
                      *h264_args(crf, preset), *audio, "-movflags", "+faststart", "-f", "mp4", str(dest)],
                     total_seconds=info.duration, on_progress=on_progress)
