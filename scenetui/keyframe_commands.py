"""`scenetui keyframes`: fill in the keyframes scenes lack — storyboard cards drawn offline (`--backend sketch`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from typing import TYPE_CHECKING

from scenetui.errors import EXIT_OK, ScriptInvalid, UserError

if TYPE_CHECKING:
    from scenetui.domain import AIScript


FIELDS = {"start": "startKeyframe", "end": "endKeyframe"}  # the script's field for each end of a scene


def load_for_keyframes(path: Path) -> AIScript:
    """The script with keyframes optional (this command adds them); every other problem still refuses it."""
    from scenetui.scriptfile import parse_script, validate_data

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


def draw_missing(path: Path, indices: list[int] | None, *, force: bool = False, on_drawn=None,  # noqa: ANN001
                 script: AIScript | None = None) -> list[dict[str, object]]:
    """Draw the chosen scenes' missing keyframes (all of them with `force`), point the script at them; what was made."""
    from scenetui.media.sketch import draw_card
    from scenetui.scriptedit import check_writable, set_scene_fields

    script = script or load_for_keyframes(path)
    todo = wanted(script, indices, force)
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


def keyframes_cmd(args: argparse.Namespace) -> int:
    """Draw the missing start/end keyframes of the chosen scenes and point the script at them."""
    from scenetui.scriptref import FirestoreRef
    from scenetui.selection import parse_scenes

    if isinstance(args.script, FirestoreRef):
        raise UserError("keyframes for a firestore: script are not drawn yet", hint="export the script to a file first")
    path: Path = args.script
    script = load_for_keyframes(path)
    indices = parse_scenes(args.scenes, len(script.scenes)) if args.scenes else None
    if args.backend == "luma":
        from scenetui.cli import _run_async
        from scenetui.photon_commands import luma_keyframes

        return _run_async(luma_keyframes(args, path, script, indices))

    def drawn(entry: dict[str, object]) -> None:
        if args.json:
            print(json.dumps({"type": "keyframe_drawn", **{k: v for k, v in entry.items() if k != "ref"}}), flush=True)
        else:
            print(f"scene {entry['scene']}: {entry['which']} keyframe drawn → {entry['ref']}", flush=True)

    made = draw_missing(path, indices, force=args.force, on_drawn=drawn, script=script)
    if not made:
        message = "every chosen scene already has both keyframes (use --force to draw them again)"
        print(json.dumps({"type": "summary", "made": [], "message": message}) if args.json else message)
        return EXIT_OK
    if args.json:
        print(json.dumps({"type": "summary", "made": made, "script": str(path)}))
    else:
        print(f"{len(made)} keyframe(s) drawn; {path.name} now points at them. Next: scenetui render {path}")
    return EXIT_OK
