"""Queue commands for every render box on a shared (`firestore:`) script: `scenetui queue firestore:ID` on any box
adds one to scripts/{id}/commands; each render follows that collection with a listener (no polling) and obeys what
was added since it began, as if it came through its own journal. Written with the Admin SDK; no client may."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from google.cloud.firestore_v1.base_query import FieldFilter

from scenetui.storage.firebase.connection import FirebaseConnection
from scenetui.storage.firebase.documents import COLLECTION

VERBS = ("concurrency", "pause", "resume", "drain", "first")  # what a box obeys from the team (not cancel: per box)


def _commands(conn: FirebaseConnection, script_id: str) -> Any:
    return conn.db.collection(COLLECTION).document(script_id).collection("commands")


def send(conn: FirebaseConnection, script_id: str, verb: str, by: str, **args: Any) -> None:
    """Ask every box rendering the script: one document, stamped with when and by whom."""
    if verb not in VERBS:
        raise ValueError(f"not a queue verb: {verb}")
    _commands(conn, script_id).add({"verb": verb, "args": args, "at": time.time(), "by": by})


def watch(conn: FirebaseConnection, script_id: str, since: float,
          obey: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
    """Call `obey(verb, args)` from the listener's thread for each command added at or after `since` (older ones
    were meant for renders before this one). Returns the function that stops listening."""
    def on_snapshot(_docs: list[Any], changes: list[Any], _read_time: Any) -> None:
        for change in changes:
            if change.type.name != "ADDED":
                continue
            data = change.document.to_dict() or {}
            verb, args = data.get("verb"), data.get("args")
            if verb in VERBS and isinstance(args, dict):
                obey(str(verb), args)

    query = _commands(conn, script_id).where(filter=FieldFilter("at", ">=", since))
    return query.on_snapshot(on_snapshot).unsubscribe  # type: ignore[no-any-return]
