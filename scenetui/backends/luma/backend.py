"""The Luma Ray 2 backend: host keyframes, create once, poll, download — every step journaled by the engine."""

from __future__ import annotations

import asyncio
import random
import time
from datetime import datetime
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn

from aiolimiter import AsyncLimiter

from scenetui.backends.luma.client import LumaClient
from scenetui.backends.luma.download import DEFAULT_MAX_BYTES
from scenetui.backends.luma.errors import LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.backends.luma.failures import explain_failure, explain_rejection
from scenetui.backends.luma.keyframes import KeyframeHost, NoKeyframeHost, PublishedFolderHost, check_public
from scenetui.backends.luma.models import Generation, image_keyframe
from scenetui.backends.luma.poll import FIRST, FinishWindows
from scenetui.backends.luma.waiting import fetch_clip, wait_done, wait_out_rate_limit
from scenetui.backends.luma.reconcile import find_existing, redact_request, request_key
from scenetui.crashpoints import step
from scenetui.domain.prompt import camera_concept, sound_prompt
from scenetui.engine.pipeline import GenerationFailed
from scenetui.engine.ports import GenerationJob, GenerationResult, GenerationSession
from scenetui.errors import UserError


class LumaBackend:
    """Generates each scene with Ray 2, pinning the start keyframe as frame0 and the end keyframe as frame1."""

    name = "luma"
    paid = True
    finds_lost_creates = True  # by listing generations

    def __init__(self, client: LumaClient, host: KeyframeHost, *, max_in_flight: int = 10, creates_per_minute: int = 20,
                 poll_timeout: float = 1800.0, rate_limit_patience: float = 600.0, history: list[float] | None = None,
                 max_asset_bytes: int = DEFAULT_MAX_BYTES, at_once: int | None = None,
                 first_look: float = FIRST) -> None:
        self.client = client
        self.host = host
        self._in_flight = asyncio.Semaphore(max_in_flight)
        self.at_once = at_once  # the most scenes worth working on at once (the render's queue keeps to it)
        self._creates = AsyncLimiter(creates_per_minute, 60)
        self.poll_timeout = poll_timeout
        self.max_asset_bytes = max_asset_bytes
        self.rate_limit_patience = rate_limit_patience
        self.windows = FinishWindows.from_durations(list(history or []))
        self.first_look = first_look  # seconds from a create to the first look at it
        self._urls: dict[Path, str] = {}
        # Takes of one scene send identical requests: a lookup for one never runs while an identical create is
        # between its POST and its journaled id, so two takes never adopt the same generation.
        self._same: dict[str, asyncio.Lock] = {}

    # before anything is spent ---------------------------------------------------------------------------
    async def _url(self, ref: str | Path) -> str:
        if isinstance(ref, str):
            return ref
        if ref not in self._urls:
            self._urls[ref] = await self.host.url_for(ref)
        return self._urls[ref]

    async def prepare(self, jobs: list[GenerationJob]) -> None:
        """Host local keyframes and fetch every URL anonymously, as Luma will: a bad URL costs no credit."""
        fresh = [job for job in jobs if not (job.upscale_of or job.audio_of)]  # the others remake a generation
        urls = [await self._url(k) for job in fresh for k in (job.start_keyframe, job.end_keyframe) if k is not None]
        problems = await check_public(urls)
        if problems:
            more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
            raise UserError(f"keyframe not reachable by Luma: {problems[0]}{more}",
                            hint="fix the keyframe URLs before spending credits")
        if any(job.settings.loop and job.end_keyframe for job in fresh):
            raise UserError("video.loop cannot be used with an end keyframe (Luma refuses it)", hint="set video.loop to false")

    async def describe_requests(self, jobs: list[GenerationJob]) -> list[dict[str, Any]]:
        """The create bodies a render would send (`render --dry-run`), built without sending or publishing anything."""
        return [await self._describe(job) for job in jobs]

    async def _describe(self, job: GenerationJob) -> dict[str, Any]:
        return await self._body(job, self._shown_url)

    async def _shown_url(self, ref: str | Path) -> str:
        """A keyframe's URL where making it publishes nothing; else what it will be (a bucket upload, signed, only
        when rendering)."""
        if isinstance(ref, str) or isinstance(self.host, PublishedFolderHost) or ref in self._urls:
            return await self._url(ref)
        if isinstance(self.host, NoKeyframeHost):
            return f"<{ref.name}: no public URL — pass --keyframe-base-url>"
        return f"<{ref.name}, published when rendering>"

    async def build_request(self, job: GenerationJob) -> dict[str, Any]:
        """The create body; model, resolution, duration and aspect ratio are always sent (server defaults are undocumented)."""
        return await self._body(job, self._url)

    async def _body(self, job: GenerationJob, url_of: Callable[[str | Path], Awaitable[str]]) -> dict[str, Any]:
        v = job.settings
        if job.upscale_of:  # POST /generations/{id}/upscale takes the resolution only: the shot is the draft's
            return {"generation_type": "upscale_video", "resolution": v.resolution}
        if job.audio_of:  # POST /generations/{id}/audio: the generation's own video, with sound made for it
            sound = {"generation_type": "add_audio", "prompt": sound_prompt(job.scene)}
            if job.scene.sound_negative:
                sound["negative_prompt"] = job.scene.sound_negative
            return sound
        request: dict[str, Any] = {
            "generation_type": "video", "model": v.model, "prompt": job.prompt, "resolution": v.resolution,
            "duration": v.duration, "aspect_ratio": v.aspect_ratio, "loop": v.loop,
        }
        frames: dict[str, Any] = {}
        if job.continue_from:  # continuity: this clip starts where the previous scene's generation ended
            frames["frame0"] = {"type": "generation", "id": job.continue_from}
        elif job.start_keyframe is not None:
            frames["frame0"] = image_keyframe(await url_of(job.start_keyframe))
        if job.end_keyframe is not None:
            frames["frame1"] = image_keyframe(await url_of(job.end_keyframe))
        if frames:
            request["keyframes"] = frames
        concept = camera_concept(job.scene.camera)
        if concept:
            request["concepts"] = [{"key": concept}]
        return request

    def _exclusive(self, request: dict[str, Any]) -> asyncio.Lock:
        """One lock per kind of request that a lookup could mistake for another (upscales: per resolution; sounds:
        per prompt)."""
        kind = request.get("generation_type")
        key = (f"upscale:{request.get('resolution')}" if kind == "upscale_video" else
               f"audio:{request.get('prompt')}" if kind == "add_audio" else request_key(request))
        return self._same.setdefault(key, asyncio.Lock())

    # one generation ----------------------------------------------------------------------------------------
    async def generate(self, job: GenerationJob, dest: Path, session: GenerationSession) -> GenerationResult:
        request = await self.build_request(job)
        gen_id = session.previous_remote_id
        if gen_id is None and session.previous_state == "intent":
            gen_id = await (self._reconcile_derived(session, request) if job.upscale_of or job.audio_of else
                            self._reconcile(session, session.previous_request or redact_request(request)))
        async with self._in_flight:
            fresh = gen_id is None
            if gen_id is None:
                gen_id = await self._create(request, session, job)
            generation = await self._wait(gen_id, session, fresh=fresh)
        await self._download(generation, dest, session)
        return GenerationResult(remote_id=gen_id)

    async def _create(self, request: dict[str, Any], session: GenerationSession, job: GenerationJob) -> str:
        waited = 0.0
        tries = 0
        source = job.upscale_of or job.audio_of
        priced_as = "upscale" if job.upscale_of else "audio"
        while True:
            async with self._creates:
                pass  # at most N creates start per minute
            # an upscale or a sound is journaled with its source and what it is priced as (its body has neither)
            journaled = ({**request, "source": source, "model": priced_as, "resolution": job.settings.resolution,
                          "duration": job.settings.duration} if source else redact_request(request))
            await session.before_create(journaled)
            session.stage("submitting", f"asking Luma to {'upscale' if job.upscale_of else 'add sound to'} generation "
                          f"{source}" if source else "sending the generation request")
            try:
                async with self._exclusive(request):
                    step("luma create: before the request")
                    generation = await (self.client.upscale(source, request) if job.upscale_of else
                                        self.client.add_audio(source, request) if job.audio_of else
                                        self.client.create_video(request))
                    step("luma create: answered, id not yet written")
                    await session.created(generation.id)
            except LumaRateLimited as exc:
                await session.not_created()
                tries += 1
                waited = await wait_out_rate_limit(exc, session, tries=tries, waited=waited,
                                                   patience=self.rate_limit_patience, what="Luma rate limit")
                continue
            except LumaRejected as exc:
                await session.not_created()
                why = explain_rejection(exc.detail)
                raise GenerationFailed(why.message, hint=why.hint) from exc
            except LumaUnavailable as exc:
                found = await (self._reconcile_derived(session, request, cause=str(exc)) if source else
                               self._reconcile(session, redact_request(request), cause=str(exc)))
                if found:
                    return found
                tries += 1
                if tries > 3:
                    raise GenerationFailed(f"Luma is not answering ({exc})", hint="run again later; nothing was charged",
                                           retryable=False) from exc
                await asyncio.sleep(min(30.0, 2.0 * self.client.backoff * 2**tries) * random.uniform(0.5, 1.0))
                continue
            return generation.id

    async def _reconcile(self, session: GenerationSession, request: dict[str, Any], cause: str = "") -> str | None:
        """Did an unanswered create reach Luma? Look for it before creating again; if we cannot tell, stop."""
        session.stage("reconciling", "checking whether the interrupted request reached Luma" + (f" ({cause})" if cause else ""))
        since = session.previous_intent_ts or time.time()
        async with self._exclusive(request):
            return await self._look_up(session, request, since)

    async def _look_up(self, session: GenerationSession, request: dict[str, Any], since: float) -> str | None:
        last: Exception | None = None
        for attempt in range(4):
            try:
                found = await find_existing(self.client, request, since=since, exclude=session.known_remote_ids())
            except (LumaUnavailable, LumaRateLimited) as exc:
                last = exc
                await asyncio.sleep(min(20.0, 1.5 * self.client.backoff * 2**attempt))
                continue
            if found is not None:
                await session.created(found.id)
                session.stage("reconciled", f"Luma had stored it as {found.id}; not creating it again")
                return found.id
            await session.not_created()
            return None
        raise GenerationFailed(
            "could not confirm whether Luma stored the request (listing generations failed)",
            hint="run the same command again later; it will check again before paying", keep_open=True,
        ) from last

    async def _reconcile_derived(self, session: GenerationSession, request: dict[str, Any], cause: str = "") -> str | None:
        """An upscale or a sound whose answer was lost: Luma's echo of it names no source, so it is adopted only when
        exactly one unknown one like it (the resolution; the sound's prompt) appeared since the request left;
        several cannot be told apart."""
        what = "upscale" if request.get("generation_type") == "upscale_video" else "sound"
        session.stage("reconciling", f"checking whether the interrupted {what} reached Luma" + (f" ({cause})" if cause else ""))
        since = (session.previous_intent_ts or time.time()) - 5
        async with self._exclusive(request):
            return await self._look_up_derived(session, request, since, what)

    async def _look_up_derived(self, session: GenerationSession, request: dict[str, Any], since: float,
                               what: str) -> str | None:
        try:
            listing = await self.client.list(limit=100)
        except (LumaUnavailable, LumaRateLimited) as exc:
            raise GenerationFailed(f"could not confirm whether Luma stored the {what} (listing generations failed)",
                                   hint="run the same command again later; it will check again before paying",
                                   keep_open=True) from exc
        known = session.known_remote_ids()
        same = ("resolution",) if what == "upscale" else ("prompt", "negative_prompt")
        found = [g for g in listing.generations if g.generation_type == request.get("generation_type")
                 and g.id not in known and (_created(g) or 0) >= since
                 and all((g.request or {}).get(k) == request.get(k) for k in same)]
        if len(found) > 1:
            raise GenerationFailed(f"{len(found)} {what}s Luma stored since this one was sent cannot be told apart",
                                   hint="check your Luma library; run again once the others are journaled", keep_open=True)
        if found:
            await session.created(found[0].id)
            session.stage("reconciled", f"Luma had stored it as {found[0].id}; not asking again")
            return found[0].id
        await session.not_created()
        return None

    async def _wait(self, gen_id: str, session: GenerationSession, *, fresh: bool = True) -> Generation:
        async def failed(generation: Generation) -> NoReturn:
            await session.refunded()  # Luma refunds failed generations
            why = explain_failure(generation.failure_reason)
            raise GenerationFailed(why.message, hint=why.hint, retryable=why.retryable)

        return await wait_done(self.client.get, gen_id, session, windows=self.windows, poll_timeout=self.poll_timeout,
                               fresh=fresh, stages=_STAGES, failed=failed,
                               first_look=self.first_look)

    async def _download(self, generation: Generation, dest: Path, session: GenerationSession) -> None:
        await fetch_clip(generation, lambda g: g.assets.video if g.assets else None,
                         lambda: self.client.get(generation.id), dest, session,
                         api_base=self.client.base_url, max_bytes=self.max_asset_bytes)

    async def balance_cents(self) -> float:
        """The account's credit balance in US cents."""
        return (await self.client.credits()).credit_balance

    async def cancel_remote(self, remote_id: str) -> None:
        await self.client.delete(remote_id)

    async def aclose(self) -> None:
        await self.client.aclose()


_STAGES = {"queued": ("queued", "waiting for a Luma slot"), "dreaming": ("dreaming", "Luma is generating"),
           "completed": ("completed", ""), "failed": ("failed", "")}


def _created(generation: Generation) -> float | None:
    try:
        return datetime.fromisoformat((generation.created_at or "").replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
