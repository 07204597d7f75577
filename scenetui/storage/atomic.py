"""Whole-or-absent file writes: temp file beside the target, fsync, rename."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from scenetui.errors import DiskFull


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_json_atomic(path: Path, data: Any) -> None:
    """Replace `path` with `data` as JSON; a crash leaves the old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise DiskFull(f"disk full while writing {path.name}", hint="free space and run again; finished clips are kept") from exc
        raise


def move_into_place(staged: Path, dest: Path) -> None:
    """Durably rename a finished staged file over `dest` (same filesystem)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(staged, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(staged, dest)
    _fsync_dir(dest.parent)
