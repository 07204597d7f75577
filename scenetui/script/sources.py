"""Loading a script from where the user names it: a file, or Firestore (`firestore:ID`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.script.file import LoadedScript, Problem, check_script, load_script
from scenetui.script.ref import FirestoreRef, ScriptRef

if TYPE_CHECKING:
    from scenetui.config import Settings
    from scenetui.storage.firebase.connection import FirebaseConnection


def firebase_connection(settings: Settings, bucket: str | None = None) -> FirebaseConnection:
    """The checked connection for this configuration (imported lazily: local work never loads firebase-admin)."""
    from scenetui.storage.firebase.connection import connect, firebase_config

    return connect(firebase_config(settings, bucket=bucket))


def load_ref(ref: ScriptRef, settings: Settings, bucket: str | None = None, *, keyframes_optional: bool = False
             ) -> LoadedScript:
    """A validated script from a file or from Firestore; ScriptInvalid / UserError otherwise. `keyframes_optional`
    (the app): a file's scenes may lack keyframes altogether, for `k` to make them."""
    if isinstance(ref, FirestoreRef):
        from scenetui.script.firestore import load_firestore_script

        return load_firestore_script(firebase_connection(settings, bucket), ref.script_id,
                                     keyframes_optional=keyframes_optional)
    return load_script(Path(ref), keyframes_optional=keyframes_optional)


def check_ref(ref: ScriptRef, settings: Callable[[], Settings], bucket: str | None = None
              ) -> tuple[bool, int, str | None, list[Problem]]:
    """For `validate`: (valid, scene count, script id, every problem) without raising for the script's own problems.
    `settings` is only called for a Firestore script (a file needs none, and loading them costs start-up time)."""
    from scenetui.errors import ScriptInvalid

    if isinstance(ref, FirestoreRef):
        try:
            loaded = load_ref(ref, settings(), bucket)
        except ScriptInvalid as exc:
            return False, 0, None, list(exc.problems)
        return True, len(loaded.script.scenes), loaded.script.id, list(loaded.warnings)
    script, problems = check_script(Path(ref))
    errors = [p for p in problems if p.severity == "error"]
    ok = script is not None and not errors
    return ok, len(script.scenes) if script else 0, script.id if script else None, problems
