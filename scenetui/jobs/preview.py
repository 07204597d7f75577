"""`render --dry-run`: per scene the exact request a render would send and its price — nothing sent, nothing paid,
no clip or journal entry made. Built from the same plan and the same backend request code as a render."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from scenetui.build import build_context
from scenetui.config import Settings
from scenetui.engine.costs import SpendEstimate
from scenetui.engine.pipeline import make_job
from scenetui.engine.render import plan_render
from scenetui.jobs.render import RenderRequest, plan_estimate


@dataclass
class ScenePreview:
    """One scene as a render would treat it."""

    index: int
    action: str  # "create" (a new paid generation) | "resume" (paid already: picked up) | "in doubt" | "render"
    request: dict[str, Any] | None
    price_cents: int
    take: int | None = None  # which take of a variants request (`render --takes N`)

    def to_json(self) -> dict[str, Any]:
        return {"type": "dryRun", "scene": self.index, "action": self.action, "priceCents": self.price_cents,
                "request": self.request, "take": self.take}


@dataclass
class RenderPreview:
    """Every scene a render would touch, the estimate, and the scenes already done."""

    scenes: list[ScenePreview]
    estimate: SpendEstimate
    done: list[int] = field(default_factory=list)


async def preview_render(request: RenderRequest, settings: Settings) -> RenderPreview:
    """The plan and each create body, from the render's own code; the backend is closed after."""
    ctx = await asyncio.to_thread(build_context, request.script, request.workspace, request.build, settings,
                                  request.loaded)
    ctx.continuity, ctx.resubmit = request.continuity, set(request.resubmit)
    try:
        plan = await plan_render(ctx, request.options)
        new = list(plan.new_generations)
        bodies = await ctx.backend.describe_requests([
            make_job(ctx, i, *((t.upscale_of, t.audio_of) if (t := plan.variants.get(i)) else (None, None)))
            for i in plan.todo])
        estimate = plan_estimate(ctx, plan)
        paid = ctx.backend.paid
        scenes = []
        for i, body in zip(plan.todo, bodies):
            takes = plan.variants.get(i)
            if takes is None:
                action = ("create" if i in new else "in doubt" if i in plan.in_doubt else "resume") if paid else "render"
                scenes.append(ScenePreview(i, action, body, estimate.unit_cents if action == "create" else 0))
                continue
            for n in takes.slots:
                action = ("create" if n in takes.new else "in doubt" if n in takes.in_doubt else "resume") if paid \
                    else "render"
                unit = estimate.sound_cents if takes.kind == "audio" else estimate.unit_cents
                scenes.append(ScenePreview(i, action, body, unit if action == "create" else 0, take=n))
        return RenderPreview(scenes, estimate, sorted(i for i in plan.done if i not in plan.todo))
    finally:
        await ctx.backend.aclose()
        ctx.journal.close()
