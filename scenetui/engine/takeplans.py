"""Which takes a render makes beyond a scene's one clip: variants (`--takes N`), the draft pass (`--draft`), the
finals of approved drafts (`--final`) and the scene's sound (`--audio`). Each is a request journaled before its first create (a batch), so a run
that stopped finishes it and never starts it again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenetui.engine import journal as J
from scenetui.domain.script import api_of
from scenetui.engine.context import RenderContext
from scenetui.errors import UserError
from scenetui.script.fingerprints import scene_inputs


@dataclass
class TakesPlan:
    """A request for takes of one scene: those still to make, and which of them are new, resumed or in doubt."""

    count: int
    batch: int | None  # an earlier request a run stopped in the middle of (None: a new request)
    new: list[int] = field(default_factory=list)
    resuming: list[int] = field(default_factory=list)
    in_doubt: list[int] = field(default_factory=list)
    kind: str = "takes"  # takes | draft | final | audio
    replace: bool = False  # the new take becomes the scene's clip
    upscale_of: str | None = None  # final on ray-2: upscale the approved draft's generation
    audio_of: str | None = None  # audio: the generation Luma adds sound to
    source: int | None = None  # final: the approved draft take; audio: the silent take given sound
    source_model: str | None = None

    @property
    def slots(self) -> list[int]:
        return sorted(self.new + self.resuming + self.in_doubt)


def plan_takes(ctx: RenderContext, index: int, count: int, kind: str = "takes") -> TakesPlan:
    """The takes a request for this scene still needs: an unfinished earlier request of the kind is finished first."""
    batch = ctx.journal.open_batch(ctx.script_id, index, kind)
    if batch is None:
        return TakesPlan(count, None, new=list(range(1, count + 1)), kind=kind)
    plan = TakesPlan(batch.count, batch.id, kind=kind)
    made = {a.slot for a in ctx.journal.attempts(ctx.script_id, index) if a.batch == batch.id and a.state == J.COMPLETED}
    for n in range(1, batch.count + 1):
        if n in made:
            continue
        attempt = ctx.open_attempt(index, batch.id, n)
        if attempt is None:
            plan.new.append(n)
        elif ctx.in_doubt(attempt) and index not in ctx.resubmit:
            plan.in_doubt.append(n)
        else:
            plan.resuming.append(n)
    return plan


@dataclass
class PassPlan:
    """The scenes a draft or final pass makes a take of, and those it leaves (with why)."""

    variants: dict[int, TakesPlan] = field(default_factory=dict)
    done: dict[int, Path] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)  # scenes with no clip at all

    def leave(self, index: int, path: Path, why: str) -> None:
        self.done[index], self.reasons[index] = path, why


async def plan_drafts(ctx: RenderContext, selected: list[int], *, force: bool) -> PassPlan:
    """A draft of every selected scene that has none made from its current inputs and no approved take (`force`:
    draft again anyway, approved scenes still left alone)."""
    out = PassPlan()
    for i in selected:
        takes: list[Any] = ctx.store.takes(ctx.script_id, i)
        approved = [t for t in takes if t.approved]
        if approved:
            out.leave(i, approved[-1].path, f"draft take {approved[-1].number} is approved")
            continue
        digest = await asyncio.to_thread(scene_inputs, ctx.loaded, i)  # with the draft settings: a draft's digest
        current = [t for t in takes if t.draft and t.metadata is not None and t.metadata.inputs == digest]
        unfinished = ctx.journal.open_batch(ctx.script_id, i, "draft") is not None  # a run stopped mid-draft
        if current and not force and not unfinished:
            out.leave(i, current[-1].path, f"drafted already (take {current[-1].number}; --force drafts it again)")
            continue
        plan = plan_takes(ctx, i, 1, "draft")
        chosen = next((t for t in takes if t.chosen), None)
        plan.replace = chosen is None or chosen.draft  # a new draft replaces an old one, never a final clip
        out.variants[i] = plan
    return out


async def plan_finals(ctx: RenderContext, selected: list[int]) -> PassPlan:
    """The final take of every selected scene whose approved draft has none yet: on Luma's Dream Machine API an
    upscale of the draft's own generation, else a new generation at the script's settings."""
    out = PassPlan()
    video = ctx.loaded.script.video
    approved_any = False
    for i in selected:
        takes: list[Any] = ctx.store.takes(ctx.script_id, i)
        approved = [t for t in takes if t.approved]
        if not approved:
            continue
        approved_any = True
        draft = approved[-1]
        made = [t for t in takes if t.source == draft.number]
        if made and ctx.journal.open_batch(ctx.script_id, i, "final") is None:  # else a run stopped mid-final
            out.leave(i, made[-1].path, f"final take {made[-1].number} was made from draft take {draft.number}")
            continue
        plan = plan_takes(ctx, i, 1, "final")
        meta = draft.metadata
        if (ctx.backend.name == "luma" and video.api == "dream-machine" and meta is not None
                and meta.backend == "luma" and meta.remote_id):
            plan.upscale_of, plan.source_model = meta.remote_id, meta.model
        plan.replace, plan.source = True, draft.number
        out.variants[i] = plan
    if not approved_any:
        raise UserError("render --final: no selected scene has an approved draft",
                        hint="approve drafts first: scenetui takes approve SCRIPT 0-3 (or a in the app)")
    return out


def has_sound(take: Any) -> bool:
    """A take made with Luma's sound, or one whose file was recorded with a sound track."""
    return take.sound_of is not None or bool(take.metadata is not None and take.metadata.audio)


async def plan_audio(ctx: RenderContext, selected: list[int], *, force: bool = False) -> PassPlan:
    """Luma's sound for the clip of every selected scene that has none: a take of its own from the scene's clip (or,
    with `force`, from the silent take a sound take was made from), which becomes the scene's clip."""
    out = PassPlan()
    for i in selected:
        takes: list[Any] = ctx.store.takes(ctx.script_id, i)
        chosen = next((t for t in takes if t.chosen), None)
        unfinished = ctx.journal.open_batch(ctx.script_id, i, "audio") is not None  # a run stopped mid-sound
        if chosen is None:
            out.missing.append(i)
            continue
        if has_sound(chosen) and not force and not unfinished:
            out.leave(i, chosen.path, f"take {chosen.number} has sound (--force asks Luma for it again)")
            continue
        base = next((t for t in takes if t.number == chosen.sound_of), chosen) if chosen.sound_of else chosen
        meta = base.metadata
        if meta is None or meta.backend != "luma" or not meta.remote_id or api_of((meta.model or "?").split()[0]) == "agents":
            out.leave(i, chosen.path, f"take {base.number} was not made with Luma's Dream Machine API: there is no "
                                      "generation to add sound to")
            continue
        plan = plan_takes(ctx, i, 1, "audio")
        plan.audio_of, plan.source, plan.source_model = meta.remote_id, base.number, meta.model
        plan.replace = True
        out.variants[i] = plan
    return out
