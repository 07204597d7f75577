"""A script read from Firestore `scripts/{scriptId}`, checked as thoroughly as a script file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from scenetui.domain import AIScript
from scenetui.errors import UserError
from scenetui.script.file import LoadedScript, Problem, check_data, keyframe_refs, loaded_or_invalid, url_problem
from scenetui.storage.firebase.connection import FirebaseConnection
from scenetui.storage.firebase.documents import read_script
from scenetui.storage.firebase.keyframes import BlobRef, blob_ref, fetch_keyframe, keyframe_cache

FETCHES_AT_ONCE = 8


def _check_keyframes(conn: FirebaseConnection, script: AIScript, fetched: dict[str, Path],
                     origins: dict[Path, BlobRef]) -> list[Problem]:
    """https keyframes pass as for files; bucket keyframes are fetched (cached by content) and decoded."""
    wanted: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for loc, ref in keyframe_refs(script):
        if blob_ref(ref, conn.config.bucket) is None:
            why = url_problem(ref)
            if why:
                problems.append(Problem(loc, why))
            continue
        wanted.setdefault(ref, []).append(loc)
    cache = keyframe_cache()
    refs = list(wanted)

    def one(ref: str) -> tuple[str, Path | None, str | None, BlobRef]:
        where = blob_ref(ref, conn.config.bucket)
        assert where is not None
        path, why = fetch_keyframe(conn, where, cache)
        return ref, path, why, where

    with ThreadPoolExecutor(max_workers=FETCHES_AT_ONCE) as pool:
        for ref, path, why, where in pool.map(one, refs):
            if why:
                problems.extend(Problem(loc, why) for loc in wanted[ref])
            elif path is not None:
                fetched[ref] = path
                origins[path] = where
    return problems


def load_firestore_script(conn: FirebaseConnection, script_id: str, *, keyframes_optional: bool = False) -> LoadedScript:
    """The validated script of `scripts/{script_id}`, or ScriptInvalid with every problem and its place."""
    data = read_script(conn, script_id)
    name = f"firestore:{script_id}"
    if data is None:
        raise UserError(f"there is no script {script_id!r} in Firestore (project {conn.config.project})",
                        hint="check the id: it is the document id under scripts/")
    data = dict(data)
    extra: list[Problem] = []
    if "id" in data and data["id"] != script_id:
        extra.append(Problem("id", f"is {data['id']!r} but the document is scripts/{script_id}"))
    data["id"] = script_id
    fetched: dict[str, Path] = {}
    origins: dict[Path, BlobRef] = {}
    script, problems = check_data(data, lambda s: _check_keyframes(conn, s, fetched, origins),
                                  keyframes_optional=keyframes_optional)
    return loaded_or_invalid(name, script, extra + problems, lambda s, warnings: LoadedScript(
        s, None, warnings, source=name, fetched=fetched, origins=origins))


def user_id_of(loaded: LoadedScript, explicit: str | None) -> str | None:
    """The owner every upload carries: --user-id, else the script's `userId`."""
    if explicit:
        return explicit
    value: Any = (loaded.script.model_extra or {}).get("userId")
    return value if isinstance(value, str) and value else None
