"""One run of Luma keyframe pictures for a script — Photon on the Dream Machine API, or uni-1 on Luma's current API —
shared by `scenetui keyframes --backend luma` and the app (`k` on a paid backend, `K` for one picture): plan
(checks, reuse, estimate) before anything is spent, then make the pictures, each written into the script as soon
as it exists."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from scenetui.errors import UserError
from scenetui.keyframes.models import PICTURE_MODELS, UNI_MODELS

if TYPE_CHECKING:
    from scenetui.backends.luma.photon import KeyframeJob
    from scenetui.keyframes.pictures import Bucketed
    from scenetui.config import Settings
    from scenetui.domain import AIScript
    from scenetui.engine.costs import SpendEstimate
    from scenetui.engine.journal import Attempt
    from scenetui.storage.workspace import Workspace



class PictureMaker(Protocol):
    """What a session needs of a model's maker (PhotonKeyframes, UniKeyframes)."""

    sid: str
    run_id: int | None
    backend: str

    def already_made(self, job: KeyframeJob) -> Path | None: ...
    def doubted(self, job: KeyframeJob) -> Attempt | None: ...
    async def prepare(self, jobs: list[KeyframeJob]) -> None: ...
    async def start_source(self, ref: str) -> Any: ...
    async def make(self, job: KeyframeJob, start: Any) -> tuple[Path, Any]: ...


def default_picture_model(script: AIScript) -> str:
    """uni-1 for a script rendered on Luma's current API (one key for both), else Photon."""
    return "uni-1" if script.video.api == "agents" else "photon-1"


@dataclass
class PicturePlan:
    """What a run would do: pictures to pay for, pictures already paid (reused), ones in doubt, and the price."""

    jobs: list[KeyframeJob]
    reused: dict[tuple[int, str], Path]
    to_pay: list[KeyframeJob]
    price_cents: int
    balance_cents: float | None = None
    made: list[dict[str, object]] = field(default_factory=list)

    model: str = ""
    in_doubt: list[KeyframeJob] = field(default_factory=list)  # sent once, answer lost: not sent again
    resubmitting: list[KeyframeJob] = field(default_factory=list)  # in doubt, and paid again as asked
    balance_offered: bool = True

    @property
    def cents(self) -> int:
        return self.price_cents * len(self.to_pay)

    def estimate(self, cap_cents: int | None = None) -> SpendEstimate:
        """The plan in the one estimate type every paid action is confirmed with (with the run's cap, if any)."""
        from scenetui.engine.costs import SpendEstimate

        return SpendEstimate(len(self.to_pay), self.price_cents, item="picture", model=self.model,
                             scenes=sorted({j.index for j in self.to_pay}), balance_cents=self.balance_cents,
                             cap_cents=cap_cents, reused=len(self.reused),
                             in_doubt=sorted({j.index for j in self.in_doubt}), balance_offered=self.balance_offered)


