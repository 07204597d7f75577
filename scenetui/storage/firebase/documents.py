"""The script document `scripts/{scriptId}`: read it, follow its edits, and change a scene's fields without touching
anything else."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any

from scenetui.errors import UserError
from scenetui.storage.firebase.connection import CALL_TIMEOUT, FirebaseConnection

COLLECTION = "scripts"
TRANSACTION_ATTEMPTS = 10  # the app may be editing the same document: contention retries, it never overwrites
CONDITIONAL_TRIES = 4  # lock-free writes a scene's fields try before queueing for the lock in a transaction
CONTENTION_PATIENCE = 300.0  # seconds of backed-off retries before a contended write gives up


def _contended(exc: BaseException) -> bool:
    """Firestore aborted the transaction because another writer holds the document (a read can abort too, and
    the library wraps a commit that kept aborting in a ValueError)."""
    from google.api_core import exceptions as gexc

    return isinstance(exc, gexc.Aborted) or (isinstance(exc, ValueError) and isinstance(exc.__cause__, gexc.Aborted))


def _overtaken(exc: BaseException) -> bool:
    """Contended, or a conditional write found the document changed since it was read."""
    from google.api_core import exceptions as gexc

    return _contended(exc) or isinstance(exc, gexc.FailedPrecondition)


def _patiently(retry_on: Callable[[BaseException], bool]) -> Any:
    """Tries while `retry_on` says the document is busy, after jittered, growing pauses (the library's own
    retries are back to back), for up to CONTENTION_PATIENCE; the last error is re-raised."""
    from tenacity import Retrying, retry_if_exception, stop_after_delay, wait_random_exponential

    return Retrying(retry=retry_if_exception(retry_on), wait=wait_random_exponential(multiplier=0.05, max=2),
                    stop=stop_after_delay(CONTENTION_PATIENCE), reraise=True)


def firestore_transaction(conn: FirebaseConnection, work: Callable[[Any], Any]) -> Any:
    """One `work(transaction)` in a Firestore transaction, with the library's own (back-to-back) retries."""
    from google.cloud import firestore

    return firestore.transactional(work)(conn.db.transaction(max_attempts=TRANSACTION_ATTEMPTS))


def run_transaction(conn: FirebaseConnection, work: Callable[[Any], Any]) -> Any:
    """Run `work(transaction)` in a Firestore transaction, started again while other writers keep it busy."""
    for attempt in _patiently(_contended):
        with attempt:
            return firestore_transaction(conn, work)
    raise AssertionError("unreachable: tenacity returns or re-raises")


def script_doc(conn: FirebaseConnection, script_id: str) -> Any:
    return conn.db.collection(COLLECTION).document(script_id)


def read_script(conn: FirebaseConnection, script_id: str) -> dict[str, Any] | None:
    """The document's fields, or None when there is no such script."""
    from google.api_core import exceptions as gexc

    try:
        snap = script_doc(conn, script_id).get(timeout=CALL_TIMEOUT)
    except gexc.PermissionDenied:
        raise UserError(f"the credential may not read scripts/{script_id} in project {conn.config.project}",
                        hint="give the service account Firestore access (Cloud Datastore User)") from None
    except gexc.GoogleAPICallError as exc:
        raise UserError(f"cannot read scripts/{script_id} from Firestore ({exc.message})", hint="check the network") from None
    return snap.to_dict() if snap.exists else None


def create_if_missing(conn: FirebaseConnection, script_id: str, data: dict[str, Any]) -> bool:
    """Write the whole script once (for a local script stored to Firebase); an existing document is left alone."""
    from google.api_core import exceptions as gexc

    try:
        script_doc(conn, script_id).create(data, timeout=CALL_TIMEOUT)
        return True
    except gexc.AlreadyExists:
        return False


