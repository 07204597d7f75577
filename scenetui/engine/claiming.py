"""A scene on a shared (Firebase) script is worked on only while this box holds its claim: the claim is renewed
while the scene runs, carries what this box does with it (the team's view), and a generation a stopped box paid
for is polled here rather than paid again."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from scenetui.domain.events import LogLine, SceneStage
from scenetui.engine import journal as J
from scenetui.engine.context import RenderContext
from scenetui.engine.ports import SharedClipStore


def adopt_generation(ctx: RenderContext, index: int, generation_id: str) -> None:
    """A box that died had paid for this scene: poll its generation here instead of paying again."""
    if not ctx.backend.paid or generation_id in ctx.journal.remote_ids(ctx.script_id):
        return
    if ctx.journal.open_attempt(ctx.script_id, index) is not None:
        return
    attempt = ctx.journal.begin_attempt(run_id=ctx.bus.run_id, script_id=ctx.script_id, scene_index=index,
                                        backend=ctx.backend.name, state=J.CREATED)
    ctx.journal.update_attempt(attempt, remote_id=generation_id)
    ctx.bus.emit(LogLine("info", f"scene {index}: taking over generation {generation_id} from a render that stopped"))


STAGE_REPORT_GAP = 1.0  # seconds: stages that follow each other faster reach the team's view as the last one


async def keep_claim(ctx: RenderContext, store: SharedClipStore, index: int, scene_task: asyncio.Task[Any] | None) -> None:
    """Renew the lease every third of it, and say the scene's new stage in the claim as it changes (the team's
    view shows what each box is doing); a lost lease stops work on the scene before another box starts it."""
    lease, loop = store.lease, asyncio.get_running_loop()
    changed = asyncio.Event()
    stage: list[tuple[str, float]] = []

    def heard(event: Any) -> None:
        if isinstance(event, SceneStage) and event.scene_index == index and event.stage != "starting":
            stage[:] = [(event.stage, time.time())]
            changed.set()

    ctx.bus.subscribe(heard)
    try:
        renew_at = loop.time() + lease / 3
        while True:
            try:
                await asyncio.wait_for(changed.wait(), max(0.0, renew_at - loop.time()))
            except TimeoutError:
                pass
            changed.clear()
            try:
                kept = await store.renew_claim(ctx.script_id, index, stage[0] if stage else None)
            except Exception:  # a blip: try again next time, the lease still has two thirds left
                renew_at = loop.time() + lease / 3
                continue
            if not kept:
                ctx.bus.emit(LogLine("warning", f"scene {index}: another render took this scene over; stopping here"))
                if scene_task is not None:
                    scene_task.cancel()
                return
            renew_at = loop.time() + lease / 3
            await asyncio.sleep(STAGE_REPORT_GAP)
    finally:
        ctx.bus.unsubscribe(heard)
