"""The one H.264 profile every clip, boundary piece and film uses, so stream-copied joins play everywhere.

`stitchable=1` keeps x264's headers independent of the content, so pieces encoded at different times share
SPS/PPS; keyframes at 0.5 s and 1 s from each end let a transition re-encode only those windows.
"""

from __future__ import annotations

KEY_OFFSETS = (0.5, 1.0)  # seconds from each end of a normalised clip that start a GOP
MAX_TRANSITION = KEY_OFFSETS[-1]
PROFILE_MARK = b"stitchable=1"  # x264 writes its options into the first frame: how a normalised clip is known
BT709 = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709"]

QUALITY = {
    # name: (crf, preset, audio bitrate) — measured trade-off in the README
    "high": (18, "slow", "192k"),
    "balanced": (23, "medium", "160k"),
    "small": (28, "medium", "96k"),
}
CLIP_CRF, CLIP_PRESET = 20, "veryfast"  # clips and boundary pieces: visually lossless, fast


def h264_args(crf: int = CLIP_CRF, preset: str = CLIP_PRESET) -> list[str]:
    """Encoder arguments of the shared profile (yuv420p, High, BT.709 tags)."""
    return ["-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-pix_fmt", "yuv420p", "-profile:v", "high",
            "-x264-params", "stitchable=1", *BT709]


def keyframe_times(seconds: float) -> str:
    """`-force_key_frames` for a clip of `seconds`: 0, each KEY_OFFSET from the start and from the end."""
    times = {0.0}
    for k in KEY_OFFSETS:
        if seconds > 2 * k:
            times.update((k, round(seconds - k, 3)))
    return ",".join(f"{t:g}" for t in sorted(times))