def update_scene(conn: FirebaseConnection, script_id: str, index: int, fields: dict[str, Any],
                 remove: Iterable[str] = ()) -> None:
    """Set `fields` (and drop `remove`) on scenes[index], rewriting nothing else.

    Firestore cannot address one element of an array, so this reads the document, changes that one scene's fields
    in its copy of `scenes` and writes `scenes` back only if nobody changed the document in between; a concurrent
    edit (of any field, in any scene) makes it read again after a jittered pause, never overwrite.
    The first tries are writes conditioned on the document's update time: they hold no lock, so the app's own
    writes never wait on a render. An editor that keeps the document locked would starve those, so later tries
    are transactions, which queue for the lock (their retries keep their place in line).
    """
    ref = script_doc(conn, script_id)
    drop = tuple(remove)

    def changed(snap: Any) -> list[Any]:
        if not snap.exists:
            raise UserError(f"scripts/{script_id} was deleted from Firestore during the render",
                            hint="the clips are kept in the workspace and in Storage")
        scenes = list(snap.to_dict().get("scenes") or [])
        if not 0 <= index < len(scenes) or not isinstance(scenes[index], dict):
            raise UserError(f"scripts/{script_id} no longer has scene {index}", hint="the script was edited; run again")
        scene = dict(scenes[index])
        for key in drop:
            scene.pop(key, None)
        scene.update(fields)
        scenes[index] = scene
        return scenes

    def conditional() -> None:
        snap = ref.get(timeout=CALL_TIMEOUT)
        scenes = changed(snap)
        ref.update({"scenes": scenes}, option=conn.db.write_option(last_update_time=snap.update_time),
                   timeout=CALL_TIMEOUT)

    def transactional(transaction: Any) -> None:
        transaction.update(ref, {"scenes": changed(ref.get(transaction=transaction))})

    try:
        for attempt in _patiently(_overtaken):
            with attempt:
                if attempt.retry_state.attempt_number <= CONDITIONAL_TRIES:
                    conditional()
                else:
                    firestore_transaction(conn, transactional)
    except Exception as exc:
        if not _overtaken(exc):
            raise
        raise UserError(f"scripts/{script_id} kept changing for {CONTENTION_PATIENCE:.0f} s, so scene {index}'s "
                        "fields could not be written", hint="the clip is kept here; run again to store it") from None


def update_top(conn: FirebaseConnection, script_id: str, fields: dict[str, Any]) -> None:
    """Set top-level fields (the final film's); update() leaves every other field as it is."""
    script_doc(conn, script_id).update(fields, timeout=CALL_TIMEOUT)


# What renders write into the document; everything else is the script itself (a person's or the app's edit).
SCENE_RENDER_FIELDS = frozenset({"videoUrl", "videoStatus", "videoMetadata"})
TOP_RENDER_FIELDS = frozenset({"finalVideoUrl", "finalVideoMetadata"})


def script_content(data: dict[str, Any] | None) -> str:
    """A digest of the document without the fields renders write: it changes only when the script is edited
    ("" for a deleted document)."""
    if data is None:
        return ""
    top = {k: v for k, v in data.items() if k not in TOP_RENDER_FIELDS}
    top["scenes"] = [{k: v for k, v in scene.items() if k not in SCENE_RENDER_FIELDS} if isinstance(scene, dict)
                     else scene for scene in data.get("scenes") or []]
    return hashlib.sha256(json.dumps(top, sort_keys=True, default=str).encode()).hexdigest()


def watch_script(conn: FirebaseConnection, script_id: str, seen: Callable[[str], None]) -> Callable[[], None]:
    """Follow the document with a Firestore listener: `seen(script_content(...))` is called from the listener's
    thread with every version (the current one first). Returns the function that stops listening."""
    def on_snapshot(snapshots: list[Any], _changes: Any, _read_time: Any) -> None:
        for snap in snapshots:
            seen(script_content(snap.to_dict() if snap.exists else None))

    watch = script_doc(conn, script_id).on_snapshot(on_snapshot)
    return watch.unsubscribe  # type: ignore[no-any-return]



TAKES = "takes"


def take_doc(conn: FirebaseConnection, script_id: str, index: int, number: int) -> Any:
    """scripts/{id}/takes/{scene}-{take}: where a scene's takes live, beside the fields the phone app reads."""
    return script_doc(conn, script_id).collection(TAKES).document(f"{index}-{number}")


def put_take(conn: FirebaseConnection, script_id: str, index: int, number: int, fields: dict[str, Any]) -> None:
    take_doc(conn, script_id, index, number).set({"sceneIndex": index, "take": number, **fields}, merge=True,
                                                 timeout=CALL_TIMEOUT)


def drop_take(conn: FirebaseConnection, script_id: str, index: int, number: int) -> None:
    take_doc(conn, script_id, index, number).delete(timeout=CALL_TIMEOUT)


def read_takes(conn: FirebaseConnection, script_id: str) -> list[dict[str, Any]]:
    return [snap.to_dict() for snap in script_doc(conn, script_id).collection(TAKES).stream(timeout=CALL_TIMEOUT)]