class PictureSession:
    """Client, journal and maker for one script's pictures; close it with `aclose`."""

    def __init__(self, path: Path, script: AIScript, settings: Settings, *, model: str, price_cents: int,
                 workspace: Workspace, luma_base_url: str | None = None, keyframe_base_url: str | None = None,
                 say: Callable[[str], None] = lambda text: None, bucket: Bucketed | None = None,
                 resubmit: bool = False) -> None:
        """`path`: the script file, or for a firestore: script (`bucket` given) the folder the pictures land in
        before they go to the bucket. `resubmit`: pay again for pictures in doubt."""
        from scenetui.build import BuildOptions, luma_client
        from scenetui.engine.journal import Journal

        self.path, self.script, self.bucket, self.resubmit = path, script, bucket, resubmit
        base = path if bucket is not None else path.parent
        opts = BuildOptions(backend="luma", luma_base_url=luma_base_url, keyframe_base_url=keyframe_base_url)
        self.journal: Journal = Journal(workspace.journal_path)
        bucket_url = bucket.signed_url if bucket is not None else None
        self.uni = model in UNI_MODELS
        self.maker: PictureMaker
        if self.uni:
            from scenetui.backends.luma_agents.images import UniKeyframes
            from scenetui.backends.luma_agents.refs import FileCache, KeyframeRefs

            self.client = luma_client(opts, settings, api="agents")
            refs = KeyframeRefs(self.client, FileCache(workspace.root / "luma-files.json"),
                                inline_max=settings.luma_inline_max_kb * 1024)
            self.maker = UniKeyframes(self.client, refs, self.journal, script, base, model=model,
                                      price_cents=price_cents, say=say, bucket_url=bucket_url, resubmit=resubmit)
        else:
            from scenetui.backends.luma.keyframes import NoKeyframeHost, PublishedFolderHost
            from scenetui.backends.luma.photon import PhotonKeyframes

            self.client = luma_client(opts, settings)
            base_url = keyframe_base_url or settings.keyframe_base_url
            host = PublishedFolderHost(base_url, base) if base_url else NoKeyframeHost()
            self.maker = PhotonKeyframes(self.client, self.journal, script, base, host, model=model,
                                         price_cents=price_cents, say=say, bucket_url=bucket_url)
        self.price, self.model = price_cents, model
        self._lock = asyncio.Lock()

    async def plan(self, jobs: list[KeyframeJob], *, balance: bool = True, reuse: bool = True) -> PicturePlan:
        """Checks that cost nothing (references, hosting or uploads), what is already paid, what is in doubt, and
        the Luma balance where the API has one. `reuse=False` (a new picture asked for) still picks up a paid
        generation that has not finished."""
        from scenetui.backends.luma.photon import slot

        maker = self.maker
        reused = {(j.index, j.which): p for j in jobs if reuse and (p := maker.already_made(j)) is not None}
        fresh = [j for j in jobs if (j.index, j.which) not in reused]
        doubted = [j for j in fresh if maker.doubted(j) is not None]
        to_pay = [j for j in fresh if self.journal.open_attempt(maker.sid, slot(j.index, j.which)) is None
                  or (self.resubmit and j in doubted)]
        await maker.prepare(to_pay)
        credit = None
        if to_pay and balance and not self.uni:
            credit = (await self.client.credits()).credit_balance
        return PicturePlan(jobs, reused, to_pay, self.price, credit, model=self.model,
                           in_doubt=[] if self.resubmit else doubted, balance_offered=not self.uni,
                           resubmitting=[j for j in to_pay if j in doubted])

    async def run(self, plan: PicturePlan, on_made: Callable[[KeyframeJob, str], Awaitable[None] | None] | None = None,
                  *, force: bool = False, parallel: int = 4) -> list[dict[str, object]]:
        """Make (or pick up) every planned picture; the script points at each as it arrives. Raises the first
        scene's UserError after the others finished."""
        from scenetui.keyframes.cards import FIELDS
        from scenetui.script.edit import set_scene_fields

        maker, path, script = self.maker, self.path, self.script
        maker.run_id = self.journal.start_run(maker.sid, maker.backend)
        gate = asyncio.Semaphore(parallel)

        async def record(job: KeyframeJob, picture: Path) -> None:
            async with self._lock:  # one writer of the script at a time
                if self.bucket is not None:
                    rel = await asyncio.to_thread(self.bucket.publish, job.index, FIELDS[job.which], picture)
                else:
                    rel = picture.relative_to(path.parent).as_posix()
                    await asyncio.to_thread(set_scene_fields, path, {job.index: {FIELDS[job.which]: rel}})
            plan.made.append({"scene": job.index, "which": job.which, "path": str(picture), "ref": rel})
            if on_made is not None:
                result = on_made(job, rel)
                if asyncio.iscoroutine(result):
                    await result

        async def scene(index: int) -> None:
            start: Any = None  # the start picture as the end keyframe's reference (a URL, or a local file)
            start_ref = script.scenes[index].start_keyframe
            async with gate:
                for job in [j for j in plan.jobs if j.index == index]:
                    if (index, job.which) in plan.reused:
                        await record(job, plan.reused[(index, job.which)])
                        continue
                    if job.which == "end" and start is None and start_ref and not force:
                        start = await maker.start_source(start_ref)
                    picture, made_as = await maker.make(job, start if job.which == "end" else None)
                    if job.which == "start":
                        start = made_as
                    await record(job, picture)

        results = await asyncio.gather(*(scene(i) for i in sorted({j.index for j in plan.jobs})), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        self.journal.finish_run(maker.run_id, 1 if errors else 0)
        for err in errors:
            if not isinstance(err, UserError):
                raise err
        if errors:
            raise errors[0]
        return plan.made

    async def aclose(self) -> None:
        await self.client.aclose()
        self.journal.close()


def image_price(model: str, price_table: Path | None) -> int:
    """Cents per picture for `model` (the defaults, or a price table's); a model with no known price is refused."""
    from scenetui.backends.luma.photon import DEFAULT_IMAGE_PRICES
    from scenetui.backends.luma_agents.images import DEFAULT_UNI_PRICES

    prices: dict[str, int] = {**DEFAULT_IMAGE_PRICES, **DEFAULT_UNI_PRICES}
    if price_table:
        from scenetui.engine.costs import PriceTable

        prices.update({k: int(v) for k, v in PriceTable.load(price_table).prices.items() if k in PICTURE_MODELS})
    if model not in prices:
        raise UserError(f"scenetui has no price for {model} pictures",
                        hint=f'pass --price-table FILE with {{"{model}": CENTS}} (Luma\'s pricing page has it)')
    return prices[model]
