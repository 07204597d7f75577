"""`scenetui keyframes --backend luma`: Luma pictures (Photon, or uni-1 on the current API) for the keyframes scenes
lack — estimated, confirmed, capped, journaled (never paid twice) and written into the script one by one as they
arrive."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.cli.common import confirmer, max_spend_cents
from scenetui.errors import EXIT_OK
from scenetui.headless.jsonout import emit

if TYPE_CHECKING:
    from scenetui.domain import AIScript
    from scenetui.keyframes.pictures import Bucketed
    from scenetui.storage.workspace import Workspace


async def luma_keyframes(args: argparse.Namespace, path: Path, script: AIScript, indices: list[int] | None,
                         bucket: Bucketed | None = None, workspace: Workspace | None = None) -> int:
    """Luma pictures for a script file (`path`), or with `bucket` for a firestore: script (`path` is then the
    workspace folder the pictures land in before they go to the bucket)."""
    from scenetui.backends.luma.photon import KeyframeJob
    from scenetui.config import load_settings
    from scenetui.keyframes.cards import wanted
    from scenetui.keyframes.luma import PictureSession, default_picture_model, image_price
    from scenetui.script.edit import check_writable
    from scenetui.storage.workspace import Workspace

    cap = max_spend_cents(args)
    settings = load_settings()
    model = args.model or default_picture_model(script)
    price = image_price(model, args.price_table)
    jobs = [KeyframeJob(i, which) for i, which in wanted(script, indices, args.force)]
    if not jobs:
        message = "every chosen scene already has both keyframes (use --force to make them again)"
        emit({"type": "summary", "made": [], "message": message}) if args.json else print(message)
        return EXIT_OK
    if bucket is None:
        check_writable(path)
    workspace = workspace or Workspace(args.workspace or Workspace.default_for(path))
    session = PictureSession(path, script, settings, model=model, price_cents=price, workspace=workspace,
                             luma_base_url=args.luma_base_url, keyframe_base_url=args.keyframe_base_url,
                             say=lambda text: print(text, file=sys.stderr), bucket=bucket, resubmit=args.resubmit)

    def made(job: KeyframeJob, rel: str) -> None:
        entry = {"scene": job.index, "which": job.which, "path": rel if bucket is not None else str(path.parent / rel)}
        if args.json:
            emit({"type": "keyframe_made", **entry})
        else:
            print(f"scene {job.index}: {job.which} keyframe → {rel}", flush=True)

    try:
        plan = await session.plan(jobs)
        if plan.to_pay:
            await confirmer(args, refuse_over_cap=True)(plan.estimate(cap))
        pictures = await session.run(plan, made, force=args.force)
    finally:
        await session.aclose()
    if args.json:
        emit({"type": "summary", "made": [{k: v for k, v in m.items() if k != "ref"} for m in pictures],
              "script": str(path)})
    else:
        print(f"{len(pictures)} keyframe(s) made with {model}; {path.name} now points at them")
    return EXIT_OK
