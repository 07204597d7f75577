"""`scenetui keyframes --backend luma`: Photon pictures for the keyframes scenes lack — estimated, confirmed,
capped, journaled (never paid twice) and written into the script one by one as they arrive."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.errors import EXIT_OK, UserError

if TYPE_CHECKING:
    from scenetui.domain import AIScript


def _price(args: argparse.Namespace) -> int:
    from scenetui.backends.luma.photon import DEFAULT_IMAGE_PRICES

    prices = dict(DEFAULT_IMAGE_PRICES)
    if args.price_table:
        from scenetui.engine.costs import PriceTable

        prices.update({k: v for k, v in PriceTable.load(args.price_table).prices.items() if k in prices})
    return prices[args.model]


def _confirm(args: argparse.Namespace, count: int, cents: int, balance: float | None) -> None:
    from scenetui.engine.costs import usd

    line = f"Estimate: {count} picture(s) × {usd(cents // max(1, count))} ({args.model}) = {usd(cents)}"
    if balance is not None:
        line += f"; Luma balance {usd(balance)}"
    if args.max_spend is not None and cents > round(args.max_spend * 100):
        raise UserError(f"{line}, over --max-spend {usd(round(args.max_spend * 100))}", hint="raise the cap or choose fewer scenes")
    if args.json:
        print(json.dumps({"type": "estimate", "pictures": count, "estimateCents": cents}), flush=True)
    else:
        print(line, flush=True)
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise UserError("this spends money; confirm with --yes", hint="the estimate is above")
    if input("Go ahead? [y/N] ").strip().lower() not in ("y", "yes"):
        raise UserError("nothing was spent", hint="run again and answer y, or pass --yes")


async def luma_keyframes(args: argparse.Namespace, path: Path, script: AIScript, indices: list[int] | None) -> int:
    from scenetui.backends.luma.keyframes import NoKeyframeHost, PublishedFolderHost
    from scenetui.backends.luma.photon import KeyframeJob, PhotonKeyframes, slot
    from scenetui.build import BuildOptions, _luma_client
    from scenetui.config import load_settings
    from scenetui.engine.journal import Journal
    from scenetui.keyframe_commands import FIELDS, wanted
    from scenetui.scriptedit import check_writable, set_scene_fields
    from scenetui.workspace import Workspace

    if args.max_spend is not None and not args.max_spend >= 0:
        raise UserError("--max-spend must be zero or more (US dollars)")
    settings = load_settings()
    jobs = [KeyframeJob(i, which) for i, which in wanted(script, indices, args.force)]
    if not jobs:
        message = "every chosen scene already has both keyframes (use --force to make them again)"
        print(json.dumps({"type": "summary", "made": [], "message": message}) if args.json else message)
        return EXIT_OK
    check_writable(path)
    opts = BuildOptions(backend="luma", luma_base_url=args.luma_base_url, keyframe_base_url=args.keyframe_base_url)
    client = _luma_client(opts, settings)
    base_url = args.keyframe_base_url or settings.keyframe_base_url
    host = PublishedFolderHost(base_url, path.parent) if base_url else NoKeyframeHost()
    workspace = Workspace(args.workspace or Workspace.default_for(path))
    journal = Journal(workspace.journal_path)
    price = _price(args)
    made: list[dict[str, object]] = []
    try:
        maker = PhotonKeyframes(client, journal, script, path.parent, host, model=args.model, price_cents=price,
                                say=lambda text: print(text, file=sys.stderr))
        reused = {(j.index, j.which): p for j in jobs if (p := maker.already_made(j)) is not None}
        to_pay = [j for j in jobs if (j.index, j.which) not in reused
                  and journal.open_attempt(maker.sid, slot(j.index, j.which)) is None]
        for job in to_pay:
            await maker.check(job)
        if to_pay:
            balance = (await client.credits()).credit_balance
            _confirm(args, len(to_pay), price * len(to_pay), balance)
        maker.run_id = journal.start_run(maker.sid, "luma-photon")
        gate = asyncio.Semaphore(4)
        lock = asyncio.Lock()

        async def record(job: KeyframeJob, picture: Path) -> None:
            rel = picture.relative_to(path.parent).as_posix()
            async with lock:  # one writer of the script file at a time; each picture is in it as soon as it exists
                await asyncio.to_thread(set_scene_fields, path, {job.index: {FIELDS[job.which]: rel}})
            made.append({"scene": job.index, "which": job.which, "path": str(picture)})
            print(json.dumps({"type": "keyframe_made", **made[-1]}) if args.json else
                  f"scene {job.index}: {job.which} keyframe → {rel}", flush=True)

        async def scene(index: int) -> None:
            start_url: str | None = None
            start_ref = script.scenes[index].start_keyframe
            async with gate:
                for job in [j for j in jobs if j.index == index]:
                    if (index, job.which) in reused:
                        await record(job, reused[(index, job.which)])
                        continue
                    if job.which == "end" and start_url is None and start_ref and not args.force:
                        try:
                            start_url = await maker._url(start_ref)
                        except UserError:
                            start_url = None  # a local start keyframe with nowhere to publish it: no image_ref
                    picture, url = await maker.make(job, start_url if job.which == "end" else None)
                    if job.which == "start":
                        start_url = url
                    await record(job, picture)

        results = await asyncio.gather(*(scene(i) for i in sorted({j.index for j in jobs})), return_exceptions=True)
        errors = [r for r in results if isinstance(r, BaseException)]
        journal.finish_run(maker.run_id, 1 if errors else 0)
        for err in errors:
            if not isinstance(err, UserError):
                raise err
        if errors:
            raise errors[0]  # type: ignore[misc]
    finally:
        await client.aclose()
        journal.close()
    if args.json:
        print(json.dumps({"type": "summary", "made": made, "script": str(path)}))
    else:
        print(f"{len(made)} keyframe(s) made with {args.model}; {path.name} now points at them")
    return EXIT_OK
