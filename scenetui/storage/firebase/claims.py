"""Scene claims shared by render boxes: `scripts/{id}/claims/{sceneIndex}`, leased documents taken in transactions.

A box works on a scene only while it holds the scene's claim: taken when absent, expired or already its own,
renewed every third of the lease, released when the clip is stored. The generation id goes into the claim right
after the create, so a box that takes over an expired claim polls that generation instead of paying again.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scenetui.storage.firebase.connection import FirebaseConnection
from scenetui.storage.firebase.documents import COLLECTION, run_transaction

DEFAULT_LEASE = 120.0


def lease_seconds() -> float:
    """SCENETUI_CLAIM_LEASE (seconds) or two minutes."""
    try:
        return max(1.0, float(os.environ.get("SCENETUI_CLAIM_LEASE", DEFAULT_LEASE)))
    except ValueError:
        return DEFAULT_LEASE


def new_owner() -> str:
    """This process, recognisably: host, pid and a random part (pids repeat across boxes)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    """Who works on a scene, until when, and the generation paid for it (if any)."""

    owner: str
    lease_until: float
    generation_id: str | None = None
    since: float | None = None  # when this owner took the scene
    renewed_at: float | None = None  # its lease's last renewal
    stage: str | None = None  # what its box reports it is doing (submitting, dreaming, downloading, storing…)
    stage_at: float | None = None  # since when

    @classmethod
    def of(cls, data: dict[str, Any] | None) -> Claim | None:
        if not data:
            return None
        stage = data.get("stage")
        return cls(str(data.get("owner", "")), float(data.get("leaseUntil", 0)), data.get("generationId"),
                   _seconds(data.get("since")), _seconds(data.get("renewedAt")),
                   str(stage) if isinstance(stage, str) and stage else None, _seconds(data.get("stageAt")))

    @property
    def host(self) -> str:
        """The box, as people name it (the owner is host:pid:random)."""
        return self.owner.split(":", 1)[0]

    @property
    def box(self) -> str:
        """host:pid — one render process on one box."""
        return box_of(self.owner)

    def alive(self, now: float) -> bool:
        """Its box still renews it; an expired claim's box is gone (or let go), and the scene is free."""
        return self.lease_until > now


def box_of(owner: str) -> str:
    """host:pid of an owner name (host:pid:random): one render process on one box, as people name it."""
    return ":".join(owner.split(":")[:2])


def _seconds(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class SceneClaim:
    """One scene's claim as the team's view shows it."""

    scene: int
    claim: Claim


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of asking for a scene: taken (work on it), held (another box works on it) or done (another box
    stored its clip since this run began; `clip` says where)."""

    state: str
    claim: Claim | None
    clip: str | None = None


def _claims(conn: FirebaseConnection, script_id: str) -> Any:
    return conn.db.collection(COLLECTION).document(script_id).collection("claims")


def _ref(conn: FirebaseConnection, script_id: str, index: int) -> Any:
    return _claims(conn, script_id).document(str(index))


def _scene_claims(docs: Any) -> list[SceneClaim]:
    """The claims documents as scene claims, in scene order (anything else in the collection skipped)."""
    found = []
    for doc in docs:
        claim = Claim.of(doc.to_dict())
        if claim is not None and doc.id.isdigit():
            found.append(SceneClaim(int(doc.id), claim))
    return sorted(found, key=lambda c: c.scene)


def _in_transaction(conn: FirebaseConnection, work: Any) -> Any:
    return run_transaction(conn, work)


def take(conn: FirebaseConnection, script_id: str, index: int, owner: str, lease: float) -> tuple[bool, Claim | None]:
    """(True, the claim as it was) when this owner now holds the scene; (False, the holder's claim) otherwise."""
    ref = _ref(conn, script_id, index)

    def work(tx: Any) -> tuple[bool, Claim | None]:
        before = Claim.of(ref.get(transaction=tx).to_dict())
        now = time.time()
        if before and before.owner != owner and before.lease_until > now:
            return False, before
        # since: when this owner took the scene (kept while it renews), for the team's view of who works on what
        since = before.since if before and before.owner == owner and before.since else now
        tx.set(ref, {"owner": owner, "leaseUntil": now + lease, "renewedAt": now, "since": since,
                     "generationId": before.generation_id if before else None})
        return True, before

    return _in_transaction(conn, work)


def renew(conn: FirebaseConnection, script_id: str, index: int, owner: str, lease: float,
          stage: tuple[str, float] | None = None) -> bool:
    """Extend the lease while this owner still holds it, with what the box is doing (stage, since when) if given;
    False when it was lost."""
    ref = _ref(conn, script_id, index)

    def work(tx: Any) -> bool:
        now_claim = Claim.of(ref.get(transaction=tx).to_dict())
        if now_claim is None or now_claim.owner != owner:
            return False
        now = time.time()
        fields: dict[str, Any] = {"leaseUntil": now + lease, "renewedAt": now}
        if stage is not None:
            fields["stage"], fields["stageAt"] = stage
        tx.update(ref, fields)
        return True

    return _in_transaction(conn, work)


def note_generation(conn: FirebaseConnection, script_id: str, index: int, owner: str, generation_id: str) -> None:
    """Record the paid generation in the claim (as the journal does locally)."""
    ref = _ref(conn, script_id, index)

    def work(tx: Any) -> None:
        now_claim = Claim.of(ref.get(transaction=tx).to_dict())
        if now_claim is not None and now_claim.owner == owner:
            tx.update(ref, {"generationId": generation_id})

    _in_transaction(conn, work)


def release(conn: FirebaseConnection, script_id: str, index: int, owner: str, *, done: bool) -> None:
    """Let go of the scene: deleted when its clip is stored; otherwise expired now, the generation id kept."""
    ref = _ref(conn, script_id, index)

    def work(tx: Any) -> None:
        now_claim = Claim.of(ref.get(transaction=tx).to_dict())
        if now_claim is None or now_claim.owner != owner:
            return
        if done:
            tx.delete(ref)
        else:
            tx.update(ref, {"leaseUntil": 0})

    _in_transaction(conn, work)


def read_all(conn: FirebaseConnection, script_id: str) -> list[SceneClaim]:
    """Every scene's claim on the script (one read of the claims collection), in scene order."""
    return _scene_claims(_claims(conn, script_id).stream())


def watch_all(conn: FirebaseConnection, script_id: str,
              seen: Callable[[list[SceneClaim]], None]) -> Callable[[], None]:
    """Follow the claims collection with a Firestore listener: `seen` gets every scene's claim (in scene order)
    from the listener's thread, the current ones first, then after each change. Returns the function that stops."""
    def on_snapshot(docs: list[Any], _changes: Any, _read_time: Any) -> None:
        seen(_scene_claims(docs))

    watch = _claims(conn, script_id).on_snapshot(on_snapshot)
    return watch.unsubscribe  # type: ignore[no-any-return]
