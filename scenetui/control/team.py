"""The team's render boxes on a `firestore:` script: which box holds which scene's claim, since when, whether its
lease is alive — followed with a Firestore listener on the claims collection (no polling), for the app and `watch`.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenetui.control.state import ScriptState
    from scenetui.storage.firebase.claims import Claim, SceneClaim

log = logging.getLogger("scenetui.app")


class Team:
    """The latest claims the listener delivered; `version` rises with each delivery (screens redraw on a change)."""

    def __init__(self, state: ScriptState) -> None:
        self.state = state
        self.claims: list[SceneClaim] = []
        self.boxes: list[str] = []  # owners of the boxes rendering the script now (scripts/{id}/boxes)
        self.version = 0
        self.following = False  # a listener runs (a Firestore script)
        self._lock = threading.Lock()
        self._stop: Any = None
        self._stop_boxes: Any = None
        self.started = False  # start() was called (it runs once)

    @property
    def own(self) -> str | None:
        """This process's owner name in the claims, when it renders here (its own claims are not 'another box')."""
        return getattr(self.state.store, "owner", None)

    async def start(self) -> None:
        """Start following, once, for a Firestore script; nothing for a local one."""
        if self.started:
            return
        self.started = True
        watch = getattr(self.state.store, "watch_claims", None)
        if watch is None:
            return
        try:
            self._stop = await watch(self.state.loaded.script.id, self._seen)
            self.following = True
        except Exception as exc:  # noqa: BLE001 -- no team view is no reason to stop the app
            log.warning("cannot follow the render boxes' claims in Firestore: %s", exc)
            return
        watch_boxes = getattr(self.state.store, "watch_boxes", None)
        try:
            if watch_boxes is not None:
                self._stop_boxes = await watch_boxes(self.state.loaded.script.id, self._boxes_seen)
        except Exception as exc:  # noqa: BLE001 -- the claims alone still say who works on what
            log.warning("cannot follow which boxes render the script in Firestore: %s", exc)

    def _boxes_seen(self, boxes: list[str]) -> None:
        with self._lock:  # from the listener's thread
            self.boxes = boxes
            self.version += 1

    def _seen(self, claims: list[SceneClaim]) -> None:
        with self._lock:  # from the listener's thread
            self.claims = claims
            self.version += 1

    def stop(self) -> None:
        stops, self._stop, self._stop_boxes = (self._stop, self._stop_boxes), None, None
        self.started = True  # a late tick must not start it again
        for stop in stops:
            if stop is not None:
                try:
                    stop()
                except Exception as exc:  # noqa: BLE001
                    log.debug("stopping a team listener: %s", exc)

    def _who(self, claim: Claim) -> str:
        return "this box" if claim.owner == self.own else claim.box

    def claim_of(self, index: int) -> SceneClaim | None:
        with self._lock:
            return next((c for c in self.claims if c.scene == index), None)

    def others(self, now: float | None = None) -> dict[int, tuple[str, bool, str | None]]:
        """The scenes other boxes hold: scene → (host:pid, its lease still alive, the stage it reports)."""
        now = time.time() if now is None else now
        with self._lock:
            return {c.scene: (c.claim.box, c.claim.alive(now), c.claim.stage)
                    for c in self.claims if c.claim.owner != self.own}

    def scene_line(self, index: int, now: float | None = None) -> str | None:
        """`host-b:4121 dreaming for 1m12s, since 2m03s, lease renewed 12s ago` — or that its box is gone and the
        scene free."""
        found = self.claim_of(index)
        if found is None:
            return None
        claim, now = found.claim, time.time() if now is None else now
        who = self._who(claim)
        if not claim.alive(now):
            if not claim.lease_until:
                return f"{who} let it go — free for another box"
            return f"{who} is gone (its lease ran out {ago(now - claim.lease_until)} ago) — free for another box"
        return f"{who}{reported(claim, now)}"

    def summary(self, now: float | None = None) -> str | None:
        """`2 boxes working: host-a:12 (scenes 0, 3), host-b:77 (scene 1) · gone: host-c:9 (scene 2), free for another
        box · rendering, no scene in hand: host-d:5` (a box paused, or held back by the account's limit); None when
        no scene is claimed and no box renders, or the script is not shared."""
        with self._lock:
            claims, boxes = list(self.claims), list(self.boxes)
        if not claims and not boxes:
            return None
        now = time.time() if now is None else now
        alive: dict[str, list[int]] = {}
        gone: dict[str, list[int]] = {}
        for c in claims:
            (alive if c.claim.alive(now) else gone).setdefault(self._who(c.claim), []).append(c.scene)

        def listed(held: dict[str, list[int]]) -> str:
            return ", ".join(f"{box} ({'scene' if len(s) == 1 else 'scenes'} {', '.join(map(str, s))})"
                             for box, s in held.items())

        words = f"{len(alive)} box{'es' if len(alive) != 1 else ''} working: {listed(alive)}" if alive else \
            "no box working"
        from scenetui.storage.firebase.claims import box_of  # only a Firestore script has boxes: loaded then

        holding = {c.claim.owner for c in claims if c.claim.alive(now)}
        idle = [box_of(b) if b != self.own else "this box" for b in boxes if b not in holding]
        return words + (f" · gone: {listed(gone)}, free for another box" if gone else "") + \
            (f" · rendering, no scene in hand: {', '.join(idle)}" if idle else "")


def reported(claim: Claim, now: float) -> str:
    """` dreaming for 1m12s, since 2m03s, lease renewed 12s ago`: what the claim's box says it does, how long it has
    held the scene, and how fresh that is (each part only when the claim has it)."""
    stage = f" {claim.stage}" + (f" for {ago(now - claim.stage_at)}" if claim.stage_at else "") if claim.stage else ""
    since = f"{',' if stage else ''} since {ago(now - claim.since)}" if claim.since else ""
    renewed = f", lease renewed {ago(now - claim.renewed_at)} ago" if claim.renewed_at else ""
    return stage + since + renewed


def ago(seconds: float) -> str:
    """12s, 2m03s, 1h05m."""
    seconds = max(0, int(seconds))
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"
