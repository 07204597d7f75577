"""The film's sound on its own: each clip's audio at its place in the cut (faded across a transition as the picture
is), the music bed under it ducked while scenes speak, and the mix measured and brought to a loudness target in
two passes (EBU R128). Audio only, so it runs beside the picture's encodes and costs seconds, not a re-encode.

The graphs are built with ffmpeg-python: a graph is data that tests can read without running ffmpeg. It is
imported where a graph is built (~70 ms), not when the app or a render starts.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from scenetui.errors import UserError
from scenetui.media.ffmpeg import run_ffmpeg
from scenetui.media.placement import clip_places

RATE = 48000
DUCK_DEFAULT = 8.0  # dB the music drops under scene sound at a typical level
DUCK_MAX = 12.0
LOUDNESS_DEFAULT = -14.0  # integrated LUFS: the common streaming target; -23 is EBU broadcast
LOUDNESS_RANGE = (-36.0, -8.0)
TRUE_PEAK = -1.0  # dBTP
LOUDNESS_RANGE_TARGET = 11.0  # LU; loudnorm's LRA target, wide enough not to squash a film's dynamics
# Ducking is a sidechain compressor keyed by the scenes' sound: above THRESHOLD (about -34 dBFS) the music is
# turned down by (level - threshold) * (1 - 1/ratio); the ratio is chosen so that scene sound at TYPICAL_LEVEL
# takes `duck` dB off the music.
DUCK_THRESHOLD = 0.02
TYPICAL_LEVEL_DB = -18.0


@dataclass(frozen=True)
class SceneSound:
    """One clip's audio in the film: from `start` for `duration` seconds, faded in and out over its transitions."""

    path: Path
    start: float
    duration: float
    fade_in: float = 0.0
    fade_out: float = 0.0


@dataclass(frozen=True)
class Music:
    """The music under the film: looped or trimmed to it, faded in and out, at `volume_db`."""

    path: Path
    volume_db: float = 0.0


@dataclass(frozen=True)
class Loudness:
    """The integrated loudness (LUFS) and true peak (dBTP) the mix is brought to."""

    target: float = LOUDNESS_DEFAULT
    true_peak: float = TRUE_PEAK


@dataclass(frozen=True)
class LoudnessReport:
    """What the mix measured before and after normalising (loudnorm's own EBU R128 measurements)."""

    target: float
    measured_lufs: float
    measured_true_peak: float
    lufs: float
    true_peak: float

    def to_wire(self) -> dict[str, float]:
        """camelCase, as every --json key is."""
        def camel(name: str) -> str:
            head, *rest = name.split("_")
            return head + "".join(part.title() for part in rest)

        return {camel(k): round(v, 2) for k, v in asdict(self).items()}


def check_loudness(value: float) -> Loudness:
    """--loudness LUFS: a finite target from -36 to -8 (-14 streaming, -23 broadcast)."""
    low, high = LOUDNESS_RANGE
    if not (math.isfinite(value) and low <= value <= high):
        raise UserError(f"--loudness {value:g}: out of range",
                        hint=f"give integrated loudness in LUFS from {low:g} to {high:g} (-14 streaming, -23 broadcast), "
                             "or off")
    return Loudness(value)


def check_duck(value: float) -> float:
    """--duck DB: how far the music drops under scene sound, 0 (not at all) to 12."""
    if not (math.isfinite(value) and 0 <= value <= DUCK_MAX):
        raise UserError(f"--duck {value:g}: out of range", hint=f"give how many dB the music drops, 0 to {DUCK_MAX:g}")
    return value


def place_sounds(sources: Sequence[Path | None], frames: Sequence[int], overlaps: Sequence[int],
                 fps: float) -> list[SceneSound]:
    """Where each clip with audio (`sources[i]`, None for a silent one) sounds in the film: where it is seen
    (media.placement), faded over each overlap."""
    if len(frames) != len(sources):
        raise ValueError("one source per clip")
    return [SceneSound(path, p.start / fps, p.frames / fps, p.before / fps, p.after / fps)
            for path, p in zip(sources, clip_places(frames, overlaps)) if path is not None]


def _duck_ratio(duck: float) -> float:
    over = TYPICAL_LEVEL_DB - 20 * math.log10(DUCK_THRESHOLD)
    return min(20.0, over / max(over - duck, 1e-3))


def _scene_stream(sound: SceneSound) -> Any:
    import ffmpeg

    # ffmpeg-python merges nodes with equal arguments: the same file at two places would become one input with two
    # outputs. The input's read limit and offset (undone by asetpts) keep each placement an input of its own.
    s = (ffmpeg.input(str(sound.path), t=f"{sound.duration:.6f}", itsoffset=f"{sound.start:.6f}").audio
         .filter("atrim", duration=f"{sound.duration:.6f}").filter("asetpts", "PTS-STARTPTS")
         .filter("aformat", sample_fmts="fltp", sample_rates=RATE, channel_layouts="stereo"))
    if sound.fade_in > 0:
        s = s.filter("afade", t="in", d=f"{sound.fade_in:.6f}")
    if sound.fade_out > 0:
        s = s.filter("afade", t="out", st=f"{sound.duration - sound.fade_out:.6f}", d=f"{sound.fade_out:.6f}")
    delay = round(sound.start * 1000)
    return s.filter("adelay", delays=f"{delay}|{delay}") if delay else s


def _to_length(stream: Any, duration: float) -> Any:
    return stream.filter("apad", whole_dur=f"{duration:.6f}").filter("atrim", duration=f"{duration:.6f}")


