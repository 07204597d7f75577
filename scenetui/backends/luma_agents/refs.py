"""Keyframes as Luma's current API takes them: inline bytes for a small picture used once, an uploaded file for a
big or shared one (uploaded once, reused by its content hash across runs), a URL for an https:// keyframe."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import stat
from collections import Counter
from pathlib import Path
from typing import Any

from scenetui.backends.luma.errors import LumaError
from scenetui.backends.luma_agents.client import AgentsClient
from scenetui.errors import UserError
from scenetui.safeopen import open_own

# Luma publishes no limit; the legacy API's safe size is ~10 MB, and a bigger keyframe is better sent as a JPEG.
MAX_KEYFRAME_BYTES = 10 * 2**20
# Above this a file is uploaded with a presigned PUT rather than inside a multipart POST.
MULTIPART_MAX_BYTES = 4 * 2**20
_MAGIC = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"))


def media_type(head: bytes) -> str | None:
    """image/png, image/jpeg or image/webp from a picture's first bytes; None for anything else."""
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return "image/webp" if head[:4] == b"RIFF" and head[8:12] == b"WEBP" else None


def read_keyframe(path: Path) -> tuple[bytes, str]:
    """The picture's bytes and media type, or a one-line refusal naming the file (before anything is spent)."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):  # a FIFO or a device would hang or never end
            raise UserError(f"keyframe {path} is not a regular file", hint="point the scene at a picture file")
        with path.open("rb") as f:
            data = f.read(MAX_KEYFRAME_BYTES + 1)
    except OSError as exc:
        raise UserError(f"keyframe {path} cannot be read ({exc.strerror or exc})", hint="check the file") from None
    if len(data) > MAX_KEYFRAME_BYTES:
        raise UserError(f"keyframe {path} is over {MAX_KEYFRAME_BYTES // 2**20} MB; Luma may refuse it",
                        hint="save it as a JPEG (a 1920x1080 JPEG is well under 1 MB)")
    kind = media_type(data[:16])
    if kind is None:
        raise UserError(f"keyframe {path} is not a PNG, JPEG or WebP picture", hint="convert it to PNG or JPEG")
    return data, kind


class FileCache:
    """Which local pictures were uploaded already: content hash -> Luma file id, in the workspace."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with os.fdopen(open_own(self.path, os.O_RDONLY), "rb") as f:
                loaded = json.loads(f.read(2**20) or b"{}")
        except (OSError, ValueError, UserError):  # absent, spoiled or planted: uploads are free, start afresh
            loaded = {}
        self.ids: dict[str, str] = {k: v for k, v in loaded.items() if isinstance(k, str) and isinstance(v, str)} \
            if isinstance(loaded, dict) else {}

    def put(self, digest: str, file_id: str) -> None:
        self.ids[digest] = file_id
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.unlink(missing_ok=True)
        with os.fdopen(open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL), "w", encoding="utf-8") as f:
            json.dump(self.ids, f, indent=1)
        os.replace(tmp, self.path)


class KeyframeRefs:
    """The image ref of every keyframe of a render, settled before the first create (uploads cost nothing)."""

    def __init__(self, client: AgentsClient, cache: FileCache, *, inline_max: int, ready_timeout: float = 120.0) -> None:
        self.client, self.cache, self.inline_max, self.ready_timeout = client, cache, inline_max, ready_timeout
        self._refs: dict[str | Path, dict[str, Any]] = {}

    async def prepare(self, sources: list[str | Path]) -> None:
        """Read every local keyframe, upload the big and the shared ones (or find them uploaded), and check they
        were taken: a picture Luma's ingest refuses is said now, before any generation is paid."""
        uses = Counter(sources)
        for source in uses:
            if source in self._refs:
                continue
            if isinstance(source, str):
                self._refs[source] = {"url": source}
                continue
            data, kind = await asyncio.to_thread(read_keyframe, source)
            if len(data) < self.inline_max and uses[source] == 1:
                self._refs[source] = {"data": base64.b64encode(data).decode("ascii"), "media_type": kind}
            else:
                self._refs[source] = {"file_id": await self._uploaded(source, data, kind)}

    def described(self, sources: list[str | Path]) -> dict[str | Path, dict[str, Any]]:
        """Each keyframe's ref as `prepare` would make it, with nothing uploaded: inline bytes shown by their size
        and kind, an upload by the file id it had (or will get). A keyframe Luma could not take is refused here too."""
        uses = Counter(sources)
        out: dict[str | Path, dict[str, Any]] = {}
        for source in uses:
            if isinstance(source, str):
                out[source] = {"url": source}
                continue
            data, kind = read_keyframe(source)
            if len(data) < self.inline_max and uses[source] == 1:
                out[source] = {"data": f"<{len(data)} bytes of {source.name}, base64>", "media_type": kind}
            else:
                known = self.cache.ids.get(hashlib.sha256(data).hexdigest())
                out[source] = {"file_id": known or f"<{source.name}, uploaded once when rendering>"}
        return out

    def ref(self, source: str | Path) -> dict[str, Any]:
        return self._refs[source]

    async def _uploaded(self, path: Path, data: bytes, kind: str) -> str:
        digest = hashlib.sha256(data).hexdigest()
        known = self.cache.ids.get(digest)
        try:
            if known is not None and (await self.client.file(known)).state == "ready":
                return known
        except LumaError:
            pass  # gone, expired or unreadable: upload it again
        try:
            send = self.client.upload_inline if len(data) <= MULTIPART_MAX_BYTES else self.client.upload_presigned
            created = await send(data, kind, path.name)
            await self._until_ready(path, created.id)
        except LumaError as exc:
            if isinstance(exc, UserError):
                raise
            raise UserError(f"keyframe {path} could not be uploaded to Luma ({exc})",
                            hint="run again later; nothing was paid") from None
        self.cache.put(digest, created.id)
        return created.id

    async def _until_ready(self, path: Path, file_id: str) -> None:
        waited, delay = 0.0, 0.25
        while True:
            record = await self.client.file(file_id)
            if record.state == "ready":
                return
            if record.state in ("failed", "deleted"):
                why = record.failure_reason or record.state
                raise UserError(f"Luma refused keyframe {path}: {why[:200]}",
                                hint="change the picture (moderation or format); nothing was paid")
            if waited > self.ready_timeout:
                raise UserError(f"Luma did not finish taking keyframe {path} in {self.ready_timeout:.0f}s",
                                hint="run again later; nothing was paid")
            await asyncio.sleep(delay)
            waited += delay
            delay = min(2.0, delay * 2)
