"""Keyframes made by Luma Photon (`POST /generations/image`), paid once each, with the render's journal discipline.

Each missing keyframe is one image generation. The intent is journaled before the request leaves and the id right
after; a rerun polls an id it has, and looks an intent without one up in Luma's list before creating again. The
characters in the scene send their reference images as `character_ref`; the end keyframe references the start
one (`image_ref`), so both ends of a scene belong together. Attempts live in the journal under the derived script
id `ID-keyframes`, scene slot 2·index (start) or 2·index+1 (end).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenetui.backends.luma.client import LumaClient
from scenetui.backends.luma.errors import LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.backends.luma.failures import explain_failure
from scenetui.backends.luma.download import DownloadFailed, download
from scenetui.backends.luma.keyframes import KeyframeHost
from scenetui.backends.luma.reconcile import find_existing
from scenetui.crashpoints import step
from scenetui.domain.script import AIScript
from scenetui.engine import journal as J
from scenetui.engine.journal import Journal
from scenetui.errors import UserError
from scenetui.media.images import image_problem
from scenetui.script.file import is_url
from scenetui.storage.atomic import move_into_place

DEFAULT_IMAGE_PRICES = {"photon-1": 2, "photon-flash-1": 1}  # cents per image, rounded up; override with --price-table
POLL_SECONDS = 1.0
POLL_LIMIT = 600.0
CREATE_TRIES = 6  # ambiguous or rate-limited creates, each reconciled or waited out before the next


class _Transient(Exception):
    """A refunded failure Luma says is worth one more try (a new generation, a new charge)."""


def keyframes_script_id(script_id: str) -> str:
    return f"{script_id}-keyframes"


def slot(index: int, which: str) -> int:
    return 2 * index + (0 if which == "start" else 1)


@dataclass(frozen=True)
class KeyframeJob:
    """One keyframe to make: the scene and which end."""

    index: int
    which: str


def picture_path(folder: Path, job: KeyframeJob, generation_id: str) -> Path:
    """Named by the generation, so a rerun finds the picture a killed run already paid for and saved."""
    return folder / f"{job.index:03d}-{job.which}-{generation_id[:8]}.png"


def saved_picture(journal: Journal, sid: str, folder: Path, job: KeyframeJob) -> Path | None:
    """The newest picture of this slot that was paid for and saved (by either picture model)."""
    done = [a for a in journal.attempts(sid, slot(job.index, job.which)) if a.state == J.COMPLETED and a.remote_id]
    for a in reversed(done):
        path = picture_path(folder, job, a.remote_id or "")
        if path.is_file():
            return path
    return None


async def keep_picture(staged: Path, dest: Path, job: KeyframeJob) -> None:
    """A downloaded picture checked and moved into place; one that is not a whole image is refused (and dropped)."""
    why = await asyncio.to_thread(image_problem, staged)
    if why:
        staged.unlink(missing_ok=True)
        raise UserError(f"scene {job.index} {job.which}: Luma's picture is not usable ({why})",
                        hint="run again: the paid picture is downloaded again, not generated again")
    await asyncio.to_thread(move_into_place, staged, dest)


def image_prompt(script: AIScript, index: int, which: str) -> str:
    """The scene's look in words: visual description, style, camera, the characters' descriptions, and which end."""
    scene = script.scenes[index]
    parts = [scene.visual_description or scene.description or scene.title]
    if script.style:
        parts.append(f"Style: {script.style}")
    if scene.camera:
        parts.append(f"Camera: {scene.camera}")
    for name in scene.characters:
        c = script.character(name)
        if c and c.description:
            parts.append(f"{c.name}: {c.description}")
    parts.append("The scene's opening frame." if which == "start" else "The scene's closing frame, moments later.")
    return " ".join(p.strip().rstrip(".") + "." for p in parts if p and p.strip())[:4900]


class PhotonKeyframes:
    """Makes keyframe images with Photon; every create is journaled like a video's."""

    backend = "luma-photon"

    def __init__(self, client: LumaClient, journal: Journal, script: AIScript, base: Path, host: KeyframeHost, *,
                 model: str = "photon-1", price_cents: int = 0, run_id: int | None = None,
                 say: Callable[[str], None] = lambda text: None,
                 bucket_url: Callable[[str], Awaitable[str]] | None = None) -> None:
        """`bucket_url`: for a firestore: script, a signed URL for a reference that names a bucket object (its
        references and keyframes live there, not beside a file)."""
        self.client, self.journal, self.script, self.base, self.host = client, journal, script, base, host
        self.bucket_url = bucket_url
        self.model, self.price, self.run_id, self.say = model, price_cents, run_id, say
        self.sid = keyframes_script_id(script.id)
        self.folder = base / "keyframes"

    def already_made(self, job: KeyframeJob) -> Path | None:
        """A picture a previous run paid for and saved, though the script may not point at it yet."""
        return saved_picture(self.journal, self.sid, self.folder, job)

    def doubted(self, job: KeyframeJob) -> None:
        """Never: an interrupted create is looked up in Luma's list (this API has one)."""
        return None

    async def prepare(self, jobs: list[KeyframeJob]) -> None:
        """Every check that costs nothing, for each picture to be paid."""
        for job in jobs:
            await self.check(job)

    async def start_source(self, ref: str) -> str | None:
        """The scene's start keyframe's public URL for the end keyframe's image_ref; None when a local one has
        nowhere to be published (the end is then made without it)."""
        try:
            return await self._url(ref)
        except UserError:
            return None

    def _local(self, ref: str) -> Path:
        path = Path(ref)
        return path if path.is_absolute() else self.base / path

    async def _url(self, ref: str) -> str:
        if self.bucket_url is not None and not ref.startswith(("https://", "http://")):
            return await self.bucket_url(ref)
        return ref if is_url(ref) else await self.host.url_for(self._local(ref))

    def _references(self, job: KeyframeJob) -> list[str]:
        """The reference images of the scene's characters (Photon takes at most 4 for one identity)."""
        scene = self.script.scenes[job.index]
        refs = [r for name in scene.characters if (c := self.script.character(name)) for r in c.reference_images]
        if len(refs) > 4:
            raise UserError(f"scene {job.index}'s characters have {len(refs)} reference images; Photon takes at most 4",
                            hint="keep the four that show the faces best")
        return refs

    async def check(self, job: KeyframeJob) -> None:
        """What would make this picture's request fail, found before anything is spent: too many references, a
        reference image that is missing or not an image, or one that cannot be published for Luma to read."""
        for ref in self._references(job):
            why = None if is_url(ref) or self.bucket_url is not None else image_problem(self._local(ref))
            if why:
                raise UserError(f"scene {job.index}: a character's reference image is unusable: {why}",
                                hint="fix referenceImages in the script")
            await self._url(ref)

    async def request_for(self, job: KeyframeJob, start_url: str | None) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "prompt": image_prompt(self.script, job.index, job.which),
                                   "aspect_ratio": self.script.video.aspect_ratio, "format": "png"}
        refs = self._references(job)
        if refs:
            request["character_ref"] = {"identity0": {"images": [await self._url(r) for r in refs]}}
        if job.which == "end" and start_url:
            request["image_ref"] = [{"url": start_url, "weight": 0.6}]  # the two ends of a scene belong together
        return request

    async def _create(self, job: KeyframeJob, request: dict[str, Any], attempt_id: int) -> str:
        """POST once; an ambiguous answer (timeout, reset, 5xx, garbled) is reconciled against Luma's list before
        anything is sent again, a 429 waited out; a refusal is the scene's, explained. Returns the generation id."""
        since = time.time()
        for attempt in range(CREATE_TRIES):
            try:
                step("luma create: before the request")
                generation = await self.client.create_image(request)
                step("luma create: answered, id not yet written")
                generation_id = generation.id
                break
            except LumaRateLimited as exc:  # refused, not stored
                await asyncio.sleep(exc.retry_after if exc.retry_after is not None else min(30.0, 2.0 * 2**attempt))
            except LumaRejected as exc:
                self.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=str(exc))
                raise UserError(f"scene {job.index} {job.which} keyframe: Luma refused the request ({exc})",
                                hint="check the scene's text and the characters' reference images") from exc
            except LumaUnavailable:
                found = await find_existing(self.client, request, since=since, exclude=self.journal.remote_ids(self.sid))
                if found is not None:
                    self.say(f"scene {job.index} {job.which}: Luma had stored the request as {found.id}; not paying again")
                    generation_id = found.id
                    break
                await asyncio.sleep(min(30.0, 1.0 * 2**attempt))
        else:
            raise UserError(f"scene {job.index} {job.which}: Luma did not take the request after {CREATE_TRIES} tries",
                            hint="run again later; nothing was paid twice")
        self.journal.update_attempt(attempt_id, remote_id=generation_id, state=J.CREATED, cost_cents=self.price)
        return generation_id

    async def make(self, job: KeyframeJob, start_url: str | None, *, retried: bool = False) -> tuple[Path, str]:
        """The keyframe saved under keyframes/, paid at most once; its path and public URL (for the end's image_ref)."""
        n = slot(job.index, job.which)
        open_attempt = self.journal.open_attempt(self.sid, n)
        generation_id = open_attempt.remote_id if open_attempt else None
        if open_attempt is not None and generation_id is None:  # an intent: did Luma get it before we stopped?
            found = await find_existing(self.client, open_attempt.request or {}, since=open_attempt.created_at,
                                        exclude=self.journal.remote_ids(self.sid))
            if found is not None:
                generation_id = found.id
                self.journal.update_attempt(open_attempt.id, remote_id=found.id, state=J.CREATED)
                self.say(f"scene {job.index} {job.which}: Luma had the interrupted request as {found.id}; not paying again")
        attempt_id = open_attempt.id if open_attempt else None
        if generation_id is None:
            request = open_attempt.request if open_attempt and open_attempt.request else await self.request_for(job, start_url)
            if attempt_id is None:
                attempt_id = self.journal.begin_attempt(run_id=self.run_id, script_id=self.sid, scene_index=n,
                                                        backend="luma-photon", state=J.INTENT, request=request)
            generation_id = await self._create(job, request, attempt_id)
        assert attempt_id is not None
        try:
            url = await self._wait(generation_id, job, attempt_id)
        except _Transient as exc:
            if retried:
                raise UserError(str(exc), hint="run again later; the failed picture was refunded") from None
            self.say(f"scene {job.index} {job.which}: {exc} — trying once more")
            return await self.make(job, start_url, retried=True)
        dest = picture_path(self.folder, job, generation_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        staged = dest.with_name(f".{dest.name}.part")
        staged.unlink(missing_ok=True)
        try:
            await download(url, staged, api_base=self.client.base_url)
        except DownloadFailed as exc:
            staged.unlink(missing_ok=True)
            raise UserError(f"scene {job.index} {job.which}: Luma's picture could not be fetched ({exc})",
                            hint="run again: the paid picture is downloaded again, not generated again") from exc
        await keep_picture(staged, dest, job)
        self.journal.update_attempt(attempt_id, state=J.COMPLETED)
        return dest, url

    async def _wait(self, generation_id: str, job: KeyframeJob, attempt_id: int) -> str:
        started = time.monotonic()
        while True:
            try:
                generation = await self.client.get(generation_id)
            except (LumaUnavailable, LumaRateLimited):  # the picture is paid for: keep polling, up to the limit
                generation = None
            if generation is not None and generation.state == "completed" and generation.assets and generation.assets.image:
                return generation.assets.image
            if generation is not None and generation.state == "failed":
                reason = generation.failure_reason or "no reason given"
                self.journal.update_attempt(attempt_id, state=J.FAILED, failure_reason=reason, refunded=1)
                if explain_failure(reason).retryable:
                    raise _Transient(f"Luma could not make the picture ({reason})")
                raise UserError(f"scene {job.index} {job.which} keyframe: Luma could not make it ({reason})",
                                hint="reword the scene's visual description or check the characters' reference images")
            if time.monotonic() - started > POLL_LIMIT:
                raise UserError(f"scene {job.index} {job.which}: Luma did not finish the picture in time",
                                hint="run again later: it is picked up, not paid again")
            await asyncio.sleep(POLL_SECONDS)
