"""Finding an ffmpeg binary and running it asynchronously with progress and real cancellation."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from scenetui.errors import DiskFull, UserError


@dataclass(frozen=True)
class FFmpeg:
    """A located ffmpeg executable and where it came from."""

    path: str
    source: str  # "SCENETUI_FFMPEG", "PATH" or "imageio-ffmpeg"


@cache
def locate_ffmpeg() -> FFmpeg:
    """SCENETUI_FFMPEG, else `ffmpeg` on PATH, else the binary shipped in the imageio-ffmpeg wheel."""
    override = os.environ.get("SCENETUI_FFMPEG")
    if override:
        if not (Path(override).is_file() and os.access(override, os.X_OK)):
            raise UserError(f"SCENETUI_FFMPEG={override} is not an executable file", hint="unset it or point it at ffmpeg")
        return FFmpeg(override, "SCENETUI_FFMPEG")
    found = shutil.which("ffmpeg")
    if found and _runs(found):
        return FFmpeg(found, "PATH")
    try:
        import imageio_ffmpeg

        return FFmpeg(imageio_ffmpeg.get_ffmpeg_exe(), "imageio-ffmpeg")
    except Exception as exc:  # the wheel may lack a binary for this platform
        raise UserError("no ffmpeg found", hint="install ffmpeg or set SCENETUI_FFMPEG=/path/to/ffmpeg") from exc


def _runs(path: str) -> bool:
    import subprocess

    try:
        return subprocess.run([path, "-version"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


class FFmpegError(Exception):
    """ffmpeg exited non-zero; carries the tail of its log."""

    def __init__(self, returncode: int, tail: str) -> None:
        super().__init__(f"ffmpeg failed (exit {returncode}): {tail}")
        self.returncode = returncode
        self.tail = tail

    def summary(self, limit: int) -> str:
        """The end of ffmpeg's log on one line, at most `limit` characters, for a sentence."""
        return " ".join(self.tail.split())[-limit:]


async def run_ffmpeg(
    args: Sequence[str],
    *,
    total_seconds: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    loglevel: str = "error",
) -> str:
    """Run ffmpeg with `args`; report output time / total as a fraction; kill it when cancelled. Returns the end of
    its log (at `loglevel`: "info" for filters that report, such as loudnorm)."""
    exe = locate_ffmpeg().path
    cmd = [exe, "-hide_banner", "-nostdin", "-loglevel", loglevel, "-progress", "pipe:1", "-nostats", *args]
    proc = await asyncio.create_subprocess_exec(
        *cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True
    )
    stderr_chunks: list[bytes] = []

    async def read_progress() -> None:
        assert proc.stdout
        async for line in proc.stdout:
            key, _, value = line.decode(errors="replace").strip().partition("=")
            if key == "out_time_us" and on_progress and total_seconds and value.isdigit():
                on_progress(min(1.0, int(value) / 1e6 / total_seconds))

    async def read_stderr() -> None:
        assert proc.stderr
        while chunk := await proc.stderr.read(4096):
            stderr_chunks.append(chunk)
            del stderr_chunks[:-16]  # keep only the tail

    try:
        await asyncio.gather(read_progress(), read_stderr())
        code = await proc.wait()
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.shield(proc.wait())
        raise
    if code != 0:
        tail = b"".join(stderr_chunks).decode(errors="replace").strip().splitlines()
        text = " | ".join(tail[-3:]) if tail else "no output"
        if "No space left on device" in text:
            raise DiskFull("disk full while writing a clip", hint="free space in the workspace and run again; finished clips are kept")
        raise FFmpegError(code, text)
    if on_progress:
        on_progress(1.0)
    return b"".join(stderr_chunks).decode(errors="replace")
