"""Clips in Cloud Storage and their status in Firestore, with the workspace as the local copy.

Every clip is first made whole in the workspace (the LocalStore layout: assembly, preview and validation read
local files), then uploaded to `videos/scripts/{id}/scenes/{n}.mp4`, then announced in Firestore. The order
matters for money: once the local rename is done the generation is safe, so a failed or killed upload costs a
re-upload on the next run (`prepare` sends whatever is pending), never a new generation.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenetui.domain import SceneVideo, VideoMetadata, VideoStatus
from scenetui.domain.video import StoredCopy
from scenetui.storage.atomic import clear_dead_temps
from scenetui.storage.firebase import claims, commands, documents
from scenetui.storage.firebase.connection import CALL_TIMEOUT, FirebaseConnection
from scenetui.storage import takes as T
from scenetui.storage.firebase.policy import CAPTION_TYPES, check_caption_upload, check_video_upload, clip_name, take_name
from scenetui.storage.firebase.transfer import download_file, md5_b64, upload_file
from scenetui.storage.local import LocalStore

log = logging.getLogger("scenetui.storage.firebase")
LISTING_TTL = 30.0  # seconds a listing of the script's objects is trusted (the in-memory level of the cache)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RemoteClip:
    """What Storage holds for one clip."""

    name: str
    md5: str | None
    size: int
    updated: str | None


class FirebaseStore(LocalStore):
    """A ClipStore whose clips live in Cloud Storage and whose scene fields live in Firestore."""

    uploads = True

    def __init__(self, root: Path, conn: FirebaseConnection, user_id: str, *, script_data: dict[str, Any] | None = None) -> None:
        super().__init__(root)
        self.conn, self.user_id = conn, user_id
        self.script_data = script_data  # a local script's fields, written to Firestore if it has no document yet
        self._listing: dict[str, tuple[float, dict[str, RemoteClip]]] = {}
        self._md5: dict[tuple[str, int, int], str] = {}
        self.owner, self.lease = claims.new_owner(), claims.lease_seconds()
        self._seen: dict[str, dict[str, str | None]] = {}  # per script: object name -> MD5 when this run began

    # scene claims (several render boxes on one script) --------------------------------------------------
    async def claim_scene(self, script_id: str, index: int) -> claims.ClaimResult:
        """Take the scene's lease unless another live box holds it or has finished the scene since this run began."""
        return await asyncio.to_thread(self._claim, script_id, index)

    def _claim(self, script_id: str, index: int) -> claims.ClaimResult:
        taken, before = claims.take(self.conn, script_id, index, self.owner, self.lease)
        if not taken:
            return claims.ClaimResult("held", before)
        # A box that finished the scene released its claim after storing the clip, so an absent claim may mean
        # "done" rather than "free": a clip that changed in Storage since this run looked is another box's work.
        name = clip_name(script_id, index)
        blob = self.conn.bucket.get_blob(name, timeout=CALL_TIMEOUT)
        seen = self._seen.get(script_id, {})
        if blob is not None and (name not in seen or blob.md5_hash != seen[name]):
            claims.release(self.conn, script_id, index, self.owner, done=True)
            self._forget(script_id)
            return claims.ClaimResult("done", before, self.gs_uri(name))
        return claims.ClaimResult("taken", before)

    def scene_claims(self, script_id: str) -> list[claims.SceneClaim] | None:
        """Which box holds which scene, from Firestore (one read of the claims collection)."""
        return claims.read_all(self.conn, script_id)

    async def watch_claims(self, script_id: str,
                           seen: Callable[[list[claims.SceneClaim]], None]) -> Callable[[], None]:
        """Follow the boxes' claims (a Firestore listener on the claims collection); see `claims.watch_all`."""
        return await asyncio.to_thread(claims.watch_all, self.conn, script_id, seen)

    async def watch_boxes(self, script_id: str, seen: Callable[[list[str]], None]) -> Callable[[], None]:
        """Follow which boxes render the script (a listener on scripts/{id}/boxes); see `commands.watch_boxes`."""
        return await asyncio.to_thread(commands.watch_boxes, self.conn, script_id, seen)

    async def send_queue_command(self, script_id: str, verb: str, **args: Any) -> None:
        """Steer every box rendering the script (`scenetui queue firestore:ID`); see `commands`."""
        await asyncio.to_thread(commands.send, self.conn, script_id, verb, self.owner, **args)

    async def watch_queue_commands(self, script_id: str,
                                   obey: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
        """Follow the team's queue commands added from now on (a listener); see `commands.watch`."""
        return await asyncio.to_thread(commands.watch, self.conn, script_id, self.owner, obey)

    async def renew_claim(self, script_id: str, index: int, stage: tuple[str, float] | None = None) -> bool:
        return await asyncio.to_thread(claims.renew, self.conn, script_id, index, self.owner, self.lease, stage)

    async def note_generation(self, script_id: str, index: int, generation_id: str) -> None:
        await asyncio.to_thread(claims.note_generation, self.conn, script_id, index, self.owner, generation_id)

    async def release_claim(self, script_id: str, index: int, *, done: bool) -> None:
        await asyncio.to_thread(claims.release, self.conn, script_id, index, self.owner, done=done)

    # remote state ---------------------------------------------------------------------------------------
    def remote_clips(self, script_id: str, *, fresh: bool = False) -> dict[str, RemoteClip]:
        """Object name -> facts for the script's clips and film (one list call, then trusted for a while)."""
        cached = self._listing.get(script_id)
        if cached and not fresh and time.monotonic() - cached[0] < LISTING_TTL:
            return cached[1]
        prefix = f"videos/scripts/{script_id}/"
        found = {b.name: RemoteClip(b.name, b.md5_hash, int(b.size or 0), b.updated.isoformat() if b.updated else None)
                 for b in self.conn.bucket.list_blobs(prefix=prefix, timeout=CALL_TIMEOUT)}
        self._listing[script_id] = (time.monotonic(), found)
        return found

    def _forget(self, script_id: str) -> None:
        self._listing.pop(script_id, None)

    def _local_md5(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._md5:
            self._md5[key] = md5_b64(path)
        return self._md5[key]

    def remote_copies(self, script_id: str) -> dict[int, StoredCopy]:
        """Each scene's clip as Storage holds it (gs:// URI, size, MD5)."""
        prefix = f"videos/scripts/{script_id}/scenes/"
        out: dict[int, StoredCopy] = {}
        for name, obj in self.remote_clips(script_id).items():
            index = name.removeprefix(prefix).removesuffix(".mp4")
            if name.startswith(prefix) and name.endswith(".mp4") and index.isdigit():
                out[int(index)] = StoredCopy(self.gs_uri(name), obj.size, obj.md5)
        return out

    def gs_uri(self, name: str) -> str:
        return f"gs://{self.conn.config.bucket}/{name}"

    def stored_clips(self, script_id: str) -> dict[int, str]:
        """Scenes with a clip here or in Storage, and where (a local path, or gs:// when only Storage has it)."""
        out = super().stored_clips(script_id)
        for name in self.remote_clips(script_id):
            leaf = name.rsplit("/", 1)[-1]
            if "/scenes/" in name and leaf.removesuffix(".mp4").isdigit():
                out.setdefault(int(leaf.removesuffix(".mp4")), self.gs_uri(name))
        return out

    # lifecycle ------------------------------------------------------------------------------------------
    async def prepare(self, script_id: str) -> None:
        """Local folders as LocalStore, the Firestore document (created for a local script), then any pending uploads."""
        await super().prepare(script_id)
        await asyncio.to_thread(self._prepare_remote, script_id)

    def _prepare_remote(self, script_id: str) -> None:
        clear_dead_temps(self.clip_path(script_id, 0).parent)
        clear_dead_temps(self.script_dir(script_id))
        if self.script_data is not None and documents.create_if_missing(self.conn, script_id, self.script_data):
            log.info("created scripts/%s in Firestore", script_id)
        remote = self.remote_clips(script_id, fresh=True)
        self._seen[script_id] = {name: clip.md5 for name, clip in remote.items()}
        doc = self.read_doc(script_id)
        for key, entry in doc.get("scenes", {}).items():
            index = int(key)
            local = self.clip_path(script_id, index)
            if local.is_file() and self._pending(local, entry, remote.get(clip_name(script_id, index))):
                log.info("uploading scene %s, saved here but not yet in Storage", index)
                self._publish_clip(script_id, index, local, entry.get("videoMetadata"))

    def _pending(self, local: Path, entry: dict[str, Any], remote: RemoteClip | None) -> bool:
        """A local clip Storage has not got: never uploaded, or changed here since its last upload."""
        md5 = self._local_md5(local)
        if remote is not None and remote.md5 == md5:
            return False
        return entry.get("uploadedMd5") != md5  # otherwise Storage has a newer clip, made elsewhere

    # clips ------------------------------------------------------------------------------------------------
    async def save_clip(self, script_id: str, scene_index: int, staged: Path, metadata: VideoMetadata,
                        progress: Progress | None = None, *, replace: bool = True,
                        extra: dict[str, Any] | None = None) -> SceneVideo:
        video = await super().save_clip(script_id, scene_index, staged, metadata, replace=replace, extra=extra)
        publish = video.chosen and not (extra or {}).get("draft")
        if video.take is not None:  # every take is kept in Storage too (its progress shown when it is the only upload)
            await asyncio.to_thread(self._keep_take, script_id, scene_index, video.take, metadata, extra,
                                    None if publish else progress)
        # a variant beside the scene's clip: the app's fields still name the chosen one; a draft is for this
        # workspace's person to judge, not for the phone app
        if not publish:
            return video
        local = self.clip_path(script_id, scene_index)
        url = await asyncio.to_thread(self._publish_clip, script_id, scene_index, local, metadata.to_wire(), progress)
        return video.model_copy(update={"video_url": url})

    async def choose_take(self, script_id: str, scene_index: int, number: int) -> SceneVideo:
        """The take becomes the scene's clip here, then in Storage and Firestore (videoUrl/videoMetadata), as a
        newly rendered clip would; the other takes stay in the workspace only."""
        video = await super().choose_take(script_id, scene_index, number)
        local = self.clip_path(script_id, scene_index)
        meta = video.video_metadata.to_wire() if video.video_metadata else None
        url = await asyncio.to_thread(self._publish_clip, script_id, scene_index, local, meta)
        return video.model_copy(update={"video_url": url})

    def _keep_take(self, script_id: str, index: int, number: int, meta: VideoMetadata, extra: dict[str, Any] | None,
                   progress: Progress | None) -> None:
        """Upload take `number` to takes/{index}/{number}.mp4 and record it in scripts/{id}/takes. Best effort: the
        take is safe in the workspace either way, and a failure is logged, never the scene's failure."""
        local = T.take_path(self.script_dir(script_id), index, number)
        try:
            url = self._upload(take_name(script_id, index, number), local, meta,
                               {"sceneIndex": str(index), "take": str(number)}, progress)
            documents.put_take(self.conn, script_id, index, number,
                               {"videoUrl": url, "videoMetadata": app_metadata(meta), **(extra or {})})
        except Exception as exc:  # the workspace has it; `takes` still lists it
            log.warning("take %s of scene %s was kept locally but not stored in Firebase: %s", number, index, exc)

    async def approve_take(self, script_id: str, scene_index: int, number: int | None = None) -> Any:
        take = await super().approve_take(script_id, scene_index, number)
        for t in self.takes(script_id, scene_index):
            if t.draft:
                await asyncio.to_thread(self._note_take, script_id, scene_index, t.number, {"approved": t.approved})
        return take

    async def delete_take(self, script_id: str, scene_index: int, number: int) -> Any:
        """The take here, its Storage object and its record; the scene's clip is never one of them."""
        take = await super().delete_take(script_id, scene_index, number)
        await asyncio.to_thread(self._drop_take_remote, script_id, scene_index, number)
        return take

    def _note_take(self, script_id: str, index: int, number: int, fields: dict[str, Any]) -> None:
        try:
            documents.put_take(self.conn, script_id, index, number, fields)
        except Exception as exc:
            log.warning("could not update take %s of scene %s in Firestore: %s", number, index, exc)

    def _drop_take_remote(self, script_id: str, index: int, number: int) -> None:
        from google.api_core import exceptions as gexc

        try:
            self.conn.bucket.blob(take_name(script_id, index, number)).delete(timeout=CALL_TIMEOUT)
        except gexc.NotFound:
            pass
        self._forget(script_id)
        documents.drop_take(self.conn, script_id, index, number)

    def _publish_clip(self, script_id: str, index: int, local: Path, metadata: dict[str, Any] | None,
                      progress: Progress | None = None) -> str:
        """Upload the clip, then set videoUrl/videoStatus/videoMetadata on that scene only."""
        meta = VideoMetadata.model_validate(metadata) if metadata else None
        name = clip_name(script_id, index)
        url = self._upload(name, local, meta, {"sceneIndex": str(index)}, progress)
        fields: dict[str, Any] = {"videoUrl": url, "videoStatus": VideoStatus.COMPLETED.value}
        if meta is not None:
            fields["videoMetadata"] = app_metadata(meta)
        documents.update_scene(self.conn, script_id, index, fields)
        self._note_uploaded(script_id, index, local)
        return url

    def _upload(self, name: str, local: Path, meta: VideoMetadata | None, extra: dict[str, str],
                progress: Progress | None) -> str:
        token = str(uuid.uuid4())
        custom = {"userId": self.user_id, **extra, "firebaseStorageDownloadTokens": token}
        if meta is not None:
            custom.update(duration=f"{meta.duration:.3f}", resolution=meta.resolution)
        size = local.stat().st_size
        check_video_upload(name, "video/mp4", size, custom, self.user_id)
        upload_file(self.conn.bucket.blob(name), local, content_type="video/mp4", metadata=custom,
                    chunk_bytes=self.conn.config.chunk_bytes, on_progress=progress)
        self._forget(name.split("/")[2])
        return self.conn.download_url(name, token)

    def _note_uploaded(self, script_id: str, index: int | None, local: Path) -> None:
        """Remember which content went up, so a later run can tell a pending upload from a newer remote clip."""
        md5 = self._local_md5(local)

        def change(doc: dict[str, Any]) -> None:
            if index is None:
                doc["finalUploadedMd5"] = md5
            else:
                doc.setdefault("scenes", {}).setdefault(str(index), {})["uploadedMd5"] = md5

        self._change_doc_sync(script_id, change)

    async def local_clip(self, script_id: str, scene_index: int) -> Path | None:
        """The clip as a local file: the workspace copy, fetched from Storage when missing or older than Storage's."""
        return await asyncio.to_thread(self._local_clip, script_id, scene_index)

    def _local_clip(self, script_id: str, index: int) -> Path | None:
        local = self.clip_path(script_id, index)
        remote = self.remote_clips(script_id).get(clip_name(script_id, index))
        if remote is None:
            return local if local.is_file() else None
        if local.is_file():
            entry = self.read_doc(script_id).get("scenes", {}).get(str(index), {})
            if self._local_md5(local) == remote.md5 or self._pending(local, entry, remote):
                return local
        log.info("fetching scene %s from Storage", index)
        download_file(self.conn.bucket.blob(remote.name), local)
        self._note_uploaded(script_id, index, local)
        return local

    async def delete_clip(self, script_id: str, scene_index: int) -> None:
        """Remove the clip here and in Storage (the take it is too), and reset the scene's video fields in Firestore."""
        chosen = [t.number for t in self.takes(script_id, scene_index) if t.chosen]
        await super().delete_clip(script_id, scene_index)
        await asyncio.to_thread(self._delete_remote, script_id, scene_index)
        for number in chosen:
            await asyncio.to_thread(self._drop_take_remote, script_id, scene_index, number)

    def _delete_remote(self, script_id: str, index: int) -> None:
        from google.api_core import exceptions as gexc

        try:
            self.conn.bucket.blob(clip_name(script_id, index)).delete(timeout=CALL_TIMEOUT)
        except gexc.NotFound:
            pass
        self._forget(script_id)
        documents.update_scene(self.conn, script_id, index, {"videoStatus": VideoStatus.NOT_STARTED.value},
                               remove=("videoUrl", "videoMetadata"))

    async def watch_script(self, script_id: str, seen: Callable[[str], None]) -> Callable[[], None]:
        """Follow the script document (a Firestore listener); see `documents.watch_script`."""
        return await asyncio.to_thread(documents.watch_script, self.conn, script_id, seen)

    async def edit_scene_text(self, script_id: str, scene_index: int, changes: dict[str, Any]) -> None:
        """A person's edit of a scene's words, through the same field-only transaction as the render's writes
        (None removes the field)."""
        keep = {k: v for k, v in changes.items() if v is not None}
        drop = [k for k, v in changes.items() if v is None]
        await asyncio.to_thread(documents.update_scene, self.conn, script_id, scene_index, keep, remove=drop)

    async def mark_scene(self, script_id: str, scene_index: int, status: str, error: str | None = None) -> None:
        await super().mark_scene(script_id, scene_index, status, error)
        try:
            await asyncio.to_thread(documents.update_scene, self.conn, script_id, scene_index, {"videoStatus": status})
        except Exception as exc:  # a status line must never stop a render; the clip's own write is not so forgiving
            log.warning("could not set scene %s videoStatus=%s in Firestore: %s", scene_index, status, exc)

    async def save_final(self, script_id: str, staged: Path, metadata: VideoMetadata) -> SceneVideo:
        video = await super().save_final(script_id, staged, metadata)
        url = await asyncio.to_thread(self._publish_final, script_id, metadata)
        return video.model_copy(update={"video_url": url})

    async def save_film_captions(self, script_id: str, texts: dict[str, str]) -> None:
        """Beside final.mp4 in the workspace and in Storage (final.srt, final.vtt); the script's document names them."""
        await super().save_film_captions(script_id, texts)
        await asyncio.to_thread(self._publish_captions, script_id, list(texts))

    def _publish_captions(self, script_id: str, suffixes: list[str]) -> None:
        urls = {}
        for suffix in suffixes:
            local = self.final_path(script_id).with_suffix(suffix)
            name = clip_name(script_id, None).removesuffix(".mp4") + suffix
            token = str(uuid.uuid4())
            custom = {"userId": self.user_id, "captions": "true", "firebaseStorageDownloadTokens": token}
            kind = CAPTION_TYPES[suffix]
            check_caption_upload(name, kind, local.stat().st_size, custom, self.user_id)
            upload_file(self.conn.bucket.blob(name), local, content_type=kind, metadata=custom,
                        chunk_bytes=self.conn.config.chunk_bytes, on_progress=None)
            urls[suffix.lstrip(".")] = self.conn.download_url(name, token)
        documents.update_top(self.conn, script_id, {"finalCaptionUrls": urls})

    def _publish_final(self, script_id: str, metadata: VideoMetadata) -> str:
        local = self.final_path(script_id)
        url = self._upload(clip_name(script_id, None), local, metadata, {"final": "true"}, None)
        documents.update_top(self.conn, script_id, {"finalVideoUrl": url, "finalVideoMetadata": app_metadata(metadata)})
        self._note_uploaded(script_id, None, local)
        return url


def app_metadata(meta: VideoMetadata) -> dict[str, Any]:
    """`videoMetadata` as the app reads it: duration (number), resolution, size (int bytes), timestamp (a Firestore timestamp)."""
    return {"duration": round(float(meta.duration), 3), "resolution": meta.resolution, "size": int(meta.size),
            "timestamp": meta.timestamp}
