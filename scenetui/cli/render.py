"""`render` and `demo`: the flags turned into a render request for the render service, progress printed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scenetui.build import BuildOptions, api_for, resolve_workspace
from scenetui.cli.common import build_options, confirmer, print_ledger, settings as load_settings
from scenetui.cli.demo import write_demo_script
from scenetui.config import Settings
from scenetui.cli.selection import check_takes, parse_scenes
from scenetui.engine.render import RenderOptions
from scenetui.errors import UserError
from scenetui.headless.printer import make_printer
from scenetui.jobs.render import RenderRequest, run_render
from scenetui.ops.notify import Notify, check_notify, send
from scenetui.script.file import LoadedScript
from scenetui.script.ref import ScriptRef
from scenetui.script.sources import load_ref
from scenetui.headless.jsonout import emit


async def render_script(script: ScriptRef, workspace_arg: Path | None, args: argparse.Namespace,
                        scenes_arg: str | None = None, force: bool = False) -> int:
    """Render SCRIPT as the flags say: estimate and ask first on a paid backend, progress on stderr (or JSON)."""
    settings = load_settings()
    notify = check_notify(getattr(args, "notify_cmd", None), getattr(args, "notify_url", None))
    loaded = load_ref(script, settings, getattr(args, "bucket", None))  # the script's own problems before the disk
    workspace = resolve_workspace(script, workspace_arg, settings)
    scenes = parse_scenes(scenes_arg, len(loaded.script.scenes)) if scenes_arg else None
    opts = build_options(args)
    # Luma's own in-flight limit is enforced by the backend; twice as many scene slots let downloads and
    # validation of finished clips overlap with the next generations instead of holding a Luma slot.
    default_concurrency = settings.luma_at_once if opts.backend == "luma" else settings.concurrency
    concurrency = args.concurrency if args.concurrency is not None else default_concurrency
    continuity = bool(getattr(args, "continuity", False))
    if continuity and opts.backend != "luma":
        raise UserError("--continuity chains Luma generations", hint="use it with --backend luma")
    if continuity and api_for(loaded, opts) == "agents" and (opts.video.get("duration") or loaded.script.video.duration) == "10s":
        raise UserError("--continuity cannot be used with 10s ray-3.2 clips (Luma extends 5s clips only)",
                        hint="use 5s, or render without --continuity")
    takes = check_takes(args.takes) if getattr(args, "takes", None) is not None else None
    draft, final = bool(getattr(args, "draft", False)), bool(getattr(args, "final", False))
    audio_only = getattr(args, "command", None) == "audio"
    audio = audio_only or bool(getattr(args, "audio", False))
    passes = [name for name, on in (("--takes", takes is not None), ("--draft", draft), ("--final", final),
                                    ("--continuity", continuity), ("--audio", audio)) if on]
    if len(passes) > 1:
        raise UserError(f"{' and '.join(passes)} cannot be used together",
                        hint="one kind of pass a render: takes, drafts, finals, sound, or a continuous chain")
    if audio:
        _check_sound(loaded, opts)
    for w in loaded.warnings:
        print(f"warning: {w}", file=sys.stderr)
    # Scene N starts from scene N-1's generation, so scenes go one after the other.
    options = RenderOptions(scenes=scenes, concurrency=1 if continuity else concurrency, force=force,
                            assemble=not getattr(args, "no_assemble", False), takes=takes, draft=draft, final=final,
                            audio=audio, audio_only=audio_only)
    resubmit = set(parse_scenes(args.resubmit, len(loaded.script.scenes))) if getattr(args, "resubmit", None) else set()
    request = RenderRequest(script, workspace, opts, options, continuity=continuity, loaded=loaded, resubmit=resubmit)
    if getattr(args, "dry_run", False):
        return await _dry_run(request, settings, args)
    printer = make_printer(json_mode=args.json, labels={i: s.label(i) for i, s in enumerate(loaded.script.scenes)})
    try:
        result = await run_render(request, settings, confirm=confirmer(args), listeners=(printer,),
                                  close_requests=False)
    except UserError as exc:  # the cap reached, the account empty, …: the person waiting is told that too
        if notify.wanted:
            await _tell(notify, {"type": "error", "scriptId": loaded.script.id, "message": exc.line(),
                                 "exitCode": exc.exit_code})
        raise
    finally:
        printer.close()
    out = result.summary.to_json()
    if result.paid:
        out["ledger"] = [line.__dict__ for line in result.ledger]
        out["spentThisRunCents"] = result.spent_this_run
    if args.json:
        emit(out)
    elif result.paid:
        print_ledger(result.ledger, result.spent_this_run)
    sys.stdout.flush()
    result.close_requests()  # after the summary: a kill before this leaves the request to be found made
    if notify.wanted:
        await _tell(notify, out)
    return result.summary.exit_code


async def _tell(notify: Notify, summary: dict[str, object]) -> None:
    for warning in await send(notify, summary):
        print(f"warning: {warning}", file=sys.stderr)


def _check_sound(loaded: LoadedScript, opts: BuildOptions) -> None:
    """Luma's sound is made on its Dream Machine API (ray-2, ray-flash-2): anywhere else, say so and do nothing."""
    if api_for(loaded, opts) == "agents":
        raise UserError("ray-3.2 makes no sound: Luma's current API has no audio for its generations; nothing was done",
                        hint="render the script with ray-2 for Luma's sound, or give the clips sound yourself "
                             "(export keeps a clip's own audio)")
    if opts.backend != "luma":
        raise UserError("scene sound is made by Luma: the offline animatic generator makes none",
                        hint="use --backend luma with a ray-2 script (LUMAAI_API_KEY)")


async def _dry_run(request: RenderRequest, settings: Settings, args: argparse.Namespace) -> int:
    """Print what a render would send and pay, per scene; send nothing."""
    from scenetui.domain.units import usd
    from scenetui.headless.text import clean
    from scenetui.jobs.preview import preview_render

    preview = await preview_render(request, settings)
    if args.json:
        for scene in preview.scenes:
            emit(scene.to_json())
        emit({**preview.estimate.to_json(), "type": "dryRunSummary", "done": preview.done})
        return 0
    for scene in preview.scenes:
        price = f", {usd(scene.price_cents)}" if scene.action == "create" else ""
        take = f" (take {scene.take})" if scene.take is not None else ""
        print(clean(f"scene {scene.index}{take} — {scene.action}{price}"))
        for line in json.dumps(scene.request, indent=2, ensure_ascii=False).splitlines():
            print(clean("    " + line))
    if preview.done:
        print(f"already done (not rendered): scene(s) {', '.join(map(str, preview.done))}")
    if preview.estimate.paid:
        print("\n".join(preview.estimate.lines()))
    print("dry run: nothing was sent and nothing was paid")
    return 0


async def render_cmd(args: argparse.Namespace) -> int:
    return await render_script(args.script, args.workspace, args, args.scenes, args.force)


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
    return await render_script(script_path, root, args)


def demo_args(args: argparse.Namespace) -> argparse.Namespace:
    """Write the sample and turn `demo` into `open SAMPLE --workspace DIR` for the app."""
    script_path, root = _write_sample(args)
    return argparse.Namespace(**{**vars(args), "script": script_path, "workspace": root, "backend": "animatic"})
