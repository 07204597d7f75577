"""The board as the disk knows it before any event arrives: stored clips, their metadata, the journal's attempts."""

from __future__ import annotations

from scenetui.domain.prompt import inputs_changed
from scenetui.domain.board import CANCELLED, DONE, DOUBT, FAILED, PAID, Board
from scenetui.engine.costs import ledger, total_spent
from scenetui.engine.journal import Journal
from scenetui.script.fingerprints import scene_inputs
from scenetui.script.file import LoadedScript
from scenetui.storage.local import LocalStore


def mark_stale(board: Board, loaded: LoadedScript) -> list[int]:
    """Flag finished scenes whose inputs (words, settings, keyframe references or pictures) changed since their
    clip was made; returns the indices newly flagged."""
    newly = []
    for st in board.scenes:
        if st.status != DONE or st.inputs is None or st.index >= len(loaded.script.scenes):
            continue
        stale = inputs_changed(st.inputs, scene_inputs(loaded, st.index))
        if stale and not st.stale:
            newly.append(st.index)
        st.stale = stale
    return newly


def board_from_disk(loaded: LoadedScript, store: LocalStore, journal: Journal | None) -> Board:
    """Each scene's state from its stored clip and metadata, else from its last journal attempt."""
    script = loaded.script
    board = Board.empty(len(script.scenes))
    doc = store.read_doc(script.id) if store.root.exists() else {"scenes": {}}
    attempts = journal.attempts(script.id) if journal else []
    last = {a.scene_index: a for a in attempts}
    stored = store.stored_clips(script.id)  # local files, and for Firebase what Storage holds
    for st in board.scenes:
        entry = doc.get("scenes", {}).get(str(st.index), {})
        clip = stored.get(st.index)
        attempt = last.get(st.index)
        if attempt:
            st.remote_id, st.cost_cents = attempt.remote_id, attempt.cost_cents
        if clip is not None:
            remote_meta = script.scenes[st.index].video_metadata  # a Firestore script's own videoMetadata
            meta = entry.get("videoMetadata") or (remote_meta.to_wire() if remote_meta else {})
            st.status, st.clip, st.kept = DONE, clip, bool(entry.get("kept"))
            st.duration, st.resolution, st.size = meta.get("duration"), meta.get("resolution"), meta.get("size")
            st.created = (meta.get("timestamp") or "")[:16].replace("T", " ") or None
            st.remote_id = meta.get("remoteId") or st.remote_id
            st.inputs = meta.get("inputs")
            takes = store.takes(script.id, st.index)
            st.takes, st.take = len(takes), next((t.number for t in takes if t.chosen), None)
        elif attempt and attempt.state == "intent" and not attempt.remote_id and attempt.failure_reason:
            st.status, st.error = DOUBT, attempt.failure_reason  # a lost answer this API cannot look up
        elif attempt and attempt.state in ("intent", "created"):
            st.status = PAID  # a generation is out there; the next render picks it up without paying again
        elif attempt and attempt.state in ("failed", "cancelled", "lost"):
            st.status = FAILED if attempt.state != "cancelled" else CANCELLED
            st.error = entry.get("error") or attempt.failure_reason
    mark_stale(board, loaded)
    final = store.final_path(script.id)
    board.final = str(final) if final.is_file() else None
    board.spent_before_cents = total_spent(ledger(attempts))
    return board
