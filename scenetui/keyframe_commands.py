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


def draw_missing(path: Path, indices: list[int] | None, *, force: bool = False, on_drawn=None,  # noqa: ANN001
                 script: AIScript | None = None) -> list[dict[str, object]]:
    """Draw the chosen scenes' missing keyframes (all of them with `force`), point the script at them; what was made."""
    script = script or load_for_keyframes(path)
    return draw_cards(path, script, wanted(script, indices, force), on_drawn)


def draw_cards(path: Path, script: AIScript, todo: list[tuple[int, str]], on_drawn=None) -> list[dict[str, object]]:  # noqa: ANN001
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


def keyframes_cmd(args: argparse.Namespace) -> int:
    """Draw the missing start/end keyframes of the chosen scenes and point the script at them."""
    from scenetui.script.ref import FirestoreRef
    from scenetui.selection import parse_scenes

    if isinstance(args.script, FirestoreRef):
        return _firestore_keyframes(args, args.script)
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


def _firestore_keyframes(args: argparse.Namespace, ref: object) -> int:
    """Cards for a firestore: script: drawn aside, put in the bucket under their content hash, and each scene's field
    set through the field-only transaction (a concurrent edit of anything else survives)."""
    from scenetui.config import load_settings
    from scenetui.keyframe_sources import Bucketed
    from scenetui.selection import parse_scenes
    from scenetui.script.sources import firebase_connection, load_ref
    from scenetui.script.firestore import user_id_of

    settings = load_settings()
    loaded = load_ref(ref, settings, args.bucket, keyframes_optional=True)  # type: ignore[arg-type]
    script = loaded.script
    user = user_id_of(loaded, args.user_id)
    if user is None:
        raise UserError("pictures in the bucket carry their owner's user id, and this script has none",
                        hint="pass --user-id UID (the Firebase Auth uid of the script's owner)")
    indices = parse_scenes(args.scenes, len(script.scenes)) if args.scenes else None
    bucket = Bucketed(firebase_connection(settings, args.bucket), user, script.id)
    if args.backend == "luma":
        from scenetui.build import resolve_workspace
        from scenetui.cli import _run_async
        from scenetui.photon_commands import luma_keyframes

        workspace = resolve_workspace(ref, args.workspace, settings)  # type: ignore[arg-type]
        folder = workspace.root / "keyframes" / script.id  # pictures wait here on their way to the bucket
        return _run_async(luma_keyframes(args, folder, script, indices, bucket, workspace))

    def drawn(entry: dict[str, object]) -> None:
        print(json.dumps({"type": "keyframe_drawn", **entry}) if args.json else
              f"scene {entry['scene']}: {entry['which']} keyframe drawn → {entry['ref']}", flush=True)

    made = bucket.cards(script, wanted(script, indices, args.force), drawn)
    if args.json:
        print(json.dumps({"type": "summary", "made": made, "script": f"firestore:{script.id}"}))
    elif not made:
        print("every chosen scene already has both keyframes (use --force to draw them again)")
    else:
        print(f"{len(made)} keyframe(s) drawn into the bucket; firestore:{script.id} now points at them")
    return EXIT_OK
