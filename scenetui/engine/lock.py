"""One render per script per workspace: two at once could buy the same scene twice."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from scenetui.errors import UserError


class RenderLock:
    """An exclusive advisory lock (flock), released by the kernel even on kill -9."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> RenderLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise UserError(
                f"a render of this script is already running in this workspace (pid {holder})",
                hint="watch it with `scenetui watch`, or wait for it to finish",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    @staticmethod
    def held(path: Path) -> bool:
        """Whether some process (this one included, through another handle) holds the lock right now."""
        try:
            with RenderLock(path):
                return False
        except UserError:
            return True

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
