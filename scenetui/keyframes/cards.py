"""Keyframes a script lacks, found and drawn offline as storyboard cards into `keyframes/` beside the script file;
the script points at them (format kept), and an existing picture is never overwritten."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.errors import ScriptInvalid

if TYPE_CHECKING:
    from scenetui.domain import AIScript


FIELDS = {"start": "startKeyframe", "end": "endKeyframe"}  # the script's field for each end of a scene


def load_for_keyframes(path: Path) -> AIScript:
    """The script with keyframes optional (this command adds them); every other problem still refuses it."""
    from scenetui.script.file import parse_script, validate_data

    data, problems = parse_script(path)
    script, problems = (None, problems) if problems else validate_data(data, {"keyframes_optional": True})
    if script is None:
        raise ScriptInvalid(str(path), problems)
    return script


def wanted(script: AIScript, indices: list[int] | None, force: bool) -> list[tuple[int, str]]:
    """(scene, "start"|"end") of every keyframe to make: the missing ones of the chosen scenes, or all with `force`."""
    chosen = indices if indices is not None else list(range(len(script.scenes)))
    return [(i, which) for i in chosen for which, ref in (("start", script.scenes[i].start_keyframe),
                                                            ("end", script.scenes[i].end_keyframe))
            if force or not ref]


def free_name(folder: Path, stem: str) -> Path:
    """`keyframes/000-start.png`, or the next free variant: a picture already there is never overwritten."""
    candidate = folder / f"{stem}.png"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.png"
        n += 1
    return candidate


def draw_missing(path: Path, indices: list[int] | None, *, force: bool = False, on_drawn: Callable[[dict[str, object]], None] | None = None,
                 script: AIScript | None = None) -> list[dict[str, object]]:
    """Draw the chosen scenes' missing keyframes (all of them with `force`), point the script at them; what was made."""
    script = script or load_for_keyframes(path)
    return draw_cards(path, script, wanted(script, indices, force), on_drawn)


def draw_cards(path: Path, script: AIScript, todo: list[tuple[int, str]],
               on_drawn: Callable[[dict[str, object]], None] | None = None) -> list[dict[str, object]]:
    """A card for each (scene, which) into `keyframes/` beside the script file, never over an existing picture; the
    script points at them (one write for all). What was made."""
    from scenetui.media.sketch import draw_card
    from scenetui.script.edit import check_writable, set_scene_fields

    if not todo:
        return []
    check_writable(path)
    folder = path.parent / "keyframes"
    made: list[dict[str, object]] = []
    changes: dict[int, dict[str, str]] = {}
    for i, which in todo:
        dest = draw_card(script, i, which, free_name(folder, f"{i:03d}-{which}"))
        rel = dest.relative_to(path.parent).as_posix()
        changes.setdefault(i, {})[FIELDS[which]] = rel
        made.append({"scene": i, "which": which, "path": str(dest), "ref": rel})
        if on_drawn is not None:
            on_drawn(made[-1])
    set_scene_fields(path, changes)
    return made
