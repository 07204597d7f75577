"""The embedded default store: the seed's layout under the workspace, and a JSON document per script.

    videos/scripts/{scriptId}/scenes/{sceneIndex}.mp4   clips (each the chosen take of its scene)
    videos/scripts/{scriptId}/takes/{sceneIndex}/{n}.mp4 every take a scene got (see storage/takes.py)
    videos/scripts/{scriptId}/final.mp4                  the assembled film
    scripts/{scriptId}.json                              mirrors Firestore scripts/{scriptId} (videoUrl/Status/Metadata)
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenetui.domain import SceneVideo, VideoMetadata, VideoStatus
from scenetui.domain.video import StoredCopy
from scenetui.errors import UserError
from scenetui.storage import takes as T
from scenetui.storage.atomic import clear_dead_temps, move_into_place, write_json_atomic, write_text_atomic

STAGING = ".staging"

if TYPE_CHECKING:
    from scenetui.storage.firebase.claims import SceneClaim


class LocalStore:
    """Clips on the local filesystem; every write is atomic (temp + rename)."""

    uploads = False  # a store that also uploads (Firebase) reports progress while saving
    user_id: str | None = None  # local clips have no owner

    def __init__(self, root: Path) -> None:
        self.root = root
        self._doc_lock = threading.Lock()  # held in worker threads: Firebase uploads note what they sent from there too

    # paths --------------------------------------------------------------------------------------------
    def script_dir(self, script_id: str) -> Path:
        return self.root / "videos" / "scripts" / script_id

    def clip_path(self, script_id: str, scene_index: int) -> Path:
        return self.script_dir(script_id) / "scenes" / f"{scene_index}.mp4"

    def final_path(self, script_id: str) -> Path:
        return self.script_dir(script_id) / "final.mp4"

    def doc_path(self, script_id: str) -> Path:
        return self.root / "scripts" / f"{script_id}.json"

    def remote_copies(self, script_id: str) -> dict[int, StoredCopy] | None:
        """Nothing is remote here."""
        return None

    def scene_claims(self, script_id: str) -> list[SceneClaim] | None:
        """The render boxes' claims on the script's scenes: none here (one box, one lock)."""
        return None

    def staging_path(self, script_id: str, name: str) -> Path:
        """A temp file on the same filesystem as the clips, so the final rename is atomic."""
        return self.script_dir(script_id) / STAGING / f"{name}.part.mp4"

    # lifecycle ----------------------------------------------------------------------------------------
    async def prepare(self, script_id: str) -> None:
        """Create the folders, prove they are writable, and clear staging files a crash left behind."""
        await asyncio.to_thread(self._prepare, script_id)

    def _prepare(self, script_id: str) -> None:
        staging = self.script_dir(script_id) / STAGING
        try:
            for d in (staging, self.script_dir(script_id) / "scenes", self.root / "scripts"):
                d.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(dir=staging)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise UserError(f"workspace {self.root} is not writable ({exc.strerror})", hint="choose another --workspace") from exc
        for leftover in staging.glob("*.part.mp4"):
            leftover.unlink(missing_ok=True)
        clear_dead_temps(self.root / "scripts")

    # document -----------------------------------------------------------------------------------------
    def read_doc(self, script_id: str) -> dict[str, Any]:
        path = self.doc_path(script_id)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"id": script_id, "scenes": {}}
        except (OSError, json.JSONDecodeError) as exc:
            raise UserError(f"{path} is damaged ({exc})", hint="move it aside; clips are kept and will be re-read") from exc

    def _change_doc_sync(self, script_id: str, change: Callable[[dict[str, Any]], None]) -> None:
        """Read, change and atomically rewrite the script's document, one writer at a time."""
        with self._doc_lock:
            doc = self.read_doc(script_id)
            change(doc)
            write_json_atomic(self.doc_path(script_id), doc)

    async def _update_scene(self, script_id: str, scene_index: int, fields: dict[str, Any] | None) -> None:
        def change(doc: dict[str, Any]) -> None:
            scenes = doc.setdefault("scenes", {})
            if fields is None:
                scenes.pop(str(scene_index), None)
            else:
                scenes.setdefault(str(scene_index), {}).update(fields)

        await asyncio.to_thread(self._change_doc_sync, script_id, change)

    async def _update_doc(self, fields: dict[str, Any], script_id: str) -> None:
        await asyncio.to_thread(self._change_doc_sync, script_id, lambda doc: doc.update(fields))

    def stored_clips(self, script_id: str) -> dict[int, str]:
        """Scenes that have a clip, and where it is."""
        folder = self.clip_path(script_id, 0).parent
        out: dict[int, str] = {}
        for p in folder.glob("*.mp4") if folder.is_dir() else ():
            if p.stem.isdigit():
                out[int(p.stem)] = str(p)
        return out

    # clips --------------------------------------------------------------------------------------------
    async def save_clip(self, script_id: str, scene_index: int, staged: Path, metadata: VideoMetadata,
                        progress: Callable[[int, int], None] | None = None, *, replace: bool = True,
                        extra: dict[str, Any] | None = None) -> SceneVideo:
        """Keep the staged clip as the scene's newest take and choose it — with `replace` False only when the scene
        has no clip (a variant waits to be chosen). `progress` is for stores that upload; a rename has none. The
        take before it stays on disk: nothing paid for is replaced. The answer's `take` is the new number; `extra`
        goes into its record (draft, from)."""
        number, chosen = await asyncio.to_thread(self._save_take, script_id, scene_index, staged, metadata, replace, extra)
        url = self.clip_path(script_id, scene_index) if chosen else T.take_path(self.script_dir(script_id), scene_index, number)
        return SceneVideo(script_id=script_id, scene_index=scene_index, video_url=url.as_uri(),
                          video_status=VideoStatus.COMPLETED, video_metadata=metadata, take=number, chosen=chosen)

    def _save_take(self, script_id: str, index: int, staged: Path, metadata: VideoMetadata,
                   replace: bool = True, extra: dict[str, Any] | None = None) -> tuple[int, bool]:
        """The record first, then the file, then the link: a crash anywhere leaves either a record without a file
        (not listed) or a take with its record. A generation saved again after such a crash (its attempt was not
        closed, so the next run downloads it again) lands on the take that already names it, never on a new one."""
        folder, clip = self.script_dir(script_id), self.clip_path(script_id, index)
        with self._doc_lock:
            doc = self.read_doc(script_id)
            entry = doc.setdefault("scenes", {}).setdefault(str(index), {})
            recs = T.adopt_old_clip(folder, index, entry, clip)
            record = T.new_record(0, metadata, extra)
            same = [r for r in recs if metadata.remote_id and
                    (r.get("videoMetadata") or {}).get("remoteId") == metadata.remote_id]
            number = same[0]["n"] if same else T.next_number(folder, index, entry, recs)
            recs = [r for r in recs if r["n"] != number] + [{**record, "n": number}]
            entry.update({"lastTake": max(number, entry.get("lastTake") or 0), T.TAKES: sorted(recs, key=lambda r: r["n"])})
            write_json_atomic(self.doc_path(script_id), doc)
            move_into_place(staged, T.take_path(folder, index, number))
            choose = replace or not clip.is_file()
            if choose:
                T.link_into_place(T.take_path(folder, index, number), clip)
                entry.update({"videoUrl": clip.as_uri(), "videoStatus": VideoStatus.COMPLETED.value,
                              "videoMetadata": metadata.to_wire(), "error": None, "take": number, "kept": False})
                write_json_atomic(self.doc_path(script_id), doc)
            return number, choose

    # takes --------------------------------------------------------------------------------------------
    def takes(self, script_id: str, scene_index: int) -> list[T.Take]:
        """Every take of the scene kept here, oldest first; the chosen one is the scene's clip."""
        entry = self.read_doc(script_id).get("scenes", {}).get(str(scene_index), {})
        return T.list_takes(self.script_dir(script_id), scene_index, entry, self.clip_path(script_id, scene_index))

    def _take(self, script_id: str, index: int, number: int) -> T.Take:
        found = [t for t in self.takes(script_id, index) if t.number == number]
        if not found:
            have = ", ".join(str(t.number) for t in self.takes(script_id, index)) or "none"
            raise UserError(f"scene {index} has no take {number} (its takes: {have})",
                            hint="scenetui takes SCRIPT --scenes N lists them")
        return found[0]

    async def choose_take(self, script_id: str, scene_index: int, number: int) -> SceneVideo:
        """Make take `number` the scene's clip (the film re-assembles from it); its facts become the scene's."""
        take = self._take(script_id, scene_index, number)
        await asyncio.to_thread(self._choose, script_id, scene_index, take)
        return SceneVideo(script_id=script_id, scene_index=scene_index,
                          video_url=self.clip_path(script_id, scene_index).as_uri(),
                          video_status=VideoStatus.COMPLETED, video_metadata=take.metadata)

    def _choose(self, script_id: str, index: int, take: T.Take) -> None:
        clip = self.clip_path(script_id, index)
        with self._doc_lock:
            doc = self.read_doc(script_id)
            entry = doc.setdefault("scenes", {}).setdefault(str(index), {})
            recs = T.adopt_old_clip(self.script_dir(script_id), index, entry, clip)
            if take.path != clip:
                T.link_into_place(take.path, clip)
            entry.update({"videoUrl": clip.as_uri(), "videoStatus": VideoStatus.COMPLETED.value, "error": None,
                          "take": take.number, "kept": False, T.TAKES: recs})
            if take.metadata is not None:
                entry["videoMetadata"] = take.metadata.to_wire()
            write_json_atomic(self.doc_path(script_id), doc)

    async def approve_take(self, script_id: str, scene_index: int, number: int | None = None) -> T.Take:
        """Approve a draft take for `render --final` — `number`, else the chosen take when it is a draft, else the
        newest draft; the scene's other drafts are no longer approved."""
        takes = self.takes(script_id, scene_index)
        drafts = [t for t in takes if t.draft]
        if number is not None:
            take = self._take(script_id, scene_index, number)
            if not take.draft:
                raise UserError(f"take {number} of scene {scene_index} is not a draft",
                                hint="approve a draft take (render --draft makes them)")
        elif not drafts:
            raise UserError(f"scene {scene_index} has no draft to approve",
                            hint=f"make one first: scenetui render SCRIPT --draft --scenes {scene_index}")
        else:
            take = next((t for t in drafts if t.chosen), drafts[-1])
        await asyncio.to_thread(self._set_approved, script_id, scene_index, take.number)
        return take

    def _set_approved(self, script_id: str, index: int, number: int) -> None:
        with self._doc_lock:
            doc = self.read_doc(script_id)
            entry = doc.setdefault("scenes", {}).setdefault(str(index), {})
            recs = T.records(entry)
            if not any(r["n"] == number for r in recs):  # a file a crash left without its record
                recs.append({"n": number, "createdAt": None, "draft": True})
            for r in recs:
                r["approved"] = r["n"] == number
            entry[T.TAKES] = recs
            write_json_atomic(self.doc_path(script_id), doc)

    async def delete_take(self, script_id: str, scene_index: int, number: int) -> T.Take:
        """Remove a take that is not the scene's clip (choose another first); the chosen clip's bytes are untouched."""
        take = self._take(script_id, scene_index, number)
        if take.chosen:
            raise UserError(f"take {number} is scene {scene_index}'s clip",
                            hint="choose another take first (scenetui takes choose SCRIPT SCENE TAKE)")
        await asyncio.to_thread(self._drop_take, script_id, scene_index, take)
        return take

    def _drop_take(self, script_id: str, index: int, take: T.Take) -> None:
        with self._doc_lock:
            doc = self.read_doc(script_id)
            entry = doc.setdefault("scenes", {}).setdefault(str(index), {})
            entry[T.TAKES] = [r for r in T.records(entry) if r["n"] != take.number]
            entry["lastTake"] = max(take.number, entry.get("lastTake") or 0)
            write_json_atomic(self.doc_path(script_id), doc)
            take.path.unlink(missing_ok=True)

    async def get_clip(self, script_id: str, scene_index: int) -> SceneVideo | None:
        path = self.clip_path(script_id, scene_index)
        if not path.is_file():
            return None
        entry = self.read_doc(script_id).get("scenes", {}).get(str(scene_index), {})
        meta = entry.get("videoMetadata")
        return SceneVideo(
            script_id=script_id, scene_index=scene_index, video_url=path.as_uri(),
            video_metadata=VideoMetadata.model_validate(meta) if meta else None, kept=bool(entry.get("kept")),
        )

    async def local_clip(self, script_id: str, scene_index: int) -> Path | None:
        path = self.clip_path(script_id, scene_index)
        return path if path.is_file() else None

    async def delete_clip(self, script_id: str, scene_index: int) -> None:
        """Delete the scene's clip and the take it is; the scene's other takes stay (choose one to use it)."""
        await asyncio.to_thread(self._delete_chosen, script_id, scene_index)

    def _delete_chosen(self, script_id: str, index: int) -> None:
        chosen = [t for t in self.takes(script_id, index) if t.chosen]
        with self._doc_lock:
            doc = self.read_doc(script_id)
            entry = doc.get("scenes", {}).get(str(index), {})
            left = [r for r in T.records(entry) if not chosen or r["n"] != chosen[0].number]
            last = max([entry.get("lastTake") or 0, *(t.number for t in chosen)])
            scenes = doc.setdefault("scenes", {})
            scenes.pop(str(index), None)
            if left or last:
                scenes[str(index)] = {T.TAKES: left, "lastTake": last}
            write_json_atomic(self.doc_path(script_id), doc)
            self.clip_path(script_id, index).unlink(missing_ok=True)
            if chosen and chosen[0].path != self.clip_path(script_id, index):
                chosen[0].path.unlink(missing_ok=True)

    async def mark_kept(self, script_id: str, scene_index: int, exported_to: str | None) -> None:
        """The person chose to keep this clip (and maybe exported a copy)."""
        await self._update_scene(script_id, scene_index, {"kept": True, "exportedTo": exported_to})

    async def mark_scene(self, script_id: str, scene_index: int, status: str, error: str | None = None) -> None:
        await self._update_scene(script_id, scene_index, {"videoStatus": status, "error": error})

    async def save_film_captions(self, script_id: str, texts: dict[str, str]) -> None:
        final = self.final_path(script_id)
        for suffix, text in texts.items():
            await asyncio.to_thread(write_text_atomic, final.with_suffix(suffix), text)

    async def save_final(self, script_id: str, staged: Path, metadata: VideoMetadata) -> SceneVideo:
        dest = self.final_path(script_id)
        await asyncio.to_thread(move_into_place, staged, dest)
        await self._update_doc({"finalVideoUrl": dest.as_uri(), "finalVideoMetadata": metadata.to_wire()}, script_id)
        return SceneVideo(script_id=script_id, scene_index=-1, video_url=dest.as_uri(), video_metadata=metadata)
