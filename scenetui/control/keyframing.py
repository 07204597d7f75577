"""Keyframes from the app: storyboard cards or Luma pictures (Photon, or uni-1 for a ray-3.2 script) for scenes that
lack them (`k`), and one keyframe set or replaced (`K`) from a file, the neighbouring clip's edge frame, a card, or
Luma. The script file is saved
field-only and reloaded; a finished scene whose keyframe changed is marked stale."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.domain.board import ACTIVE, DONE
from scenetui.domain.events import KeyframesDone, SceneStage
from scenetui.errors import UserError

if TYPE_CHECKING:
    from scenetui.control.editing import Editing
    from scenetui.control.state import ScriptState
    from scenetui.keyframes.luma import PicturePlan, PictureSession
    from scenetui.keyframes.pictures import Bucketed


class Keyframing:
    """A controller's keyframe work: cards, pictures, clip frames and Luma; the script saved and reloaded through
    the edits part."""

    def __init__(self, state: ScriptState, edits: Editing) -> None:
        self.state, self.edits = state, edits

    @property
    def picture_model(self) -> str:
        """The Luma picture model the app uses: uni-1 when the script renders on ray-3.2, else Photon."""
        from scenetui.keyframes.luma import default_picture_model

        return default_picture_model(self.state.loaded.script)

    @property
    def picture_maker(self) -> str:
        """The model's name as the app says it."""
        model = self.picture_model
        return f"Luma {model}" if model.startswith("uni") else "Luma Photon"

    def _bucket(self) -> Bucketed:
        """Where a firestore: script's pictures go: the bucket of its Firebase store."""
        from scenetui.keyframes.pictures import Bucketed

        from scenetui.storage.firebase.store import FirebaseStore

        store = self.state.store
        if not isinstance(store, FirebaseStore):
            raise UserError("this script's storage cannot take pictures", hint="open it with Firebase storage")
        return Bucketed(store.conn, store.user_id, self.state.loaded.script.id)

    async def _apply_picture(self, index: int, which: str, picture: Path) -> str:
        """Point the keyframe at `picture`, checked like `validate`: copied beside a script file, or into the bucket
        for a firestore: script (content-named, the field set through the field-only transaction)."""
        from scenetui.keyframes.pictures import place_picture

        if self.state.loaded.path is not None:
            return await asyncio.to_thread(place_picture, self.state.loaded.path, index, which, picture)
        return await asyncio.to_thread(self._bucket().place, index, which, picture)

    # k: every keyframe the chosen scenes lack ------------------------------------------------------------------
    async def draw_keyframes(self, indices: list[int] | None) -> str:
        """Storyboard cards for the keyframes these scenes (default: every incomplete one) lack; the script file is
        updated and reloaded here, so the tree, details and the next render use them at once."""
        from scenetui.keyframes.cards import draw_missing, wanted

        if self.state.running:
            raise UserError("a render is running", hint="draw keyframes when it has finished")
        chosen = indices if indices is not None else sorted(self.state.missing_keyframes())
        if self.state.loaded.path is not None:
            made = await asyncio.to_thread(draw_missing, self.state.loaded.path, chosen)
        else:
            made = await asyncio.to_thread(self._bucket().cards, self.state.loaded.script, wanted(self.state.loaded.script, chosen, False))
        if not made:
            return "every chosen scene already has both keyframes"
        self.edits.restamp()
        await self.edits.reload()
        scenes = sorted({int(m["scene"]) for m in made})  # type: ignore[call-overload]
        self.state.say(f"drew {len(made)} storyboard keyframe(s) for scene(s) {', '.join(map(str, scenes))}")
        return f"drew {len(made)} keyframe(s) — press g to create the videos"

    async def picture_plan(self, jobs: list[tuple[int, str]], *, new: bool = False) -> tuple[PictureSession, PicturePlan]:
        """Checks and the estimate for Luma pictures, before anything is spent (close the session after). `new`:
        one picture asked for by name — made again even if one exists, and paid again if it is in doubt (the
        question the app asks first states the cost)."""
        from scenetui.backends.luma.photon import KeyframeJob
        from scenetui.keyframes.luma import PictureSession, image_price

        if self.state.running:
            raise UserError("a render is running", hint="make keyframes when it has finished")
        bucket = None
        path = self.state.loaded.path
        if path is None:  # a firestore: script: references signed in the bucket, pictures published there
            bucket = self._bucket()
            path = self.state.workspace.root / "keyframes" / self.state.loaded.script.id
        model = self.picture_model
        session = PictureSession(path, self.state.loaded.script, self.state.settings, model=model,
                                 price_cents=image_price(model, self.state.opts.price_table),
                                 workspace=self.state.workspace, luma_base_url=self.state.opts.luma_base_url,
                                 keyframe_base_url=self.state.opts.keyframe_base_url, say=self.state.say, bucket=bucket,
                                 resubmit=new)
        try:
            plan = await session.plan([KeyframeJob(i, which) for i, which in jobs], reuse=not new)
        except BaseException:
            await session.aclose()
            raise
        return session, plan

    async def make_pictures(self, session: PictureSession, plan: PicturePlan, *, force: bool = False) -> str:
        """Make the planned pictures with progress on each scene's row; the script is reloaded as they arrive."""
        scenes = sorted({j.index for j in plan.jobs})
        for i in scenes:
            self.state.emit(SceneStage(i, "keyframes", f"{self.picture_maker} is making its keyframes"))
        left = {i: sum(1 for j in plan.jobs if j.index == i) for i in scenes}

        async def made(job: object, rel: str) -> None:
            index, which = getattr(job, "index"), getattr(job, "which")
            left[index] -= 1
            self.edits.restamp()
            await self.edits.reload()
            if left[index]:
                self.state.emit(SceneStage(index, "keyframes", f"{which} keyframe ready; making the other"))
            else:
                self.state.emit(KeyframesDone(index, f"keyframes made with {self.picture_maker}"))

        try:
            pictures = await session.run(plan, made, force=force)
        finally:
            await session.aclose()
            for i in scenes:
                if left[i]:
                    self.state.emit(KeyframesDone(i, "keyframes not finished (see the log); k picks them up, not paid again"))
        return f"{len(pictures)} keyframe(s) made with {self.picture_maker} — press g to create the videos"

    # K: one keyframe -------------------------------------------------------------------------------------------
    def keyframe_choices(self, index: int) -> list[tuple[str, str, str]]:
        """(which, source, label) for each way this scene's keyframes can be set from the app."""
        from scenetui.keyframes.luma import image_price

        out: list[tuple[str, str, str]] = []
        n = len(self.state.board.scenes)
        for which in ("start", "end"):
            out.append((which, "file", f"{which} keyframe ← a picture file…"))
            neighbour = index - 1 if which == "start" else index + 1
            if 0 <= neighbour < n and self.state.board.scenes[neighbour].status == DONE:
                edge = "last" if which == "start" else "first"
                out.append((which, "clip", f"{which} keyframe ← the {edge} frame of scene {neighbour}'s clip"))
            out.append((which, "sketch", f"{which} keyframe ← a storyboard card (offline, free)"))
            if self.state.paid:
                model = self.picture_model
                try:
                    price = f"about {image_price(model, self.state.opts.price_table)}¢"
                except UserError:
                    price = "price unknown"
                out.append((which, "luma", f"{which} keyframe ← {self.picture_maker} ({model}, {price})"))
        return out

    async def set_keyframe(self, index: int, which: str, source: str, picture: Path | None = None) -> str:
        """Point scene `index`'s `which` keyframe at a new picture: `file` (`picture`), `clip` (the neighbour's edge
        frame) or `sketch`; the script is saved and reloaded, and a finished scene becomes stale. (`luma` goes
        through picture_plan/make_pictures, which ask first.)"""
        if self.state.running and self.state.board.scenes[index].status == ACTIVE:
            raise UserError(f"scene {index} is rendering", hint="set its keyframe when it has finished")
        from scenetui.keyframes.pictures import frame_picture, sketch_one

        if source == "sketch" and self.state.loaded.path is not None:
            ref = await asyncio.to_thread(sketch_one, self.state.loaded.path, self.state.loaded.script, index, which)
        elif source == "sketch":
            made = await asyncio.to_thread(self._bucket().cards, self.state.loaded.script, [(index, which)])
            ref = str(made[0]["ref"])
        elif source == "clip":
            neighbour = index - 1 if which == "start" else index + 1
            clip = self.state.clip_path(neighbour)
            if clip is None:
                raise UserError(f"scene {neighbour} has no clip", hint="generate it first")
            self.state.workspace.state_dir.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=self.state.workspace.state_dir) as tmp:
                still = await asyncio.to_thread(frame_picture, clip, which == "start", Path(tmp) / "frame.png")
                ref = await self._apply_picture(index, which, still)
        elif source == "file":
            if picture is None:
                raise UserError("no picture named", hint="type the path of a PNG, JPEG or WebP file")
            ref = await self._apply_picture(index, which, picture)
        else:
            raise UserError(f"unknown keyframe source {source!r}")
        self.edits.restamp()
        newly = await self.edits.reload()
        self.state.say(f"scene {index}: {which} keyframe is now {ref}")
        return f"scene {index}'s {which} keyframe is now {ref}" + (
            " — its clip is stale (kept until regenerated; R)" if newly else "")
