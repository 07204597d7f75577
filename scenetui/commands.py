"""The CLI commands: validate, status, render, demo, cancel."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import Any

from scenetui.build import BuildOptions, build_context, make_store, resolve_workspace
from scenetui.config import load_settings
from scenetui.control.snapshot import board_from_disk
from scenetui.demo import write_demo_script
from scenetui.domain.board import CANCELLED, DONE, FAILED, PAID
from scenetui.engine.context import RenderContext
from scenetui.engine.costs import ledger, total_spent, usd
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.render import RenderOptions, RenderPlan, plan_render, render
from scenetui.errors import EXIT_OK, UserError
from scenetui.headless.printer import make_printer
from scenetui.script.ref import ScriptRef
from scenetui.script.sources import load_ref
from scenetui.selection import parse_scenes
from scenetui.domain.units import human_size
from scenetui.headless.text import clean


_settings = load_settings  # the name the other command modules use
MAX_CONCURRENCY = 100  # scenes worked on at once; Luma's own in-flight limit is applied below this
MAX_RETRIES = 10


def build_options(args: argparse.Namespace) -> BuildOptions:
    max_spend = getattr(args, "max_spend", None)
    if max_spend is not None and not (math.isfinite(max_spend) and max_spend >= 0):
        raise UserError("--max-spend must be zero or more (US dollars)")
    retries = getattr(args, "retries", 1)
    if not 0 <= retries <= MAX_RETRIES:
        raise UserError(f"--retries must be from 0 to {MAX_RETRIES}")
    concurrency = getattr(args, "concurrency", None)
    if concurrency is not None and not 1 <= concurrency <= MAX_CONCURRENCY:
        raise UserError(f"--concurrency must be from 1 to {MAX_CONCURRENCY}")
    video = {k: v for k, v in (("model", getattr(args, "model", None)), ("resolution", getattr(args, "resolution", None)),
                               ("duration", getattr(args, "duration", None)), ("aspect_ratio", getattr(args, "aspect_ratio", None)))
             if v}
    return BuildOptions(
        backend=getattr(args, "backend", "animatic"), luma_base_url=getattr(args, "luma_base_url", None),
        keyframe_base_url=getattr(args, "keyframe_base_url", None), price_table=getattr(args, "price_table", None),
        max_spend_cents=None if max_spend is None else int(round(max_spend * 100)), retries=getattr(args, "retries", 1),
        video=video, storage=getattr(args, "storage", None) or "local", bucket=getattr(args, "bucket", None),
        user_id=getattr(args, "user_id", None), keyframe_host=getattr(args, "keyframe_host", None),
        verbose=getattr(args, "verbose", False),
    )


async def _confirm_spend(ctx: RenderContext, plan: RenderPlan, args: argparse.Namespace) -> None:
    """Say what this will cost and what the account holds; ask, unless --yes."""
    v = ctx.loaded.script.video
    price = ctx.prices.price(v.model, v.resolution, v.duration)
    new = plan.new_generations
    estimate = price * len(new)
    client = getattr(ctx.backend, "client", None)
    balance = (await client.credits()).credit_balance if client is not None else None
    lines = [f"Estimate: {len(new)} new generation(s) × {usd(price)} ({v.model} {v.resolution} {v.duration}) = {usd(estimate)}"]
    if plan.resuming:
        lines.append(f"Resuming {len(plan.resuming)} generation(s) already paid for: no new charge")
    if balance is not None:
        lines.append(f"Luma balance: {usd(balance)}")
    if ctx.budget.cap is not None:
        lines.append(f"Hard cap for this run (--max-spend): {usd(ctx.budget.cap)}")
    if args.json:
        print(json.dumps({"type": "estimate", "newGenerations": len(new), "priceCents": price, "estimateCents": estimate,
                          "balanceCents": balance, "resuming": plan.resuming, "capCents": ctx.budget.cap}), flush=True)
    else:
        print("\n".join(lines), file=sys.stderr)
    if not new:
        return
    if balance is not None and balance < estimate and not args.allow_low_balance:
        raise UserError(f"the Luma balance ({usd(balance)}) is below the estimate ({usd(estimate)})",
                        hint="add credits, render fewer scenes with --scenes, or pass --allow-low-balance")
    if args.yes:
        return
    if not sys.stdin.isatty():
        raise UserError(f"this render would spend about {usd(estimate)}", hint="pass --yes to confirm when not at a terminal")
    answer = input(f"Spend about {usd(estimate)}? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise UserError("cancelled; nothing was spent")


async def run_render(script_path: ScriptRef, workspace_arg: Path | None, args: argparse.Namespace,
                     scenes_arg: str | None = None, force: bool = False) -> int:
    settings = _settings()
    loaded_probe = load_ref(script_path, settings, getattr(args, "bucket", None))  # fail fast with the script's own problems before touching the disk
    workspace = resolve_workspace(script_path, workspace_arg, settings)
    scenes = parse_scenes(scenes_arg, len(loaded_probe.script.scenes)) if scenes_arg else None
    opts = build_options(args)
    # Luma's own in-flight limit is enforced by the backend; twice as many scene slots let downloads and
    # validation of finished clips overlap with the next generations instead of holding a Luma slot.
    default_concurrency = 2 * settings.luma_max_in_flight if opts.backend == "luma" else settings.concurrency
    concurrency = args.concurrency if args.concurrency is not None else default_concurrency
    if concurrency < 1:
        raise UserError("--concurrency must be at least 1")
    continuity = bool(getattr(args, "continuity", False))
    if continuity and opts.backend != "luma":
        raise UserError("--continuity chains Luma generations", hint="use it with --backend luma")
    ctx = build_context(script_path, workspace, opts, settings, loaded=loaded_probe)  # validated once
    ctx.continuity = continuity
    labels = {i: s.label(i) for i, s in enumerate(ctx.loaded.script.scenes)}
    printer = make_printer(json_mode=args.json, labels=labels)
    for w in ctx.loaded.warnings:
        print(f"warning: {w}", file=sys.stderr)
    # Scene N starts from scene N-1's generation, so scenes go one after the other.
    options = RenderOptions(scenes=scenes, concurrency=1 if continuity else concurrency, force=force,
                            assemble=not getattr(args, "no_assemble", False))
    try:
        with RenderLock(workspace.lock_path(ctx.script_id)):
            workspace.remember_script(ctx.script_id, script_path)
            plan = await plan_render(ctx, options)
            if ctx.backend.paid and plan.todo:
                await _confirm_spend(ctx, plan, args)
            ctx.bus.subscribe(printer)
            summary = await render(ctx, options, plan)
    finally:
        printer.close()
        await ctx.backend.aclose()
        lines = ledger(ctx.journal.attempts(ctx.script_id)) if ctx.backend.paid else []
        ctx.journal.close()
    if args.json:
        out = summary.to_json()
        if ctx.backend.paid:
            out["ledger"] = [line.__dict__ for line in lines]
            out["spentThisRunCents"] = ctx.budget.spent
        print(json.dumps(out))
    elif ctx.backend.paid:
        _print_ledger(lines, ctx.budget.spent)
    return summary.exit_code


def _print_ledger(lines: list, spent_this_run: int | None = None) -> None:
    if not lines:
        return
    print("Ledger (every paid generation):")
    for line in lines:
        refund = " refunded" if line.refunded else ""
        print(f"  scene {line.scene_index:>3}  {line.remote_id or '(not confirmed)':<36}  {line.model or '':<11} "
              f"{usd(line.cents):>8}  {line.outcome}{refund}")
    tail = f"; this run {usd(spent_this_run)}" if spent_this_run is not None else ""
    print(f"Total spent in this workspace: {usd(total_spent(lines))}{tail}")


async def render_cmd(args: argparse.Namespace) -> int:
    return await run_render(args.script, args.workspace, args, args.scenes, args.force)


def _write_sample(args: argparse.Namespace) -> tuple[Path, Path]:
    """The bundled sample script written into the demo workspace: (script path, workspace root)."""
    root = args.workspace.expanduser().resolve()
    try:
        return write_demo_script(root / "sample"), root
    except OSError as exc:
        raise UserError(f"cannot write the sample into {root} ({exc.strerror})", hint="choose another --workspace") from exc


async def demo_cmd(args: argparse.Namespace) -> int:
    script_path, root = _write_sample(args)
    if not args.headless and not args.json:
        print("(not a terminal: running headless)", file=sys.stderr)
    return await run_render(script_path, root, args)


def demo_args(args: argparse.Namespace) -> argparse.Namespace:
    """Write the sample and turn `demo` into `open SAMPLE --workspace DIR` for the app."""
    script_path, root = _write_sample(args)
    return argparse.Namespace(**{**vars(args), "script": script_path, "workspace": root, "backend": "animatic"})


def _film(name: str) -> Any:
    async def run(args: argparse.Namespace) -> int:
        from scenetui import film_commands

        return await getattr(film_commands, name)(args)

    return run


RENDERERS: dict[str, Any] = {"render": render_cmd, "demo": demo_cmd, "export": _film("export_cmd"),
                             "compress": _film("compress_cmd")}


# The board's words for a scene, as `status --json` has always spelled them (the app's videoStatus names).
WIRE_STATUS = {DONE: "completed", PAID: "paid, pending", FAILED: "failed", CANCELLED: "cancelled"}


def status(args: argparse.Namespace) -> int:
    settings = _settings()
    opts = build_options(args)
    loaded = load_ref(args.script, settings, opts.bucket)
    workspace = resolve_workspace(args.script, args.workspace, settings)
    script = loaded.script
    store = make_store(loaded, workspace, opts, settings)
    doc = store.read_doc(script.id) if workspace.root.exists() else {"scenes": {}}
    journal = Journal.open_existing(workspace.journal_path)
    rows: list[dict[str, Any]] = []
    all_attempts = journal.attempts(script.id) if journal else []
    board = board_from_disk(loaded, store, journal)  # the same reading of the disk the app shows
    remote = store.remote_clips(script.id) if store.uploads else None  # type: ignore[attr-defined]
    for i, scene in enumerate(script.scenes):
        entry = doc.get("scenes", {}).get(str(i), {})
        attempts = [a for a in all_attempts if a.scene_index == i]
        last = attempts[-1] if attempts else None
        st = board.scenes[i]
        row = {
            "index": i, "title": scene.title, "status": WIRE_STATUS.get(st.status) or entry.get("videoStatus", "notStarted"),
            "clip": st.clip, "attempts": len(attempts), "remoteId": last.remote_id if last else None,
            "elapsed": round(last.updated_at - last.created_at, 1) if last else None,
            "error": entry.get("error") or (last.failure_reason if last else None),
            "metadata": entry.get("videoMetadata"),
        }
        if remote is not None:
            obj = remote.get(f"videos/scripts/{script.id}/scenes/{i}.mp4")
            row["storage"] = {"object": store.gs_uri(obj.name), "size": obj.size, "md5": obj.md5} if obj else None  # type: ignore[attr-defined]
        rows.append(row)
    final = store.final_path(script.id)
    lines = ledger(all_attempts)
    if journal:
        journal.close()
    if args.json:
        print(json.dumps({"scriptId": script.id, "workspace": str(workspace.root), "scenes": rows,
                          "final": str(final) if final.is_file() else None,
                          "ledger": [line.__dict__ for line in lines], "spentCents": total_spent(lines)}))
        return EXIT_OK
    print(clean(f"{script.id} — {script.title}  (workspace {workspace.root})"))
    for r in rows:
        extra = f"  {r['clip']}" if r["clip"] else (f"  — {r['error']}" if r["error"] else "")
        gen = f"  gen {r['remoteId']}" if r["remoteId"] else ""
        print(clean(f"  [{r['index']:>3}] {r['status']:<13} {r['title'][:30]:<30} attempts {r['attempts']}{gen}{extra}"))
        if remote is not None:
            obj = r["storage"]
            print(f"        Storage: {obj['object']} ({human_size(obj['size'])})" if obj else "        Storage: not uploaded")
    print(f"final film: {final}" if final.is_file() else "final film: not assembled yet")
    _print_ledger(lines)
    return EXIT_OK


def cancel(args: argparse.Namespace) -> int:
    """Ask a running render to cancel scenes (through the journal); optionally delete them at Luma too."""
    settings = _settings()
    loaded = load_ref(args.script, settings, getattr(args, "bucket", None))
    workspace = resolve_workspace(args.script, args.workspace, settings)
    journal = Journal.open_existing(workspace.journal_path)
    if journal is None:
        raise UserError(f"no render has run in {workspace.root}", hint="check --workspace")
    scenes = parse_scenes(args.scenes, len(loaded.script.scenes)) if args.scenes else [None]
    if not RenderLock.held(workspace.lock_path(loaded.script.id)):
        journal.close()
        raise UserError("no render of this script is running here",
                        hint="open generations are picked up by the next render; nothing to cancel")
    for index in scenes:
        journal.send_command(loaded.script.id, "cancel", index, delete_remote=bool(args.delete_remote))
    journal.close()
    what = "all scenes" if scenes == [None] else "scene(s) " + ", ".join(map(str, scenes))
    print(f"asked the running render to cancel {what}" + (" and delete them at Luma" if args.delete_remote else ""))
    return EXIT_OK
