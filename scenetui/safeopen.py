"""Opening scenetui's own files in a workspace without following links someone else planted there.

A workspace can be a shared folder: another user could replace `.scenetui/render-ID.lock` or `logs/scenetui.log`
with a symbolic link to a file of ours, and a plain open would truncate or append to the link's target. Every file
scenetui creates in place (not by rename) is opened here: no link is followed, and anything but a regular file is
refused with a sentence.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from scenetui.errors import UserError

_NOT_WRITABLE = (errno.EACCES, errno.EPERM, errno.EROFS)


def not_writable(exc: OSError) -> bool:
    """Whether `exc` says this user may not write there (permissions, a read-only mount), not that something broke."""
    return exc.errno in _NOT_WRITABLE


_HINT = "scenetui does not write through links or into special files in its workspace; remove it and run again"


def refuse_link(path: Path) -> None:
    """Refuse `path` when it is a symbolic link (dangling ones included); a missing path is fine."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UserError(f"{path} is a symbolic link", hint=_HINT)


def own_folder(folder: Path, mode: int = 0o700) -> Path:
    """Make `folder` (and its parents) if missing; refuse it when the folder itself is a link."""
    refuse_link(folder)
    folder.mkdir(mode=mode, parents=True, exist_ok=True)
    refuse_link(folder)  # made by someone else between the two looks
    return folder


def open_own(path: Path, flags: int, mode: int = 0o600) -> int:
    """os.open that never follows a link at `path` or in its folder and accepts only a regular file.

    A new file gets `mode` (private by default); an existing one keeps its own."""
    refuse_link(path.parent)
    try:
        # O_NONBLOCK: a FIFO planted here must not hang the open; it is refused just below.
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path} is a symbolic link", hint=_HINT) from None
        if exc.errno == errno.ENXIO:  # a FIFO nobody reads, or a socket
            raise UserError(f"{path} is not a regular file", hint=_HINT) from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UserError(f"{path} is not a regular file", hint=_HINT)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def shared_mode() -> int:
    """The permissions of a file made for sharing (an exported film, its captions, a timeline): 0666 less the
    user's umask, as `cp` or an editor would make it, not the 0600 of scenetui's private files."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            umask = next(int(line.split()[1], 8) for line in fh if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0o022)  # no /proc: read it by setting it, and put it back at once
        os.umask(umask)
    return 0o666 & ~umask
