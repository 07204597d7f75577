"""The one render service: a script, a workspace, build and render options and a way to ask before paying ->
a finished render. The CLI, bridge transitions and the app's controller all render through it, so each is priced,
confirmed, locked and journaled the same way."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from scenetui.backends.luma.errors import LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.build import BuildOptions, build_context
from scenetui.config import Settings
from scenetui.domain.events import Event
from scenetui.engine.context import RenderContext
from scenetui.engine.costs import LedgerLine, SpendEstimate, ledger
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.render import RenderOptions, RenderPlan, RenderSummary, plan_render, render
from scenetui.errors import UserError
from scenetui.script.file import LoadedScript
from scenetui.script.ref import ScriptRef
from scenetui.storage.workspace import Workspace

Confirm = Callable[[SpendEstimate], Awaitable[None]]  # raises (a UserError) to stop before anything is paid


@dataclass
class RenderRequest:
    """What to render: the script as the user named it, where, with what, and which scenes."""

    script: ScriptRef
    workspace: Workspace
    build: BuildOptions
    options: RenderOptions = field(default_factory=RenderOptions)
    continuity: bool = False  # scene N starts from scene N-1's generation (Luma only; one scene at a time)
    loaded: LoadedScript | None = None  # already loaded and checked by the caller: not loaded twice
    resubmit: set[int] = field(default_factory=set)  # scenes in doubt the person chose to pay for again


@dataclass
class RenderResult:
    """The summary, and for a paid backend the ledger of every paid generation and this run's spend."""

    summary: RenderSummary
    paid: bool
    ledger: list[LedgerLine]
    spent_this_run: int
    journal_path: Path | None = None

    def close_requests(self) -> None:
        """Close the takes requests this render made whole. Called once the person has been told (the command
        line: after its summary is printed), so a run killed before that is finished, not repeated, by the same
        command."""
        if self.summary.made_requests and self.journal_path is not None:
            journal = Journal(self.journal_path)
            try:
                journal.finish_batches(self.summary.made_requests)
            finally:
                journal.close()


def with_sounds(ctx: RenderContext, plan: RenderPlan, estimate: SpendEstimate) -> SpendEstimate:
    """The estimate with the plan's sounds (`--audio`) priced from the table; an unknown price is the dearest, said so."""
    if not plan.sounds or not estimate.paid:
        return estimate
    v = ctx.loaded.script.video
    notes = list(estimate.notes)
    if not ctx.prices.known("audio", v.resolution, v.duration):
        notes.append(f"Luma's audio price is not in the price table: each sound is priced at the dearest known "
                     f"rate (add 'audio/{v.resolution}/{v.duration}' with --price-table)")
    return dataclasses.replace(estimate, sounds=plan.sounds, sound_cents=ctx.prices.price("audio", v.resolution, v.duration),
                               notes=notes)


async def spend_estimate(ctx: RenderContext, plan: RenderPlan) -> SpendEstimate:
    """What this render would pay for, with the account's balance when the backend can tell it."""
    balance_of = getattr(ctx.backend, "balance_cents", None)  # a paid backend whose API reports a balance
    try:
        balance = await balance_of() if balance_of is not None else None
    except (LumaUnavailable, LumaRateLimited, LumaRejected) as exc:  # before any spend: a sentence, nothing paid
        raise UserError(f"cannot read the Luma account before rendering ({exc})",
                        hint="check the network (or --luma-base-url) and run again; nothing was paid") from None
    return plan_estimate(ctx, plan, balance)


def plan_estimate(ctx: RenderContext, plan: RenderPlan, balance: float | None = None) -> SpendEstimate:
    """The plan's price: every new generation (each take counted) and sound, what is resumed or in doubt, and for
    finals what they are — Luma's upscale of the approved draft (the same motion), or a new one whose motion differs."""
    return with_sounds(ctx, plan, _clips_estimate(ctx, plan, balance))


def _clips_estimate(ctx: RenderContext, plan: RenderPlan, balance: float | None = None) -> SpendEstimate:
    v = ctx.loaded.script.video
    fields = dict(scenes=plan.todo, resuming=plan.resumed, balance_cents=balance, cap_cents=ctx.budget.cap,
                  in_doubt=plan.doubted)
    count = len(plan.new_generations)
    finals = [t for t in plan.variants.values() if t.kind == "final" and t.slots]
    upscales = [t for t in finals if t.upscale_of]
    if not ctx.backend.paid or not finals:
        return SpendEstimate.for_videos(ctx.prices, v, count, paid=ctx.backend.paid, **fields)
    if upscales:
        unit = ctx.prices.price("upscale", v.resolution, v.duration)
        notes = ["each final is Luma's upscale of the approved draft's own generation: the same motion, sharper"]
        if not ctx.prices.known("upscale", v.resolution, v.duration):
            notes.append(f"no upscale price is known for {v.resolution}: priced at the dearest rate (add "
                         f"'upscale/{v.resolution}/{v.duration}' with --price-table)")
        if len(upscales) < len(finals):  # some drafts were not made on Luma: those are new generations
            unit = max(unit, ctx.prices.price(v.model, v.resolution, v.duration))
            notes.append("drafts not made with Luma's Dream Machine API are generated anew (their motion will differ)")
        return SpendEstimate(count, unit, model=f"upscale to {v.resolution} {v.duration}", notes=notes, **fields)
    estimate = SpendEstimate.for_videos(ctx.prices, v, count, **fields)
    return dataclasses.replace(estimate, notes=[f"{v.model} makes each final as a new generation at {v.resolution} "
                                                "from the same inputs: its motion will differ from the approved "
                                                "draft's", *estimate.notes])


async def run_render(request: RenderRequest, settings: Settings, *, confirm: Confirm | None = None,
                     listeners: tuple[Callable[[Event], None], ...] = (),
                     context: RenderContext | None = None, close_requests: bool = True) -> RenderResult:
    """Build the context (or take the caller's, built from the same request), take the workspace's render lock,
    plan, ask `confirm` before a paid render spends anything (no `confirm`: the caller has asked already), then
    render with `listeners` on the bus. The context's backend and journal are closed at the end."""
    ctx = context or await asyncio.to_thread(build_context, request.script, request.workspace, request.build,
                                             settings, request.loaded)
    ctx.continuity = request.continuity
    ctx.resubmit = set(request.resubmit)
    try:
        with RenderLock(request.workspace.lock_path(ctx.script_id)):
            request.workspace.remember_script(ctx.script_id, request.script)
            plan = await plan_render(ctx, request.options)
            if ctx.backend.paid and (plan.todo or plan.sounds) and confirm is not None:
                await confirm(await spend_estimate(ctx, plan))
            for listener in listeners:
                ctx.bus.subscribe(listener)
            summary = await render(ctx, request.options, plan)
            if close_requests:
                ctx.journal.finish_batches(summary.made_requests)
    finally:
        await ctx.backend.aclose()
        lines = ledger(ctx.journal.attempts(ctx.script_id)) if ctx.backend.paid else []
        ctx.journal.close()
    return RenderResult(summary, ctx.backend.paid, lines, ctx.budget.spent, request.workspace.journal_path)
