"""Keyframes made by Luma's current image model (`uni-1`), paid once each, with the render's journal discipline.

Each missing keyframe is one `type: image` generation. The characters' reference pictures (and, for the end
keyframe, the scene's start picture) go in `image_ref` — up to 9 — sent inline or uploaded once, like a video's
keyframes: nothing has to be hosted. This API cannot list generations, so a create whose answer was lost is never
sent again on our own: the picture stays *in doubt* (its X-Request-Id journaled) until the person says `--resubmit`.
Attempts share Photon's slots (`ID-keyframes`, 2·index or 2·index+1), so a picture is a picture whichever made it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from scenetui.backends.luma.download import DownloadFailed, download
from scenetui.backends.luma.errors import LumaNotFound, LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.backends.luma.photon import (KeyframeJob, image_prompt, keep_picture, keyframes_script_id, picture_path,
                                           saved_picture, slot)
from scenetui.backends.luma.waiting import rate_limit_delay
from scenetui.backends.luma_agents.backend import redacted_ref
from scenetui.backends.luma_agents.client import AgentsClient
from scenetui.backends.luma_agents.failures import explain_code, explain_refusal
from scenetui.backends.luma_agents.models import Generation
from scenetui.backends.luma_agents.refs import KeyframeRefs
from scenetui.crashpoints import step
from scenetui.domain.script import AIScript
from scenetui.engine import journal as J
from scenetui.engine.journal import Attempt, Journal
from scenetui.errors import UserError
from scenetui.media.images import image_problem
from scenetui.script.file import is_url

# cents per picture; uni-1-max's price is not in any table we trust, so it needs the person's --price-table
DEFAULT_UNI_PRICES = {"uni-1": 4}
MAX_REFERENCES = 9
UNI_RATIOS = ("3:1", "2:1", "21:9", "16:9", "4:3", "3:2", "1:1", "3:4", "2:3", "9:16", "1:2", "1:3")
BACKEND = "luma-uni"
POLL_SECONDS = 1.0
POLL_LIMIT = 600.0
RATE_LIMIT_PATIENCE = 600.0

Source = str | Path  # a URL Luma reads, or a local picture sent inline or uploaded


class _Retryable(Exception):
    """A failed picture Luma says a new create may fix (paid again; the ledger keeps both)."""


def in_doubt_text(job: KeyframeJob, request_id: str | None) -> str:
    return (f"scene {job.index} {job.which} keyframe: the request may have been accepted by Luma "
            f"(request id {request_id or 'unknown'})")


DOUBT_HINT = "check your Luma usage page; it is not sent again unless you say so (keyframes --resubmit)"


class UniKeyframes:
    """Makes keyframe pictures with uni-1; every create is journaled, with our request id, before it is sent."""

    backend = BACKEND

    def __init__(self, client: AgentsClient, refs: KeyframeRefs, journal: Journal, script: AIScript, base: Path, *,
                 model: str = "uni-1", price_cents: int = 0, run_id: int | None = None, resubmit: bool = False,
                 say: Callable[[str], None] = lambda text: None,
                 bucket_url: Callable[[str], Awaitable[str]] | None = None) -> None:
        """`bucket_url`: for a firestore: script, a signed URL for a reference that names a bucket object."""
        self.client, self.refs, self.journal, self.script, self.base = client, refs, journal, script, base
        self.model, self.price, self.run_id, self.resubmit, self.say = model, price_cents, run_id, resubmit, say
        self.bucket_url = bucket_url
        self.sid = keyframes_script_id(script.id)
        self.folder = base / "keyframes"
        self.rate_limit_patience = RATE_LIMIT_PATIENCE

    # what is there already ---------------------------------------------------------------------------------
    def already_made(self, job: KeyframeJob) -> Path | None:
        """A picture a previous run paid for and saved, though the script may not point at it yet."""
        return saved_picture(self.journal, self.sid, self.folder, job)

    def doubted(self, job: KeyframeJob) -> Attempt | None:
        """The picture's open attempt with no generation id: sent (maybe accepted), and this API cannot look it up."""
        attempt = self.journal.open_attempt(self.sid, slot(job.index, job.which))
        return attempt if attempt is not None and attempt.remote_id is None else None

    # before anything is spent ------------------------------------------------------------------------------
    async def _source(self, ref: str) -> Source:
        if self.bucket_url is not None and not is_url(ref):
            return await self.bucket_url(ref)
        if is_url(ref):
            return ref
        path = Path(ref)
        return path if path.is_absolute() else self.base / path

    def _references(self, job: KeyframeJob) -> list[str]:
        scene = self.script.scenes[job.index]
        refs = [r for name in scene.characters if (c := self.script.character(name)) for r in c.reference_images]
        if len(refs) > MAX_REFERENCES:
            raise UserError(f"scene {job.index}'s characters have {len(refs)} reference images; {self.model} takes at "
                            f"most {MAX_REFERENCES}", hint="keep the ones that show each face best")
        return refs

    async def prepare(self, jobs: list[KeyframeJob]) -> None:
        """Every check that costs nothing: the aspect ratio, the references (count, readable pictures), and the
        uploads of shared or big ones — a picture Luma's ingest refuses is said now, before any picture is paid."""
        ratio = self.script.video.aspect_ratio
        if ratio not in UNI_RATIOS:
            raise UserError(f"{self.model} does not make {ratio} pictures", hint="use --model photon-1, or another "
                            "aspect ratio: " + ", ".join(UNI_RATIOS))
        sources: list[Source] = []
        for job in jobs:
            for ref in self._references(job):
                source = await self._source(ref)
                why = image_problem(source) if isinstance(source, Path) else None
                if why:
                    raise UserError(f"scene {job.index}: a character's reference image is unusable: {why}",
                                    hint="fix referenceImages in the script")
                sources.append(source)
            start = self.script.scenes[job.index].start_keyframe
            if job.which == "end" and start and not any(j.index == job.index and j.which == "start" for j in jobs):
                sources.append(await self._source(start))
        await self.refs.prepare(sources)

    async def start_source(self, ref: str) -> Source | None:
        """The scene's existing start keyframe as the end keyframe's reference."""
        return await self._source(ref)

    async def request_for(self, job: KeyframeJob, start: Source | None) -> dict[str, Any]:
        refs = [await self._source(r) for r in self._references(job)]
        if job.which == "end" and start is not None and len(refs) < MAX_REFERENCES:
            refs.append(start)  # the two ends of a scene belong together
        await self.refs.prepare(refs)  # those known already are kept as they are
        request: dict[str, Any] = {"type": "image", "model": self.model,
                                   "prompt": image_prompt(self.script, job.index, job.which),
                                   "aspect_ratio": self.script.video.aspect_ratio, "output_format": "png"}
        if refs:
            request["image_ref"] = [self.refs.ref(r) for r in refs]
        return request

    # one picture -------------------------------------------------------------------------------------------
    async def make(self, job: KeyframeJob, start: Source | None, *, retried: bool = False) -> tuple[Path, Source]:
        """The keyframe saved under keyframes/, paid at most once; its path (the end keyframe's reference)."""
        n = slot(job.index, job.which)
        attempt = self.journal.open_attempt(self.sid, n)
        if attempt is not None and attempt.remote_id is None:
            request_id = (attempt.request or {}).get("request_id")
            if not self.resubmit or attempt.backend != BACKEND:
                raise UserError(in_doubt_text(job, request_id), hint=DOUBT_HINT if attempt.backend == BACKEND else
                                "an interrupted Photon request is unsettled: run keyframes --model photon-1 once")
            self.journal.update_attempt(attempt.id, state=J.UNCONFIRMED,
                                        failure_reason=f"resubmitted; request {request_id} may also have been paid")
            attempt = None
        if attempt is not None and attempt.backend != BACKEND:
            raise UserError(f"scene {job.index} {job.which} keyframe: a Photon picture for it is still being made",
                            hint="run keyframes --model photon-1 once to pick it up (it is paid for)")
        if attempt is None:
            generation_id, attempt_id = await self._create(job, await self.request_for(job, start))
        else:
            generation_id, attempt_id = attempt.remote_id or "", attempt.id
        try:
            generation = await self._wait(generation_id, job, attempt_id)
        except _Retryable as exc:
            if retried:
                raise UserError(str(exc), hint="run again later") from None
            self.say(f"scene {job.index} {job.which}: {exc} — trying once more (a new, paid picture)")
            return await self.make(job, start, retried=True)
        dest = await self._save(generation, job)
        self.journal.update_attempt(attempt_id, state=J.COMPLETED)
        return dest, dest

    async def _create(self, job: KeyframeJob, body: dict[str, Any]) -> tuple[str, int]:
        """POST once with the intent journaled first; a 429/503 (nothing accepted) is waited out and sent again
        with a new request id, a refusal is the picture's, an unclear answer leaves it in doubt."""
        waited, tries = 0.0, 0
        while True:
            request_id = str(uuid.uuid4())
            attempt_id = self.journal.begin_attempt(run_id=self.run_id, script_id=self.sid,
                                                    scene_index=slot(job.index, job.which), backend=BACKEND,
                                                    state=J.INTENT, request=journal_record(body, request_id))
            try:
                step("luma create: before the request")
                generation = await self.client.create(body, request_id)
                step("luma create: answered, id not yet written")
            except LumaRateLimited as exc:
                self.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason="not accepted (busy)")
                tries += 1
                delay = rate_limit_delay(exc, tries)
                if waited + delay > self.rate_limit_patience:
                    raise UserError(f"scene {job.index} {job.which}: Luma kept answering 'too many requests'",
                                    hint="run again later; nothing was paid") from None
                await asyncio.sleep(delay)
                waited += delay
                continue
            except (LumaRejected, LumaNotFound) as exc:
                self.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=str(exc)[:300])
                why = explain_refusal(exc.status, exc.detail)
                raise UserError(f"scene {job.index} {job.which} keyframe: {why.message}", hint=why.hint) from None
            except LumaUnavailable as exc:
                raise UserError(f"{in_doubt_text(job, request_id)}: {exc}", hint=DOUBT_HINT) from None
            self.journal.update_attempt(attempt_id, remote_id=generation.id, state=J.CREATED, cost_cents=self.price)
            return generation.id, attempt_id

    async def _wait(self, generation_id: str, job: KeyframeJob, attempt_id: int) -> Generation:
        started = time.monotonic()
        while True:
            try:
                generation: Generation | None = await self.client.get(generation_id)
            except (LumaUnavailable, LumaRateLimited):  # paid for: keep polling, up to the limit
                generation = None
            if generation is not None and generation.state == "completed":
                return generation
            if generation is not None and generation.state == "failed":
                why = explain_code(generation.failure_code, generation.failure_reason)
                self.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=why.message[:300])
                if why.retryable:
                    raise _Retryable(f"scene {job.index} {job.which} keyframe: {why.message}")
                raise UserError(f"scene {job.index} {job.which} keyframe: {why.message}", hint=why.hint)
            if time.monotonic() - started > POLL_LIMIT:
                raise UserError(f"scene {job.index} {job.which}: Luma did not finish the picture in time",
                                hint="run again later: it is picked up, not paid again")
            await asyncio.sleep(POLL_SECONDS)

    async def _save(self, generation: Generation, job: KeyframeJob) -> Path:
        """Downloaded at once (the address expires in an hour; a fresh poll mints another), checked, moved in."""
        dest = picture_path(self.folder, job, generation.id)
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = dest.with_name(f".{dest.name}.part")
        for attempt in range(2):
            url = generation.output_url("image")
            staged.unlink(missing_ok=True)
            try:
                if not url:
                    raise DownloadFailed("the generation finished without a picture")
                await download(url, staged, api_base=self.client.base_url, tries=3)
                break
            except DownloadFailed as exc:
                staged.unlink(missing_ok=True)
                if attempt == 1:
                    raise UserError(f"scene {job.index} {job.which}: Luma's picture could not be fetched ({exc})",
                                    hint="run again: the paid picture is downloaded again, not generated again") from None
                generation = await self.client.get(generation.id)
        await keep_picture(staged, dest, job)
        return dest


def journal_record(body: dict[str, Any], request_id: str) -> dict[str, Any]:
    """The create as the journal keeps it: model (what stats price by), our request id, refs without their bytes."""
    return {"api": "agents", "request_id": request_id, "model": body.get("model"), "type": body.get("type"),
            "prompt": body.get("prompt"), "aspect_ratio": body.get("aspect_ratio"),
            "image_ref": [redacted_ref(r) for r in body.get("image_ref") or []]}

