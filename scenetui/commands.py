"""The CLI commands: validate, status, render, demo."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scenetui.build import build_context, resolve_workspace
from scenetui.config import Settings
from scenetui.demo import write_demo_script
from scenetui.engine.journal import Journal
from scenetui.engine.lock import RenderLock
from scenetui.engine.render import RenderOptions, render
from scenetui.errors import EXIT_OK, EXIT_USAGE, UserError
from scenetui.headless.printer import make_printer
from scenetui.scriptfile import check_script, load_script
from scenetui.selection import parse_scenes
from scenetui.storage.local import LocalStore


def _settings() -> Settings:
    try:
        return Settings()
    except Exception as exc:  # a bad env value or config file is bad input, not a crash
        first = str(exc).splitlines()
        raise UserError(f"bad configuration: {' '.join(first[:3])}", hint="check SCENETUI_* variables and the config file") from None


def validate(args: argparse.Namespace) -> int:
    script, problems = check_script(args.script)
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        print(json.dumps({"script": str(args.script), "valid": not errors and script is not None,
                          "problems": [{"location": p.location, "message": p.message, "severity": p.severity} for p in problems]}))
    else:
        for p in problems:
            print(f"{p.severity}: {p}", file=sys.stdout if p.severity == "warning" else sys.stderr)
        if not errors and script is not None:
            print(f"{args.script}: OK — {len(script.scenes)} scene(s), id {script.id}")
        else:
            print(f"{args.script}: {len(errors)} problem(s)", file=sys.stderr)
    return EXIT_OK if not errors and script is not None else EXIT_USAGE


async def run_render(script_path: Path, workspace_arg: Path | None, args: argparse.Namespace,
                     scenes_arg: str | None = None, force: bool = False) -> int:
    settings = _settings()
    loaded_probe = load_script(script_path)  # fail fast with the script's own problems before touching the disk
    workspace = resolve_workspace(script_path, workspace_arg, settings)
    scenes = parse_scenes(scenes_arg, len(loaded_probe.script.scenes)) if scenes_arg else None
    concurrency = args.concurrency or settings.concurrency
    if concurrency < 1:
        raise UserError("--concurrency must be at least 1")
    ctx = build_context(script_path, workspace, getattr(args, "backend", "animatic"), settings)
    labels = {i: s.label(i) for i, s in enumerate(ctx.loaded.script.scenes)}
    printer = make_printer(json_mode=args.json, labels=labels)
    ctx.bus.subscribe(printer)
    for w in ctx.loaded.warnings:
        print(f"warning: {w}", file=sys.stderr)
    try:
        with RenderLock(workspace.lock_path(ctx.script_id)):
            summary = await render(ctx, RenderOptions(scenes=scenes, concurrency=concurrency, force=force,
                                                      assemble=not getattr(args, "no_assemble", False)))
    finally:
        printer.close()
        ctx.journal.close()
    if args.json:
        print(json.dumps(summary.to_json()))
    return summary.exit_code


async def render_cmd(args: argparse.Namespace) -> int:
    return await run_render(args.script, args.workspace, args, args.scenes, args.force)


async def demo_cmd(args: argparse.Namespace) -> int:
    root = args.workspace.expanduser().resolve()
    try:
        script_path = write_demo_script(root / "sample")
    except OSError as exc:
        raise UserError(f"cannot write the sample into {root} ({exc.strerror})", hint="choose another --workspace") from exc
    if not args.headless and not args.json:
        print("(the interactive app is not built yet; running headless)", file=sys.stderr)
    return await run_render(script_path, root, args)


RENDERERS: dict[str, Any] = {"render": render_cmd, "demo": demo_cmd}


def status(args: argparse.Namespace) -> int:
    settings = _settings()
    loaded = load_script(args.script)
    workspace = resolve_workspace(args.script, args.workspace, settings)
    script = loaded.script
    store = LocalStore(workspace.root)
    doc = store.read_doc(script.id) if workspace.root.exists() else {"scenes": {}}
    journal = Journal(workspace.journal_path) if workspace.journal_path.exists() else None
    rows: list[dict[str, Any]] = []
    for i, scene in enumerate(script.scenes):
        entry = doc.get("scenes", {}).get(str(i), {})
        attempts = journal.attempts(script.id, i) if journal else []
        last = attempts[-1] if attempts else None
        clip = store.clip_path(script.id, i)
        rows.append({
            "index": i, "title": scene.title,
            "status": "completed" if clip.is_file() else entry.get("videoStatus", "notStarted"),
            "clip": str(clip) if clip.is_file() else None, "attempts": len(attempts),
            "remoteId": last.remote_id if last else None, "error": entry.get("error") or (last.failure_reason if last else None),
            "metadata": entry.get("videoMetadata"),
        })
    final = store.final_path(script.id)
    if journal:
        journal.close()
    if args.json:
        print(json.dumps({"scriptId": script.id, "workspace": str(workspace.root), "scenes": rows,
                          "final": str(final) if final.is_file() else None}))
        return EXIT_OK
    print(f"{script.id} — {script.title}  (workspace {workspace.root})")
    for r in rows:
        extra = f"  {r['clip']}" if r["clip"] else (f"  — {r['error']}" if r["error"] else "")
        print(f"  [{r['index']:>3}] {r['status']:<11} {r['title'][:30]:<30} attempts {r['attempts']}{extra}")
    print(f"final film: {final}" if final.is_file() else "final film: not assembled yet")
    return EXIT_OK if final.is_file() or rows else EXIT_USAGE
