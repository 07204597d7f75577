"""Setting one keyframe of a scene from a picture: a file the person names, or a frame taken from the neighbouring
scene's clip (the continuity trick: scene 3 starts where scene 2 ended). The picture is checked like `validate`,
copied beside the script under a content-named file (nothing existing is overwritten) and the script points at it."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from typing import TYPE_CHECKING

from scenetui.errors import UserError
from scenetui.keyframe_commands import FIELDS

if TYPE_CHECKING:
    from scenetui.domain import AIScript

SUFFIXES = {".png", ".jpg", ".jpeg", ".webp"}


def place_picture(script_path: Path, index: int, which: str, source: Path) -> str:
    """Copy `source` into `keyframes/` beside the script and point scene `index`'s `which` keyframe at it; returns the
    reference written. Refused (script untouched) when `source` is not a usable keyframe image."""
    from scenetui.media.images import image_problem
    from scenetui.scriptedit import check_writable, set_scene_fields

    source = source.expanduser()
    problem = image_problem(source)
    if problem:
        raise UserError(problem, hint="choose a PNG, JPEG or WebP picture")
    check_writable(script_path)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:8]
    suffix = source.suffix.lower() if source.suffix.lower() in SUFFIXES else ".png"
    folder = script_path.parent / "keyframes"
    folder.mkdir(exist_ok=True)
    dest = folder / f"{index:03d}-{which}-{digest}{suffix}"
    if not dest.exists():  # the same picture again is the same file: nothing is overwritten
        tmp = dest.with_name(f".{dest.name}.part")
        shutil.copyfile(source, tmp)
        tmp.replace(dest)
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
    from scenetui.keyframe_commands import free_name
    from scenetui.media.sketch import draw_card
    from scenetui.scriptedit import check_writable, set_scene_fields

    check_writable(script_path)
    dest = draw_card(script, index, which, free_name(script_path.parent / "keyframes", f"{index:03d}-{which}"))
    ref = dest.relative_to(script_path.parent).as_posix()
    set_scene_fields(script_path, {index: {FIELDS[which]: ref}})
    return ref