def _music_stream(bed: Music, duration: float) -> Any:
    import ffmpeg

    fade_in = min(1.0, duration / 4)
    fade_out = min(2.0, duration / 4)
    return (ffmpeg.input(str(bed.path), stream_loop=-1).audio
            .filter("atrim", duration=f"{duration:.6f}").filter("asetpts", "N/SR/TB")
            .filter("aformat", sample_fmts="fltp", sample_rates=RATE, channel_layouts="stereo")
            .filter("afade", t="in", d=f"{fade_in:.6f}")
            .filter("afade", t="out", st=f"{duration - fade_out:.6f}", d=f"{fade_out:.6f}")
            .filter("volume", f"{bed.volume_db:g}dB"))


def mix_graph(sounds: Sequence[SceneSound], music: Music | None, duration: float, duck: float) -> Any:
    """The film's mix as one audio stream of `duration` seconds (None when there is nothing to hear)."""
    import ffmpeg

    scenes = None
    if sounds:
        streams = [_scene_stream(s) for s in sounds]
        scenes = streams[0] if len(streams) == 1 else ffmpeg.filter(
            streams, "amix", inputs=len(streams), normalize=0, dropout_transition=0, duration="longest")
        scenes = _to_length(scenes, duration)
    if music is None:
        return scenes
    bed = _music_stream(music, duration)
    if scenes is None:
        return bed
    if duck > 0:
        key = scenes.filter_multi_output("asplit")
        bed = ffmpeg.filter([bed, key[0]], "sidechaincompress", threshold=DUCK_THRESHOLD,
                              ratio=f"{_duck_ratio(duck):.3f}", attack=20, release=400, detection="rms")
        scenes = key[1]
    return ffmpeg.filter([bed, scenes], "amix", inputs=2, normalize=0, dropout_transition=0, duration="first")


def _args(stream: Any, dest: str, **out: Any) -> list[str]:
    """The ffmpeg arguments for `stream` into `dest`, without the program name (run_ffmpeg adds its own)."""
    import ffmpeg

    return list(ffmpeg.output(stream, dest, **out).overwrite_output().compile())[1:]


def measure_args(mix: Any, loudness: Loudness) -> list[str]:
    """Pass one: loudnorm measures the mix (its JSON report on stderr), nothing written."""
    stream = mix.filter("loudnorm", I=loudness.target, TP=loudness.true_peak, LRA=LOUDNESS_RANGE_TARGET,
                        print_format="json")
    return _args(stream, "-", f="null")


def encode_args(mix: Any, dest: Path, duration: float, bitrate: str, loudness: Loudness | None,
                measured: dict[str, str] | None) -> list[str]:
    """Pass two (or the only pass): the mix, normalised with pass one's figures (linear gain), as AAC."""
    stream = mix
    if loudness is not None and measured is not None:
        stream = stream.filter(
            "loudnorm", I=loudness.target, TP=loudness.true_peak, LRA=LOUDNESS_RANGE_TARGET,
            measured_I=measured["input_i"], measured_TP=measured["input_tp"], measured_LRA=measured["input_lra"],
            measured_thresh=measured["input_thresh"], offset=measured["target_offset"], linear="true",
            print_format="json").filter("aresample", RATE)
    # the encoder's end of the graph is pinned too: left open, a mono input arriving late fails the negotiation
    stream = stream.filter("aformat", sample_fmts="fltp", sample_rates=RATE, channel_layouts="stereo")
    return _args(stream, str(dest), t=f"{duration:.3f}", vn=None, **{"c:a": "aac", "b:a": bitrate}, f="mp4")


_REPORT = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


def parse_loudnorm(log: str) -> dict[str, str]:
    """loudnorm's JSON report from an ffmpeg log."""
    found = _REPORT.findall(log)
    if not found:
        raise ValueError("loudnorm printed no report")
    data = json.loads(found[-1])
    return {k: str(v) for k, v in data.items()}


def _figure(value: str) -> float:
    number = float(value)  # "-inf" for silence
    return number if math.isfinite(number) else -99.0


async def make_soundtrack(sounds: Sequence[SceneSound], music: Music | None, duration: float, dest: Path, *,
                          duck: float = DUCK_DEFAULT, loudness: Loudness | None = Loudness(),
                          bitrate: str = "192k") -> LoudnessReport | None:
    """Write the film's sound to `dest` (AAC in MP4); the loudness figures when it was normalised."""
    mix = mix_graph(sounds, music, duration, duck)
    if mix is None:
        raise ValueError("nothing to hear: no scene sound and no music")
    first = None
    if loudness is not None:
        first = parse_loudnorm(await run_ffmpeg(measure_args(mix, loudness), loglevel="info"))
    # a silent mix is left as it is: loudnorm would only bring up the noise floor
    measured = first if first is not None and math.isfinite(float(first["input_i"])) else None
    log = await run_ffmpeg(encode_args(mix, dest, duration, bitrate, loudness, measured), total_seconds=duration,
                           loglevel="info" if measured else "error")
    if loudness is None or first is None:
        return None
    if measured is None:
        return LoudnessReport(loudness.target, -99.0, -99.0, -99.0, -99.0)
    second = parse_loudnorm(log)
    return LoudnessReport(loudness.target, _figure(first["input_i"]), _figure(first["input_tp"]),
                          _figure(second["output_i"]), _figure(second["output_tp"]))
