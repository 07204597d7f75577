"""One render per script per workspace: two at once could buy the same scene twice."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from scenetui.errors import UserError
from scenetui.safeopen import not_writable, open_own, own_folder


class RenderLock:
    """An exclusive advisory lock (flock), released by the kernel even on kill -9."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> RenderLock:
        try:
            own_folder(self.path.parent)
            fd = open_own(self.path, os.O_RDWR | os.O_CREAT, 0o644)  # a planted link is refused, never truncated
        except OSError as exc:
            if not not_writable(exc):
                raise
            raise UserError(f"cannot write in the workspace {self.path.parent.parent} ({exc.strerror})",
                            hint="render in a workspace you can write (--workspace DIR); `scenetui watch` can "
                                 "follow this one") from None
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
        """Whether some process (this one included, through another handle) holds the lock right now; read-only,
        so it also answers in a workspace this user cannot write."""
        try:
            fd = open_own(path, os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # conflicts with a render's exclusive lock only
        except BlockingIOError:
            return True
        finally:
            os.close(fd)
        return False

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
