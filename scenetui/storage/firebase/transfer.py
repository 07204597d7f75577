"""Moving files to and from Cloud Storage: resumable chunked uploads with progress, whole-or-absent downloads."""

from __future__ import annotations

import base64
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenetui.crashpoints import step

Progress = Callable[[int, int], None]  # bytes done, bytes in all


def md5_b64(path: Path) -> str:
    """The file's MD5 as Cloud Storage reports it (base64), read in 1 MiB pieces."""
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode()


class UploadFailed(Exception):
    """Storage would not take the upload (after recovering from dropped connections as often as sensible)."""


STALLS_ALLOWED = 6  # consecutive failed chunk requests before giving up (each followed by a status query)


def upload_file(blob: Any, path: Path, *, content_type: str, metadata: dict[str, str], chunk_bytes: int,
                on_progress: Progress | None = None, timeout: float = 120.0) -> None:
    """Upload `path` as `blob` through a resumable session, one chunk in memory at a time.

    The session is opened by the library (so credentials, emulator and metadata are its business); the chunks
    follow Cloud Storage's documented protocol here, because recovering a dropped chunk needs the server's word on
    how much arrived (a status query), not a blind resend. The object appears only when the last byte is in, and
    its MD5 is compared with the file's before the upload counts as done.
    """
    import httpx

    total = path.stat().st_size
    blob.metadata = metadata
    blob.content_type = content_type
    session = blob.create_resumable_upload_session(content_type=content_type, size=total, timeout=timeout)
    offset: int | None = 0  # None: unknown after a failure; ask the session
    stalls = 0
    with path.open("rb") as src, httpx.Client(timeout=timeout) as http:
        while True:
            headers = {"Content-Range": f"bytes */{total}"}  # a status query (or the last, empty request)
            body = b""
            if offset is not None and offset < total:
                src.seek(offset)
                body = src.read(chunk_bytes)
                headers = {"Content-Range": f"bytes {offset}-{offset + len(body) - 1}/{total}"}
            try:
                resp = http.put(session, content=body, headers=headers)
            except httpx.TransportError as exc:
                resp, why = None, type(exc).__name__
            if resp is not None and resp.status_code in (200, 201):
                break
            if resp is not None and resp.status_code == 308:
                rng = resp.headers.get("Range")  # bytes=0-N: N+1 bytes are safe with the server
                offset, stalls = (int(rng.rsplit("-", 1)[1]) + 1 if rng else 0), 0
                step("upload chunk")
                if on_progress:
                    on_progress(offset, total)
                continue
            if resp is not None and resp.status_code < 500 and resp.status_code not in (408, 429):
                raise UploadFailed(f"Storage refused the upload ({resp.status_code}: {resp.text[:200]})")
            stalls += 1
            if stalls > STALLS_ALLOWED:
                raise UploadFailed(f"the upload kept failing ({why if resp is None else resp.status_code})")
            time.sleep(min(8.0, 0.25 * 2 ** stalls))
            offset = None
    if on_progress:
        on_progress(total, total)
    blob.reload(timeout=timeout)
    if blob.size != total or blob.md5_hash != md5_b64(path):
        raise UploadFailed(f"the uploaded object does not match the file ({blob.size} of {total} bytes)")


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
