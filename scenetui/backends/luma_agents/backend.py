"""The Ray 3.2 backend on Luma's current API: keyframes inline or uploaded, create once, poll, download at once.

This API has no list: a create whose answer was lost cannot be found again. So nothing is ever sent twice on our
own — such a scene stays "in doubt" (its X-Request-Id journaled) until the person says `--resubmit` for it.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path
from typing import Any, NoReturn

from aiolimiter import AsyncLimiter

from scenetui.backends.luma.download import DEFAULT_MAX_BYTES
from scenetui.backends.luma.errors import LumaNotFound, LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.backends.luma.keyframes import redact_url
from scenetui.backends.luma.poll import FIRST, FinishWindows
from scenetui.backends.luma.waiting import fetch_clip, wait_done, wait_out_rate_limit
from scenetui.backends.luma_agents.client import AgentsClient
from scenetui.backends.luma_agents.failures import explain_code, explain_refusal
from scenetui.backends.luma_agents.models import Generation
from scenetui.backends.luma_agents.refs import KeyframeRefs
from scenetui.crashpoints import step
from scenetui.engine.pipeline import GenerationFailed
from scenetui.engine.ports import GenerationJob, GenerationResult, GenerationSession
from scenetui.errors import UserError

FRAMES_PER_SECOND = 24  # keyframe positions are on the model's 24 fps grid


class AgentsBackend:
    """Generates each scene with Ray 3.2, its start and end keyframes pinned (as positioned keyframes for 10 s)."""

    name = "luma"
    paid = True
    finds_lost_creates = False

    def __init__(self, client: AgentsClient, refs: KeyframeRefs, *, max_in_flight: int = 10, creates_per_minute: int = 20,
                 poll_timeout: float = 1800.0, rate_limit_patience: float = 600.0, history: list[float] | None = None,
                 max_asset_bytes: int = DEFAULT_MAX_BYTES, at_once: int | None = None,
                 first_look: float = FIRST) -> None:
        self.client, self.refs = client, refs
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.at_once = at_once  # the most scenes worth working on at once (the render's queue keeps to it)
        self._creates = AsyncLimiter(creates_per_minute, 60)
        self.poll_timeout, self.rate_limit_patience, self.max_asset_bytes = poll_timeout, rate_limit_patience, max_asset_bytes
        self.windows = FinishWindows.from_durations(list(history or []))
        self.first_look = first_look  # seconds from a create to the first look at it
        self._no_funds: str | None = None  # after a 402 no further create is sent this run

    # before anything is spent ---------------------------------------------------------------------------
    async def prepare(self, jobs: list[GenerationJob]) -> None:
        """Read, upload and check every keyframe; refuse what this API cannot do — nothing is paid yet."""
        try:
            await self.client.ping()  # a wrong key is said now (exit 2), not as every scene's failure
        except (LumaUnavailable, LumaRateLimited) as exc:
            raise UserError(f"Luma's API does not answer ({exc})",
                            hint="check the network (or --luma-base-url) and run again; nothing was paid") from None
        await self.refs.prepare([k for job in jobs for k in (job.start_keyframe, job.end_keyframe) if k is not None])

    async def describe_requests(self, jobs: list[GenerationJob]) -> list[dict[str, Any]]:
        """The create bodies a render would send (`render --dry-run`); nothing is read from or sent to Luma."""
        refs = await asyncio.to_thread(self.refs.described, [k for job in jobs for k in (job.start_keyframe,
                                                                                       job.end_keyframe) if k is not None])
        return [self._body(job, refs.__getitem__) for job in jobs]

    async def build_request(self, job: GenerationJob) -> dict[str, Any]:
        """The create body; every setting is sent, none left to server defaults."""
        return self._body(job, self.refs.ref)

    def _body(self, job: GenerationJob, ref_of: Any) -> dict[str, Any]:
        v = job.settings
        video: dict[str, Any] = {"duration": v.duration, "resolution": v.resolution}
        start = {"generation_id": job.continue_from} if job.continue_from else (
            ref_of(job.start_keyframe) if job.start_keyframe is not None else None)
        end = ref_of(job.end_keyframe) if job.end_keyframe is not None else None
        if v.duration == "10s" and (start or end):  # start/end frames make 5 s clips; positioned keyframes go to 10 s
            last = int(v.seconds * FRAMES_PER_SECOND)
            pinned = [(ref, at) for ref, at in ((start, 0), (end, last)) if ref is not None]
            video["keyframes"] = [ref for ref, _ in pinned]
            video["keyframe_indexes"] = [at for _, at in pinned]
        else:
            video.update({k: ref for k, ref in (("start_frame", start), ("end_frame", end)) if ref is not None})
            if v.loop:
                video["loop"] = True
        return {"type": "video", "model": v.model, "prompt": job.prompt, "aspect_ratio": v.aspect_ratio, "video": video}

    # one generation ----------------------------------------------------------------------------------------
    async def generate(self, job: GenerationJob, dest: Path, session: GenerationSession) -> GenerationResult:
        gen_id = session.previous_remote_id
        async with self._in_flight:
            fresh = gen_id is None
            if gen_id is None:
                gen_id = await self._create(await self.build_request(job), session)
            generation = await self._wait(gen_id, session, fresh=fresh)
        await self._download(generation, dest, session)
        return GenerationResult(remote_id=gen_id)

    async def _create(self, body: dict[str, Any], session: GenerationSession) -> str:
        waited, tries = 0.0, 0
        while True:
            if self._no_funds:
                raise GenerationFailed(self._no_funds, hint="add funds to the Luma account; nothing more was sent")
            async with self._creates:
                pass  # at most N creates start per minute
            request_id = str(uuid.uuid4())
            await session.before_create(journal_record(body, request_id))
            session.stage("submitting", "sending the generation request")
            try:
                step("luma create: before the request")
                generation = await self.client.create(body, request_id)
                step("luma create: answered, id not yet written")
            except LumaRateLimited as exc:  # 429, or 503: nothing was accepted — wait, then send it again
                await session.not_created()
                tries += 1
                waited = await wait_out_rate_limit(exc, session, tries=tries, waited=waited,
                                                   patience=self.rate_limit_patience, what="Luma is busy")
                continue
            except (LumaRejected, LumaNotFound) as exc:  # refused outright: nothing was accepted
                await session.not_created()
                why = explain_refusal(exc.status, exc.detail)
                if exc.status == 402:
                    self._no_funds = why.message
                raise GenerationFailed(why.message, hint=why.hint) from exc
            except LumaUnavailable as exc:  # sent, and no clear answer: it may have been accepted
                raise GenerationFailed(
                    f"the create may have been accepted by Luma (request id {request_id}; {exc})",
                    hint="check your Luma usage page; this API cannot look it up, so it is not sent again "
                         "unless you say so (render --resubmit)", keep_open=True) from exc
            await session.created(generation.id)
            return generation.id

    async def _wait(self, gen_id: str, session: GenerationSession, *, fresh: bool = True) -> Generation:
        async def failed(generation: Generation) -> NoReturn:  # no refund is documented here: the ledger keeps it
            why = explain_code(generation.failure_code, generation.failure_reason)
            raise GenerationFailed(why.message, hint=why.hint, retryable=why.retryable)

        return await wait_done(self.client.get, gen_id, session, windows=self.windows, poll_timeout=self.poll_timeout,
                               fresh=fresh, stages=_STAGES, failed=failed,
                               first_look=self.first_look)

    async def _download(self, generation: Generation, dest: Path, session: GenerationSession) -> None:
        """At once: output addresses expire after an hour; a fresh poll mints a new one when a download must resume."""
        await fetch_clip(generation, Generation.video_url, lambda: self.client.get(generation.id), dest, session,
                         api_base=self.client.base_url, max_bytes=self.max_asset_bytes)

    async def cancel_remote(self, remote_id: str) -> None:
        """This API cannot delete a generation: it finishes at Luma and is picked up by the next run."""
        raise GenerationFailed("Luma's current API cannot delete a generation", hint="it will finish and be kept")

    async def aclose(self) -> None:
        await self.client.aclose()


# processing is shown as the same stage as Ray 2's dreaming
_STAGES = {"queued": ("queued", "waiting for a Luma slot"), "processing": ("dreaming", "Luma is generating"),
           "completed": ("completed", ""), "failed": ("failed", "")}


def journal_record(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """What the journal keeps of a create: the settings the price is read from, our request id, and the body with
    inline pictures replaced by their size and hash (a journal full of base64 helps nobody)."""
    video = dict(body.get("video") or {})
    for key in ("start_frame", "end_frame"):
        if isinstance(video.get(key), dict):
            video[key] = redacted_ref(video[key])
    if isinstance(video.get("keyframes"), list):
        video["keyframes"] = [redacted_ref(r) if isinstance(r, dict) else r for r in video["keyframes"]]
    return {"api": "agents", "request_id": request_id, "model": body.get("model"), "resolution": video.get("resolution"),
            "duration": video.get("duration"), "aspect_ratio": body.get("aspect_ratio"), "prompt": body.get("prompt"),
            "video": video}


def redacted_ref(ref: dict[str, Any]) -> dict[str, Any]:
    """An image ref as the journal keeps it: inline bytes as their size and hash, a URL without its signature."""
    if "data" in ref:
        raw = str(ref["data"]).encode()
        return {"media_type": ref.get("media_type"), "data_sha256": hashlib.sha256(raw).hexdigest()[:16],
                "data_chars": len(raw)}
    if "url" in ref:
        return {"url": redact_url(str(ref["url"]))}
    return dict(ref)
