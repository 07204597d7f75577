"""Moving files to and from Cloud Storage: resumable chunked uploads with progress, whole-or-absent downloads."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

Progress = Callable[[int, int], None]  # bytes done, bytes in all


def md5_b64(path: Path) -> str:
    """The file's MD5 as Cloud Storage reports it (base64), read in 1 MiB pieces."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


def upload_file(blob: Any, path: Path, *, content_type: str, metadata: dict[str, str], chunk_bytes: int,
                on_progress: Progress | None = None) -> None:
    """Upload `path` as `blob` in a resumable session, one chunk in memory at a time.

    A dropped connection is recovered by the library's retry (it asks the session how much arrived and goes on
    from there); the object appears only when the last chunk is in, so a killed upload leaves no half object.
    """
    from google.cloud.storage.retry import DEFAULT_RETRY

    total = path.stat().st_size
    blob.metadata = metadata
    blob.content_type = content_type
    done = 0
    with path.open("rb") as src, blob.open("wb", chunk_size=chunk_bytes, content_type=content_type,
                                           retry=DEFAULT_RETRY, ignore_flush=True) as dst:
        while chunk := src.read(chunk_bytes):
            dst.write(chunk)
            done += len(chunk)
            if on_progress:
                on_progress(done, total)
    if on_progress and total == 0:
        on_progress(0, 0)


def download_file(blob: Any, dest: Path) -> None:
    """Download `blob` to `dest` through a temp file beside it (the library checks the MD5 on the way)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    # The pid in the name lets a later run clear what a killed download left (storage.atomic.clear_dead_temps).
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.{os.getpid()}.", suffix=".tmp")
    os.close(fd)
    try:
        blob.download_to_filename(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
