"""What every command shares: the settings, the build options from the flags, running a coroutine with clean
signal handling, asking before money is spent, and printing the ledger."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from scenetui.errors import EXIT_INTERRUPTED, UserError
from scenetui.headless.jsonout import emit

if TYPE_CHECKING:
    from scenetui.build import BuildOptions
    from scenetui.config import Settings
    from scenetui.engine.costs import LedgerLine, SpendEstimate

MAX_CONCURRENCY = 100  # scenes worked on at once; Luma's own in-flight limit is applied below this
MAX_RETRIES = 10


def settings() -> Settings:
    """The effective settings (pydantic-settings is imported only by the commands that need them)."""
    from scenetui.config import load_settings
    from scenetui.logsetup import remember_secrets

    loaded = load_settings()
    remember_secrets(loaded.secrets())  # the last-resort handler redacts a key from the config file too
    return loaded


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run the coroutine; SIGINT, SIGTERM and SIGHUP cancel it cleanly (exit 130), a second one forces the exit."""
    import asyncio
    import os
    import signal

    async def runner() -> int:
        task = asyncio.current_task()
        loop = asyncio.get_running_loop()
        assert task is not None
        hits = 0

        def stop() -> None:
            nonlocal hits
            hits += 1
            if hits == 1:
                print("\nStopping… finished clips are kept (Ctrl-C again to force)", file=sys.stderr)
                task.cancel()
            else:
                # Forced: a worker thread stuck in a read (a pipe, a hung mount) would keep SystemExit waiting for
                # it at exit. The journal is safe against kill -9, so this is safe too.
                print("forced to stop", file=sys.stderr, flush=True)
                sys.stdout.flush()
                os._exit(EXIT_INTERRUPTED)

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop)
        try:
            return await coro
        except asyncio.CancelledError:
            return EXIT_INTERRUPTED

    return asyncio.run(runner())


def max_spend_cents(args: argparse.Namespace) -> int | None:
    """--max-spend in cents; refused when it is not a finite amount of zero or more."""
    max_spend = getattr(args, "max_spend", None)
    if max_spend is None:
        return None
    if not (math.isfinite(max_spend) and max_spend >= 0):
        raise UserError("--max-spend must be zero or more (US dollars)")
    return int(round(max_spend * 100))


def build_options(args: argparse.Namespace) -> BuildOptions:
    """The flags every render-like command shares, checked, as BuildOptions."""
    from scenetui.build import BuildOptions

    cap = max_spend_cents(args)
    retries = getattr(args, "retries", 1)
    if not 0 <= retries <= MAX_RETRIES:
        raise UserError(f"--retries must be from 0 to {MAX_RETRIES}")
    concurrency = getattr(args, "concurrency", None)
    if concurrency is not None and not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UserError(f"--concurrency must be from 1 to {MAX_CONCURRENCY}")
    account = settings()
    at_once = account.luma_at_once
    if concurrency is not None and getattr(args, "backend", "animatic") == "luma" and concurrency > at_once:
        raise UserError(f"--concurrency {concurrency} is more scenes than a Luma render works on at once with this "
                        f"account: {at_once} ({account.luma_max_in_flight} generations in flight, and as many "
                        "scenes again fetching clips)",
                        hint=f"use --concurrency {at_once} or fewer, or raise SCENETUI_LUMA_MAX_IN_FLIGHT if your "
                             "Luma plan holds more generations at once")
    video = {k: v for k, v in (("model", getattr(args, "model", None)), ("resolution", getattr(args, "resolution", None)),
                               ("duration", getattr(args, "duration", None)), ("aspect_ratio", getattr(args, "aspect_ratio", None)))
             if v}
    return BuildOptions(
        backend=getattr(args, "backend", "animatic"), luma_base_url=getattr(args, "luma_base_url", None),
        keyframe_base_url=getattr(args, "keyframe_base_url", None), price_table=getattr(args, "price_table", None),
        max_spend_cents=cap, retries=retries,
        video=video, storage=getattr(args, "storage", None) or "local", bucket=getattr(args, "bucket", None),
        user_id=getattr(args, "user_id", None), keyframe_host=getattr(args, "keyframe_host", None),
        verbose=getattr(args, "verbose", False),
    )


def confirmer(args: argparse.Namespace, *, refuse_over_cap: bool = False):  # noqa: ANN201 (returns a Confirm)
    """Say what this will cost and what the account holds, then ask — unless --yes; refuse below the balance
    (unless --allow-low-balance) and, for pictures, above --max-spend."""

    async def confirm(estimate: SpendEstimate) -> None:
        from scenetui.domain.units import usd

        if refuse_over_cap and estimate.over_cap:
            raise UserError(f"the estimate ({usd(estimate.cents)}) is over --max-spend {usd(estimate.cap_cents)}",
                            hint="raise the cap or choose fewer scenes")
        if args.json:
            emit(estimate.to_json())
        else:
            print("\n".join(estimate.lines()), file=sys.stderr, flush=True)
        if not estimate.count:
            return
        if estimate.below_balance and not getattr(args, "allow_low_balance", False):
            raise UserError(f"the Luma balance ({usd(estimate.balance_cents)}) is below the estimate ({usd(estimate.cents)})",
                            hint="add credits, choose fewer scenes with --scenes, or pass --allow-low-balance")
        if args.yes:
            return
        if not sys.stdin.isatty():
            raise UserError(f"this would spend about {usd(estimate.cents)}", hint="pass --yes to confirm when not at a terminal")
        answer = input(f"Spend about {usd(estimate.cents)}? [y/N] ").strip().lower()
        if answer not in ("y", "yes"):
            raise UserError("cancelled; nothing was spent")

    return confirm


def print_ledger(lines: list[LedgerLine], spent_this_run: int | None = None) -> None:
    """Every paid generation of the workspace, and what was spent in all (and in this run)."""
    from scenetui.domain.units import usd
    from scenetui.engine.costs import total_spent

    if not lines:
        return
    print("Ledger (every paid generation):")
    for line in lines:
        refund = " refunded" if line.refunded else ""
        print(f"  scene {line.scene_index:>3}  {line.remote_id or '(not confirmed)':<36}  {line.model or '':<11} "
              f"{usd(line.cents):>8}  {line.outcome}{refund}")
    tail = f"; this run {usd(spent_this_run)}" if spent_this_run is not None else ""
    print(f"Total spent in this workspace: {usd(total_spent(lines))}{tail}")
