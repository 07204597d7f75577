"""One run of Luma Photon keyframes for a script file, shared by `scenetui keyframes --backend luma` and the app
(`k` on a paid backend, `K` for one picture): plan (checks, reuse, estimate) before anything is spent, then make
the pictures — each written into the script as soon as it exists."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.errors import UserError

if TYPE_CHECKING:
    from scenetui.backends.luma.photon import KeyframeJob, PhotonKeyframes
    from scenetui.keyframes.pictures import Bucketed
    from scenetui.config import Settings
    from scenetui.domain import AIScript
    from scenetui.engine.costs import SpendEstimate
    from scenetui.engine.journal import Journal


@dataclass
class PhotonPlan:
    """What a run would do: pictures to pay for, pictures already paid (reused), and the price."""

    jobs: list[KeyframeJob]
    reused: dict[tuple[int, str], Path]
    to_pay: list[KeyframeJob]
    price_cents: int
    balance_cents: float | None = None
    made: list[dict[str, object]] = field(default_factory=list)

    model: str = ""

    @property
    def cents(self) -> int:
        return self.price_cents * len(self.to_pay)

    def estimate(self, cap_cents: int | None = None) -> SpendEstimate:
        """The plan in the one estimate type every paid action is confirmed with (with the run's cap, if any)."""
        from scenetui.engine.costs import SpendEstimate

        return SpendEstimate(len(self.to_pay), self.price_cents, item="picture", model=self.model,
                             scenes=sorted({j.index for j in self.to_pay}), balance_cents=self.balance_cents,
                             cap_cents=cap_cents, reused=len(self.reused))


class PhotonSession:
    """Client, host, journal and maker for one script; close it with `aclose`."""

    def __init__(self, path: Path, script: AIScript, settings: Settings, *, model: str, price_cents: int,
                 journal_path: Path, luma_base_url: str | None = None, keyframe_base_url: str | None = None,
                 say: Callable[[str], None] = lambda text: None, bucket: Bucketed | None = None) -> None:
        """`path`: the script file, or for a firestore: script (`bucket` given) the folder the pictures land in
        before they go to the bucket."""
        from scenetui.backends.luma.keyframes import NoKeyframeHost, PublishedFolderHost
        from scenetui.backends.luma.photon import PhotonKeyframes
        from scenetui.build import BuildOptions, luma_client
        from scenetui.engine.journal import Journal

        self.path, self.script, self.bucket = path, script, bucket
        base = path if bucket is not None else path.parent
        opts = BuildOptions(backend="luma", luma_base_url=luma_base_url, keyframe_base_url=keyframe_base_url)
        self.client = luma_client(opts, settings)
        base_url = keyframe_base_url or settings.keyframe_base_url
        host = PublishedFolderHost(base_url, base) if base_url else NoKeyframeHost()
        self.journal: Journal = Journal(journal_path)
        self.maker: PhotonKeyframes = PhotonKeyframes(self.client, self.journal, script, base, host,
                                                      model=model, price_cents=price_cents, say=say,
                                                      bucket_url=bucket.signed_url if bucket is not None else None)
        self.price, self.model = price_cents, model
        self._lock = asyncio.Lock()

    async def plan(self, jobs: list[KeyframeJob], *, balance: bool = True, reuse: bool = True) -> PhotonPlan:
        """Checks that cost nothing (references, hosting), what is already paid, and the Luma balance. `reuse=False`
        (a new picture asked for) still picks up a paid generation that has not finished."""
        from scenetui.backends.luma.photon import slot

        reused = {(j.index, j.which): p for j in jobs if reuse and (p := self.maker.already_made(j)) is not None}
        to_pay = [j for j in jobs if (j.index, j.which) not in reused
                  and self.journal.open_attempt(self.maker.sid, slot(j.index, j.which)) is None]
        for job in to_pay:
            await self.maker.check(job)
        credit = (await self.client.credits()).credit_balance if to_pay and balance else None
        return PhotonPlan(jobs, reused, to_pay, self.price, credit, model=self.model)

    async def run(self, plan: PhotonPlan, on_made: Callable[[KeyframeJob, str], Awaitable[None] | None] | None = None,
                  *, force: bool = False, parallel: int = 4) -> list[dict[str, object]]:
        """Make (or pick up) every planned picture; the script points at each as it arrives. Raises the first
        scene's UserError after the others finished."""
        from scenetui.keyframes.cards import FIELDS
        from scenetui.script.edit import set_scene_fields

        maker, path, script = self.maker, self.path, self.script
        maker.run_id = self.journal.start_run(maker.sid, "luma-photon")
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
            start_url: str | None = None
            start_ref = script.scenes[index].start_keyframe
            async with gate:
                for job in [j for j in plan.jobs if j.index == index]:
                    if (index, job.which) in plan.reused:
                        await record(job, plan.reused[(index, job.which)])
                        continue
                    if job.which == "end" and start_url is None and start_ref and not force:
                        try:
                            start_url = await maker._url(start_ref)
                        except UserError:
                            start_url = None  # a local start keyframe with nowhere to publish it: no image_ref
                    picture, url = await maker.make(job, start_url if job.which == "end" else None)
                    if job.which == "start":
                        start_url = url
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
    """Cents per picture for `model` (the defaults, or a price table's)."""
    from scenetui.backends.luma.photon import DEFAULT_IMAGE_PRICES

    prices = dict(DEFAULT_IMAGE_PRICES)
    if price_table:
        from scenetui.engine.costs import PriceTable

        prices.update({k: v for k, v in PriceTable.load(price_table).prices.items() if k in prices})
    return prices[model]
