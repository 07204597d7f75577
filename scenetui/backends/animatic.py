"""The offline generator: a dissolve from start to end keyframe with a slow push-in, made by ffmpeg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenetui.engine.ports import GenerationJob, GenerationResult, GenerationSession
from scenetui.media.ffmpeg import run_ffmpeg
from scenetui.media.profile import h264_args, keyframe_times
from scenetui.media.images import image_size

PUSH_IN = 0.06  # fraction of each edge the camera closes in over the clip
CROP_LIMIT = 0.20  # aspect mismatch up to this is cropped; beyond it the still is letterboxed


def fit_filter(src: tuple[int, int], dst: tuple[int, int]) -> str:
    """Scale a still onto the frame: crop when the shapes are close, letterbox when they are far apart."""
    sw, sh = src
    w, h = dst
    mismatch = abs((sw / sh) / (w / h) - 1)
    if mismatch <= CROP_LIMIT:
        return f"scale={w}:{h}:force_original_aspect_ratio=increase:flags=lanczos,crop={w}:{h}"
    return (
        f"scale={w}:{h}:force_original_aspect_ratio=decrease:flags=lanczos,"
        f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:color=black"
    )


def animatic_args(start: Path, end: Path | None, dest: Path, size: tuple[int, int], seconds: float, fps: int) -> list[str]:
    """The ffmpeg arguments for one animatic clip."""
    w, h = size
    frames = int(round(seconds * fps))
    hold = seconds  # each still is padded to the whole clip; xfade picks the overlap
    inputs = ["-framerate", str(fps), "-i", str(start)]
    chains = [f"[0:v]{fit_filter(image_size(start), size)},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration={hold}[a]"]
    if end is not None:
        inputs += ["-framerate", str(fps), "-i", str(end)]
        chains.append(f"[1:v]{fit_filter(image_size(end), size)},setsar=1,format=yuv420p,tpad=stop_mode=clone:stop_duration={hold}[b]")
        dissolve = seconds * 0.6
        chains.append(f"[a][b]xfade=transition=fade:duration={dissolve:.3f}:offset={seconds * 0.2:.3f}[m]")
    else:
        chains.append("[a]null[m]")
    # The push-in scales each frame up a little more and keeps the middle: a third of the CPU of a perspective warp
    # (which was two thirds of an animatic's cost), at the price of whole-pixel steps nobody sees at this speed.
    k = f"({PUSH_IN}*n/{frames})"
    chains.append(
        f"[m]scale=w='2*trunc({w}/(1-2*{k})/2)':h='2*trunc({h}/(1-2*{k})/2)':eval=frame:flags=bilinear,"
        f"crop={w}:{h},setsar=1,fps={fps},format=yuv420p[out]"
    )
    # The film's profile, with keyframes near both ends: transitions then re-encode only the boundaries.
    return [
        "-y", *inputs,
        "-filter_complex", ";".join(chains),
        "-map", "[out]", "-frames:v", str(frames), "-r", str(fps),
        *h264_args(), "-force_key_frames", keyframe_times(seconds), "-movflags", "+faststart", "-an",
        "-f", "mp4", str(dest),
    ]


class AnimaticBackend:
    """Offline, free, deterministic: the embedded default generator."""

    name = "animatic"
    paid = False
    finds_lost_creates = True

    async def prepare(self, jobs: list[GenerationJob]) -> None:
        """Nothing to check beyond what script validation did."""

    async def describe_requests(self, jobs: list[GenerationJob]) -> list[dict[str, Any]]:
        """What each clip would be drawn from (`render --dry-run`): nothing is sent anywhere, nothing is paid."""
        return [{"generator": "animatic (offline, free)", "start": str(job.start_keyframe or job.end_keyframe),
                 "end": str(job.end_keyframe) if job.start_keyframe and job.end_keyframe else None,
                 "size": "x".join(map(str, job.settings.size)), "seconds": job.settings.seconds,
                 "fps": job.settings.fps} for job in jobs]

    async def cancel_remote(self, remote_id: str) -> None:
        """Nothing runs remotely."""

    async def aclose(self) -> None:
        pass

    async def generate(self, job: GenerationJob, dest: Path, session: GenerationSession) -> GenerationResult:
        """Render the clip for `job` into `dest`."""
        start = job.start_keyframe or job.end_keyframe
        end = job.end_keyframe if job.start_keyframe else None
        if start is None or isinstance(start, str) or isinstance(end, str):
            raise ValueError("the animatic backend needs local keyframe files")
        session.stage("rendering", "drawing the animatic")
        args = animatic_args(start, end, dest, job.settings.size, job.settings.seconds, job.settings.fps)
        await run_ffmpeg(args, total_seconds=job.settings.seconds, on_progress=lambda f: session.progress(f))
        return GenerationResult()
