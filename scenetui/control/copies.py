"""Copies of clips and films the person asks for: atomic, and never over an existing file."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from scenetui.errors import UserError
from scenetui.safeopen import shared_mode


def export_copy(src: Path, dest: Path) -> Path:
    """Copy `src` to `dest` (a folder or a file name) atomically; an existing file is never overwritten."""
    dest = dest.expanduser()
    if dest.is_dir():
        dest = dest / src.name
    if dest.suffix.lower() != ".mp4":
        dest = dest.with_suffix(dest.suffix + ".mp4") if dest.suffix else dest.with_suffix(".mp4")
    if dest.exists():
        raise UserError(f"{dest} already exists", hint="choose another name; nothing was overwritten")
    if not dest.parent.is_dir():
        raise UserError(f"folder {dest.parent} does not exist", hint="create it or choose another path")
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    os.close(fd)
    try:
        shutil.copyfile(src, tmp)
        os.chmod(tmp, shared_mode())  # a copy saved to share: the user's umask, not a private temp file's 0600
        os.link(tmp, dest)  # fails instead of replacing if the name appeared meanwhile
    except FileExistsError:
        raise UserError(f"{dest} already exists", hint="choose another name; nothing was overwritten") from None
    except OSError as exc:
        raise UserError(f"cannot write {dest} ({exc.strerror})", hint="choose another folder") from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest
