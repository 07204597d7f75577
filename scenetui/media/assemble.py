"""Joining clips into the final film: concat demuxer with stream copy, re-encoding only when clips differ."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from scenetui.errors import DiskFull
from scenetui.media.ffmpeg import run_ffmpeg
from scenetui.media.probe import ClipInfo, probe


@dataclass(frozen=True)
class AssemblyPlan:
    """How the clips will be joined and why."""

    clips: tuple[ClipInfo, ...]
    method: str  # "copy" or "reencode"
    reason: str

    @property
    def duration(self) -> float:
        return sum(c.duration for c in self.clips)


def plan_assembly(infos: Sequence[ClipInfo]) -> AssemblyPlan:
    """Stream copy when every clip shares the first one's format; otherwise a normalising re-encode."""
    if not infos:
        raise ValueError("nothing to assemble")
    first = infos[0]
    odd = [c for c in infos if not c.same_format(first)]
    if odd:
        return AssemblyPlan(tuple(infos), "reencode", f"{odd[0].path.name} is {odd[0].resolution}@{odd[0].fps:g} {odd[0].codec}, "
                                                     f"first is {first.resolution}@{first.fps:g} {first.codec}")
    return AssemblyPlan(tuple(infos), "copy", "all clips share one format")


def _concat_list(paths: Sequence[Path]) -> str:
    lines = []
    for p in paths:
        escaped = str(p.resolve()).replace("'", "'\\''")
        lines.append(f"file '{escaped}'")
    return "\n".join(lines) + "\n"


def copy_args(list_file: Path, dest: Path) -> list[str]:
    return ["-y", "-f", "concat", "-safe", "0", "-i", str(list_file), "-c", "copy", "-movflags", "+faststart",
            "-f", "mp4", str(dest)]


def reencode_args(plan: AssemblyPlan, dest: Path) -> list[str]:
    first = plan.clips[0]
    w, h, fps = first.width, first.height, first.fps or 30
    inputs: list[str] = []
    chains = []
    for i, clip in enumerate(plan.clips):
        inputs += ["-i", str(clip.path)]
        chains.append(f"[{i}:v]scale={w}:{h}:force_original_aspect_ratio=decrease,pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,"
                      f"setsar=1,fps={fps:g},format=yuv420p[v{i}]")
    chains.append("".join(f"[v{i}]" for i in range(len(plan.clips))) + f"concat=n={len(plan.clips)}:v=1:a=0[out]")
    return ["-y", *inputs, "-filter_complex", ";".join(chains), "-map", "[out]", "-c:v", "libx264",
            "-preset", "veryfast", "-crf", "20", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-an",
            "-f", "mp4", str(dest)]


async def assemble(
    clips: Sequence[Path], dest: Path, *, on_progress: Callable[[float], None] | None = None,
    clip_seconds: float = 5.0,
) -> AssemblyPlan:
    """Join `clips` in order into `dest` (a staging path; the caller moves it into place).

    The stream copy starts at once while the clips are probed in a thread (the usual case costs no extra
    time); when the probes show clips that differ, the copy is stopped and a re-encode runs instead.
    """
    probing = asyncio.create_task(asyncio.to_thread(lambda: [probe(p, headers_only=True) for p in clips]))
    list_file = dest.with_suffix(".txt")
    try:
        try:
            list_file.write_text(_concat_list(clips), encoding="utf-8")
        except OSError as exc:
            if exc.errno == errno.ENOSPC:
                raise DiskFull("disk full while assembling the film", hint="free space and run again; clips are kept") from exc
            raise
        total = clip_seconds * len(clips)  # progress denominator until the probes know better
        copying = asyncio.create_task(run_ffmpeg(copy_args(list_file, dest), total_seconds=total, on_progress=on_progress))
        try:
            plan = plan_assembly(await probing)
        except BaseException:
            copying.cancel()
            await asyncio.gather(copying, return_exceptions=True)
            raise
        if plan.method == "copy":
            await copying
            return plan
        copying.cancel()
        await asyncio.gather(copying, return_exceptions=True)
        await run_ffmpeg(reencode_args(plan, dest), total_seconds=plan.duration, on_progress=on_progress)
        return plan
    finally:
        if not probing.done():
            await asyncio.gather(probing, return_exceptions=True)
        list_file.unlink(missing_ok=True)
