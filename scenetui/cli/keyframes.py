"""`scenetui keyframes`: fill in the keyframes scenes lack — storyboard cards drawn offline (`--backend sketch`)."""

from __future__ import annotations

import argparse
from pathlib import Path


from scenetui.errors import EXIT_OK, UserError
from scenetui.keyframes.cards import draw_missing, load_for_keyframes, wanted
from scenetui.headless.jsonout import emit


def keyframes_cmd(args: argparse.Namespace) -> int:
    """Draw the missing start/end keyframes of the chosen scenes and point the script at them."""
    from scenetui.script.ref import FirestoreRef
    from scenetui.cli.selection import parse_scenes

    if isinstance(args.script, FirestoreRef):
        return _firestore_keyframes(args, args.script)
    path: Path = args.script
    script = load_for_keyframes(path)
    indices = parse_scenes(args.scenes, len(script.scenes)) if args.scenes else None
    if args.backend == "luma":
        from scenetui.cli.common import run_async
        from scenetui.cli.luma_keyframes import luma_keyframes

        return run_async(luma_keyframes(args, path, script, indices))

    def drawn(entry: dict[str, object]) -> None:
        if args.json:
            emit({"type": "keyframe_drawn", **{k: v for k, v in entry.items() if k != "ref"}})
        else:
            print(f"scene {entry['scene']}: {entry['which']} keyframe drawn → {entry['ref']}", flush=True)

    made = draw_missing(path, indices, force=args.force, on_drawn=drawn, script=script)
    if not made:
        message = "every chosen scene already has both keyframes (use --force to draw them again)"
        emit({"type": "summary", "made": [], "message": message}) if args.json else print(message)
        return EXIT_OK
    if args.json:
        emit({"type": "summary", "made": made, "script": str(path)})
    else:
        print(f"{len(made)} keyframe(s) drawn; {path.name} now points at them. Next: scenetui render {path}")
    return EXIT_OK


def _firestore_keyframes(args: argparse.Namespace, ref: object) -> int:
    """Cards for a firestore: script: drawn aside, put in the bucket under their content hash, and each scene's field
    set through the field-only transaction (a concurrent edit of anything else survives)."""
    from scenetui.config import load_settings
    from scenetui.keyframes.pictures import Bucketed
    from scenetui.cli.selection import parse_scenes
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
        from scenetui.cli.common import run_async
        from scenetui.cli.luma_keyframes import luma_keyframes

        workspace = resolve_workspace(ref, args.workspace, settings)  # type: ignore[arg-type]
        folder = workspace.root / "keyframes" / script.id  # pictures wait here on their way to the bucket
        return run_async(luma_keyframes(args, folder, script, indices, bucket, workspace))

    def drawn(entry: dict[str, object]) -> None:
        if args.json:
            emit({"type": "keyframe_drawn", **entry})
        else:
            print(f"scene {entry['scene']}: {entry['which']} keyframe drawn → {entry['ref']}", flush=True)

    made = bucket.cards(script, wanted(script, indices, args.force), drawn)
    if args.json:
        emit({"type": "summary", "made": made, "script": f"firestore:{script.id}"})
    elif not made:
        print("every chosen scene already has both keyframes (use --force to draw them again)")
    else:
        print(f"{len(made)} keyframe(s) drawn into the bucket; firestore:{script.id} now points at them")
    return EXIT_OK
