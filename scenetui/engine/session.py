"""The engine side of one generation attempt: events, journal rows and budget around every create."""

from __future__ import annotations

import time
from typing import Any

from scenetui.domain.events import LogLine, SceneProgress, SceneStage, SpendChanged
from scenetui.engine import journal as J
from scenetui.engine.context import RenderContext
from scenetui.engine.ports import SharedClipStore


class SceneSession:
    """Implements GenerationSession for one attempt row of the journal."""

    def __init__(self, ctx: RenderContext, index: int, attempt_id: int, previous: J.Attempt | None, *,
                 label: str = "") -> None:
        self.ctx, self.index, self.attempt_id = ctx, index, attempt_id
        self.label = label  # "take 2 of 3" when the scene is made as several takes at once
        self.previous_remote_id = previous.remote_id if previous else None
        self.previous_request = previous.request if previous else None
        self.previous_state = previous.state if previous else None
        self.previous_intent_ts = previous.updated_at if previous else None
        self.remote_id: str | None = self.previous_remote_id
        self.cost_cents: int | None = previous.cost_cents if previous else None
        self._pending: int = 0
        self._paid_this_run = False
        # True while a create may have reached the server without us knowing its id: the attempt must stay
        # "intent" so the next run reconciles instead of paying again.
        self.in_doubt = self.previous_state == J.INTENT

    # reporting ----------------------------------------------------------------------------------------
    def stage(self, stage: str, message: str = "") -> None:
        text = f"{self.label}: {message}" if self.label and message else (message or self.label)
        self.ctx.bus.emit(SceneStage(self.index, stage, text, remote_id=self.remote_id))

    def progress(self, fraction: float | None = None, *, done_bytes: int | None = None, total_bytes: int | None = None) -> None:
        self.ctx.bus.emit(SceneProgress(self.index, fraction, done_bytes, total_bytes))

    def known_remote_ids(self) -> set[str]:
        return self.ctx.journal.remote_ids(self.ctx.script_id)

    def finished_remotely(self, seconds: float) -> None:
        self.ctx.journal.update_attempt(self.attempt_id, remote_seconds=round(seconds, 3))

    def _spend(self) -> None:
        self.ctx.bus.emit(SpendChanged(self.ctx.budget.spent, self.ctx.budget.cap))

    # money --------------------------------------------------------------------------------------------
    async def before_create(self, request: dict[str, Any]) -> None:
        """Reserve the price against the cap, then durably record the intent before the request leaves."""
        price = self.ctx.prices.price(request.get("model", ""), request.get("resolution", ""), request.get("duration", ""))
        await self.ctx.budget.reserve(price)
        self._pending = price
        self.in_doubt = True
        self.previous_intent_ts = time.time()
        self.ctx.journal.update_attempt(self.attempt_id, state=J.INTENT, request=request, cost_cents=price)

    async def created(self, remote_id: str) -> None:
        """Durably record the remote id the moment it is known; the money is now spent."""
        price = self._pending or self.ctx.prices.price(*_settings(self.previous_request))
        self.ctx.budget.commit(self._pending) if self._pending else None
        self._paid_this_run = self._paid_this_run or bool(self._pending)
        self._pending = 0
        self.in_doubt = False
        self.remote_id, self.cost_cents = remote_id, price
        self.ctx.journal.update_attempt(self.attempt_id, state=J.CREATED, remote_id=remote_id, cost_cents=price)
        self._spend()
        store = self.ctx.store
        if isinstance(store, SharedClipStore):  # other render boxes learn what was paid for (Firebase claims)
            try:
                await store.note_generation(self.ctx.script_id, self.index, remote_id)
            except Exception as exc:  # the journal has it; another box would have to wait for the lease instead
                self.ctx.bus.emit(LogLine("warning", f"scene {self.index}: could not share generation {remote_id} ({exc})"))

    async def not_created(self) -> None:
        """The request certainly did not create anything: give the reservation back."""
        if self._pending:
            self.ctx.budget.release(self._pending)
            self._pending = 0
        self.in_doubt = False
        self.ctx.journal.update_attempt(self.attempt_id, state="started")

    async def refunded(self) -> None:
        """Luma refunds failed generations."""
        if self._paid_this_run and self.cost_cents:
            self.ctx.budget.refund(self.cost_cents)
        self.ctx.journal.update_attempt(self.attempt_id, refunded=1)
        self._spend()


def _settings(request: dict[str, Any] | None) -> tuple[str, str, str]:
    r = request or {}
    return r.get("model", ""), r.get("resolution", ""), r.get("duration", "")
