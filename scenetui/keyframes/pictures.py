"""Setting one keyframe of a scene from a picture: a file the person names, or a frame taken from the neighbouring
scene's clip (the continuity trick: scene 3 starts where scene 2 ended). The picture is checked like `validate`,
copied beside the script under a content-named file (nothing existing is overwritten) and the script points at it."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.errors import UserError
from scenetui.keyframes.cards import FIELDS

if TYPE_CHECKING:
    from scenetui.domain import AIScript
    from scenetui.storage.firebase.connection import FirebaseConnection

SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def usable_picture(source: Path) -> Path:
    """`source` (user-expanded) when it is a usable keyframe image; UserError saying why not otherwise."""
    from scenetui.media.images import image_problem

    source = source.expanduser()
    problem = image_problem(source)
    if problem:
        raise UserError(problem, hint="choose a PNG, JPEG or WebP picture")
    return source


def place_picture(script_path: Path, index: int, which: str, source: Path) -> str:
    """Copy `source` into `keyframes/` beside the script and point scene `index`'s `which` keyframe at it; returns the
    reference written. Refused (script untouched) when `source` is not a usable keyframe image."""
    from scenetui.script.edit import check_writable, set_scene_fields
    from scenetui.storage.atomic import move_into_place

    source = usable_picture(source)
    check_writable(script_path)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
    suffix = source.suffix.lower() if source.suffix.lower() in SUFFIXES else ".png"
    folder = script_path.parent / "keyframes"
    folder.mkdir(exist_ok=True)
    dest = folder / f"{index:03d}-{which}-{digest}{suffix}"
    if not dest.exists():  # the same picture again is the same file: nothing is overwritten
        tmp = dest.with_name(f".{dest.name}.part")
        shutil.copyfile(source, tmp)
        move_into_place(tmp, dest)
    ref = dest.relative_to(script_path.parent).as_posix()
    set_scene_fields(script_path, {index: {FIELDS[which]: ref}})
    return ref


def frame_picture(clip: Path, at_end: bool, dest: Path) -> Path:
    """The clip's last frame (`at_end`) or first frame, as a PNG at `dest`."""
    from scenetui.media.playback import ClipPlayer, PlaybackError

    try:
        player = ClipPlayer(clip)
        try:
            frame = player.frame_at(player.duration if at_end else 0.0)
            frame.to_image().save(dest, format="PNG")
        finally:
            player.close()
    except PlaybackError as exc:
        raise UserError(str(exc), hint="regenerate that scene's clip first") from exc
    return dest


def sketch_one(script_path: Path, script: AIScript, index: int, which: str) -> str:
    """A storyboard card for one keyframe (a new file; the old picture stays on disk); returns the reference."""
    from scenetui.keyframes.cards import draw_cards

    return str(draw_cards(script_path, script, [(index, which)])[0]["ref"])


@dataclass
class Bucketed:
    """A firestore: script's pictures: references signed where they are in the bucket, and each new picture
    published there under its content hash, the scene's field set through the field-only transaction."""

    conn: FirebaseConnection
    user_id: str
    script_id: str

    async def signed_url(self, ref: str) -> str:
        from scenetui.storage.firebase.keyframes import blob_ref

        blob = blob_ref(ref, self.conn.bucket.name)
        if blob is None:
            return ref
        return await asyncio.to_thread(self.conn.signed_url, blob.name, blob.bucket)

    def publish(self, index: int, field: str, picture: Path) -> str:
        from scenetui.storage.firebase.keyframes import publish_keyframe

        return publish_keyframe(self.conn, self.user_id, self.script_id, index, field, picture)

    def place(self, index: int, which: str, picture: Path) -> str:
        """A picture the person chose (or a clip's frame), checked like `validate`, into the bucket."""
        return self.publish(index, FIELDS[which], usable_picture(picture))

    def cards(self, script: AIScript, todo: list[tuple[int, str]],
              on_made: Callable[[dict[str, object]], None] | None = None) -> list[dict[str, object]]:
        """A storyboard card for each (scene, which), drawn aside and published; what was made."""
        from scenetui.media.sketch import draw_card

        made: list[dict[str, object]] = []
        with tempfile.TemporaryDirectory(prefix="scenetui-cards-") as tmp:
            for i, which in todo:
                card = draw_card(script, i, which, Path(tmp) / f"{i:03d}-{which}.png")
                made.append({"scene": i, "which": which, "ref": self.publish(i, FIELDS[which], card)})
                if on_made is not None:
                    on_made(made[-1])
        return made
