"""Keyframes and Storage: bucket keyframes of a Firestore script fetched for local use, local keyframes hosted for Luma."""

from __future__ import annotations

import asyncio
import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from scenetui.media.images import image_problem
from scenetui.storage.cache import DiskCache, default_cache_dir
from scenetui.storage.firebase.connection import CALL_TIMEOUT, FirebaseConnection
from scenetui.storage.firebase.policy import KEYFRAME_TYPES, MAX_KEYFRAME_BYTES, check_keyframe_upload
from scenetui.storage.firebase.transfer import download_file

KEYFRAME_CACHE_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class BlobRef:
    """An object in a bucket."""

    bucket: str
    name: str

    def __str__(self) -> str:
        return f"gs://{self.bucket}/{self.name}"


def blob_ref(ref: str, default_bucket: str) -> BlobRef | None:
    """`gs://BUCKET/path` or a path inside the default bucket; None for https URLs (they pass through)."""
    if ref.startswith("gs://"):
        parsed = urlparse(ref)
        return BlobRef(parsed.netloc, parsed.path.lstrip("/"))
    if "://" in ref:
        return None
    return BlobRef(default_bucket, ref.lstrip("/"))


def keyframe_cache() -> DiskCache:
    return DiskCache(default_cache_dir() / "keyframes", KEYFRAME_CACHE_BYTES)


def fetch_keyframe(conn: FirebaseConnection, ref: BlobRef, cache: DiskCache) -> tuple[Path | None, str | None]:
    """The keyframe as a local file (cached by its MD5), or why it cannot be used."""
    from google.api_core import exceptions as gexc

    bucket = conn.bucket if ref.bucket == conn.config.bucket else conn.bucket.client.bucket(ref.bucket)
    try:
        blob = bucket.get_blob(ref.name, timeout=CALL_TIMEOUT)
    except gexc.NotFound:
        blob = None
    except gexc.GoogleAPICallError as exc:
        return None, f"cannot read keyframe {ref} ({exc.message})"
    if blob is None:
        return None, f"keyframe not found in Storage: {ref}"
    if (blob.size or 0) > MAX_KEYFRAME_BYTES:
        return None, f"keyframe {ref} is larger than 10 MB"
    key = base64_to_hex(blob.md5_hash) if blob.md5_hash else hashlib.sha256(f"{ref}@{blob.generation}".encode()).hexdigest()
    path = cache.fill(key, Path(ref.name).suffix.lower()[:8], lambda tmp: download_file(blob, tmp))
    why = image_problem(path)
    return (None, why.replace(str(path), str(ref))) if why else (path, None)


def base64_to_hex(b64: str) -> str:
    import base64

    return base64.b64decode(b64).hex()


class FirebaseKeyframeHost:
    """Local keyframes uploaded once under their content hash, handed to Luma as V4 signed URLs valid for an hour.

    Keyframes that already live in a bucket (a Firestore script's) are signed where they are, never copied.
    """

    def __init__(self, conn: FirebaseConnection, user_id: str, in_bucket: dict[Path, BlobRef] | None = None) -> None:
        self.conn, self.user_id = conn, user_id
        self.in_bucket = dict(in_bucket or {})
        self._hosted: set[str] = set()
        self._lock = threading.Lock()

    async def url_for(self, path: Path) -> str:
        return await asyncio.to_thread(self._url_for, path)

    def _url_for(self, path: Path) -> str:
        known = self.in_bucket.get(path)
        if known is not None:
            return self.conn.signed_url(known.name, known.bucket)
        return self.conn.signed_url(self.host(path))

    def host(self, path: Path) -> str:
        """Upload the file unless an object with its content already exists; returns the object name."""
        data = path.read_bytes()
        ext = "png" if data.startswith(b"\x89PNG\r\n\x1a\n") else "jpg" if data.startswith(b"\xff\xd8\xff") else None
        if ext is None:
            from scenetui.errors import UserError

            raise UserError(f"keyframe {path.name} is not a PNG or JPEG, which is what Luma takes", hint="save it as PNG or JPEG")
        name = f"keyframes/{self.user_id}/{hashlib.sha256(data).hexdigest()}.{ext}"
        with self._lock:
            if name in self._hosted:
                return name
        blob = self.conn.bucket.blob(name)
        if not blob.exists(timeout=CALL_TIMEOUT):
            metadata = {"userId": self.user_id, "source": path.name[:200]}
            check_keyframe_upload(name, KEYFRAME_TYPES[ext], len(data), metadata, self.user_id)
            blob.metadata = metadata
            blob.upload_from_string(data, content_type=KEYFRAME_TYPES[ext], timeout=CALL_TIMEOUT)
        with self._lock:
            self._hosted.add(name)
        return name


def publish_keyframe(conn: FirebaseConnection, user_id: str, script_id: str, index: int, field: str, path: Path) -> str:
    """A keyframe made here (a card, a picture, a clip's frame) into the bucket under its content hash, and the
    scene's field pointed at it through the field-only transaction; returns the gs:// reference written."""
    from scenetui.storage.firebase import documents

    name = FirebaseKeyframeHost(conn, user_id).host(path)
    ref = f"gs://{conn.bucket.name}/{name}"
    documents.update_scene(conn, script_id, index, {field: ref})
    return ref
