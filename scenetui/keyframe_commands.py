"""`scenetui keyframes`: fill in the keyframes scenes lack — storyboard cards drawn offline (`--backend sketch`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from scenetui.errors import EXIT_OK, ScriptInvalid, UserError


def _load(path: Path):  # noqa: ANN202
    """The script with keyframes optional (this command adds them); every other problem still refuses it."""
    from pydantic import ValidationError

    from scenetui.domain import AIScript
    from scenetui.scriptfile import Problem, _loc, parse_script

    data, problems = parse_script(path)
    if problems:
        raise ScriptInvalid(str(path), problems)
    if not isinstance(data, dict):
        raise ScriptInvalid(str(path), [Problem("(script)", "must be a JSON object with id and scenes")])
    try:
        return AIScript.model_validate(data, context={"keyframes_optional": True})
    except ValidationError as exc:
        raise ScriptInvalid(str(path), [Problem(_loc(e["loc"]), e["msg"].removeprefix("Value error, "))
                                        for e in exc.errors()]) from None


def _free_name(folder: Path, stem: str) -> Path:
    """`keyframes/000-start.png`, or the next free variant: a picture already there is never overwritten."""
    candidate = folder / f"{stem}.png"
    n = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{n}.png"
        n += 1
    return candidate


def draw_missing(path: Path, indices: list[int] | None, *, force: bool = False,
                 on_drawn=None) -> list[dict[str, object]]:  # noqa: ANN001
    """Draw the chosen scenes' missing keyframes (all of them with `force`), point the script at them; what was made."""
    from scenetui.media.sketch import draw_card
    from scenetui.scriptedit import check_writable, set_scene_fields

    script = _load(path)
    chosen = indices if indices is not None else list(range(len(script.scenes)))
    todo = [(i, which) for i in chosen for which, ref in (("start", script.scenes[i].start_keyframe),
                                                            ("end", script.scenes[i].end_keyframe))
            if force or not ref]
    if not todo:
        return []
    check_writable(path)
    folder = path.parent / "keyframes"
    made: list[dict[str, object]] = []
    changes: dict[int, dict[str, str]] = {}
    for i, which in todo:
        dest = draw_card(script, i, which, _free_name(folder, f"{i:03d}-{which}"))
        rel = dest.relative_to(path.parent).as_posix()
        changes.setdefault(i, {})["startKeyframe" if which == "start" else "endKeyframe"] = rel
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
    count = len(_load(path).scenes)
    indices = parse_scenes(args.scenes, count) if args.scenes else None
    if args.backend == "luma":
        from scenetui.cli import _run_async
        from scenetui.photon_commands import luma_keyframes

        return _run_async(luma_keyframes(args, path, indices))

    def drawn(entry: dict[str, object]) -> None:
        if args.json:
            print(json.dumps({"type": "keyframe_drawn", **{k: v for k, v in entry.items() if k != "ref"}}), flush=True)
        else:
            print(f"scene {entry['scene']}: {entry['which']} keyframe drawn → {entry['ref']}", flush=True)

    made = draw_missing(path, indices, force=args.force, on_drawn=drawn)
    if not made:
        message = "every chosen scene already has both keyframes (use --force to draw them again)"
        print(json.dumps({"type": "summary", "made": [], "message": message}) if args.json else message)
        return EXIT_OK
    if args.json:
        print(json.dumps({"type": "summary", "made": made, "script": str(path)}))
    else:
        print(f"{len(made)} keyframe(s) drawn; {path.name} now points at them. Next: scenetui render {path}")
    return EXIT_OK
