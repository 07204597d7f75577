"""Queue commands for every render box on a shared (`firestore:`) script: `scenetui queue firestore:ID` on any box
adds one to scripts/{id}/commands; each render follows that collection with a listener (no polling) and obeys what
was added since it began, as if it came through its own journal. Written with the Admin SDK; no client may.

Both ends are stamped by Firestore's clock, not the boxes': a render's start is the time its box document
(scripts/{id}/boxes/{owner}) was written, and a command's is the time it was added — so a box whose clock runs
ahead of the sender's still obeys a command sent a moment after it began."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.cloud import firestore
from google.cloud.firestore_v1.base_query import FieldFilter

from scenetui.storage.firebase.connection import FirebaseConnection
from scenetui.storage.firebase.documents import COLLECTION

VERBS = ("concurrency", "pause", "resume", "drain", "first")  # what a box obeys from the team (not cancel: per box)


def _script(conn: FirebaseConnection, script_id: str) -> Any:
    return conn.db.collection(COLLECTION).document(script_id)


def send(conn: FirebaseConnection, script_id: str, verb: str, by: str, **args: Any) -> None:
    """Ask every box rendering the script: one document, stamped with when (Firestore's clock) and by whom."""
    if verb not in VERBS:
        raise ValueError(f"not a queue verb: {verb}")
    _script(conn, script_id).collection("commands").add(
        {"verb": verb, "args": args, "at": firestore.SERVER_TIMESTAMP, "by": by})


def begin(conn: FirebaseConnection, script_id: str, owner: str) -> Any:
    """Say that this box renders the script now; returns Firestore's time of saying it (the render's start)."""
    written = _script(conn, script_id).collection("boxes").document(owner).set(
        {"owner": owner, "host": owner.split(":", 1)[0], "started": firestore.SERVER_TIMESTAMP})
    return written.update_time


def end(conn: FirebaseConnection, script_id: str, owner: str) -> None:
    """This box no longer renders the script."""
    _script(conn, script_id).collection("boxes").document(owner).delete()


def watch_boxes(conn: FirebaseConnection, script_id: str, seen: Callable[[list[str]], None]) -> Callable[[], None]:
    """Follow which boxes render the script (a listener on scripts/{id}/boxes): `seen` gets their owner names, from
    the listener's thread, now and after each change. Returns the function that stops."""
    def on_snapshot(docs: list[Any], _changes: Any, _read_time: Any) -> None:
        seen(sorted(str((doc.to_dict() or {}).get("owner") or doc.id) for doc in docs))

    return _script(conn, script_id).collection("boxes").on_snapshot(on_snapshot).unsubscribe  # type: ignore[no-any-return]


def watch(conn: FirebaseConnection, script_id: str, owner: str,
          obey: Callable[[str, dict[str, Any]], None]) -> Callable[[], None]:
    """Call `obey(verb, args)` from the listener's thread for each command added since this render began (older
    ones were meant for renders before it). Returns the function that stops listening (and says the box left)."""
    since = begin(conn, script_id, owner)

    def on_snapshot(_docs: list[Any], changes: list[Any], _read_time: Any) -> None:
        for change in changes:
            if change.type.name != "ADDED":
                continue
            data = change.document.to_dict() or {}
            verb, args = data.get("verb"), data.get("args")
            if verb in VERBS and isinstance(args, dict):
                obey(str(verb), args)

    query = _script(conn, script_id).collection("commands").where(filter=FieldFilter("at", ">=", since))
    listening = query.on_snapshot(on_snapshot)

    def stop() -> None:
        listening.unsubscribe()
        end(conn, script_id, owner)

    return stop
