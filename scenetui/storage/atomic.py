"""Whole-or-absent file writes: temp file beside the target, fsync, rename."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scenetui.crashpoints import step
from scenetui.errors import DiskFull


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_text_atomic(path: Path, text: str, *, mode: int | None = None) -> None:
    """Replace `path` with `text` (UTF-8, `mode` if given, else private); a crash leaves the old file or the new
    one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The writer's pid is in the name, so a temp file left by a killed writer can be told from a live one.
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        step(f"write {path.name}")
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
            raise DiskFull(f"disk full while writing {path.name}", hint="free space and run again; finished clips are kept") from exc
        raise


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON, whole or not at all."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def clear_dead_temps(folder: Path) -> None:
    """Remove temp files of `write_json_atomic` whose writer no longer runs (killed with -9 mid-write)."""
    for tmp in folder.glob(".*.tmp"):
        parts = tmp.name.rsplit(".", 3)  # .{name}.{pid}.{random}.tmp
        pid = parts[1] if len(parts) == 4 else ""
        if pid.isdigit() and not _alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def move_into_place(staged: Path, dest: Path) -> None:
    """Durably rename a finished staged file over `dest` (same filesystem)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staged, dest)
    _fsync_dir(dest.parent)
    step(f"rename {dest.name}")
