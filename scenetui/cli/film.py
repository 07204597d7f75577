"""The film commands: `export` (transitions, music, quality, timeline) and `compress`."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import tempfile
from pathlib import Path

from scenetui.build import build_context, resolve_workspace
from scenetui.cli.common import build_options, confirmer, settings as _settings
from scenetui.domain.events import AssemblyProgress
from scenetui.domain.units import human_size
from scenetui.engine.film import check_output
from scenetui.engine.lock import RenderLock
from scenetui.errors import EXIT_OK, UserError
from scenetui.headless.printer import make_printer
from scenetui.media.ffmpeg import FFmpegError
from scenetui.media.soundtrack import Loudness, check_duck, check_loudness
from scenetui.script.sources import load_ref
from scenetui.safeopen import shared_mode
from scenetui.headless.jsonout import emit


async def export_cmd(args: argparse.Namespace) -> int:
    """Assemble the film with transitions, music and quality; the previous film stays until the new one is whole."""
    from scenetui.cli.common import print_ledger
    from scenetui.jobs.bridges import make_bridges
    from scenetui.engine.film import (ExportOptions, check_export_options, check_music_volume, export_film, gather_clips,
                                      scene_transitions)
    from scenetui.media.film import Music, parse_transition

    check_music_volume(args.music_volume)  # also when no music is given: a bad flag is bad input
    settings = _settings()
    burn = bool(getattr(args, "burn_subtitles", False))
    options = ExportOptions(
        transition=parse_transition(args.transition or "cut"),
        music=Music(args.music.expanduser(), args.music_volume) if args.music else None,
        quality=args.quality, output=args.output, timeline=args.timeline,
        subtitles=bool(getattr(args, "subtitles", False)) or burn, burn_subtitles=burn,
        duck=check_duck(args.duck), loudness=loudness_arg(args.loudness), clip_sound=not args.mute_clips)
    check_export_options(options)
    asked = build_options(args)
    opts = dataclasses.replace(asked, backend="none")  # the film's own context generates nothing
    loaded = load_ref(args.script, settings, opts.bucket)
    workspace = resolve_workspace(args.script, args.workspace, settings)
    if not workspace.root.is_dir():
        raise UserError(f"nothing rendered in {workspace.root} yet", hint=f"run: scenetui render {args.script}")
    ctx = build_context(args.script, workspace, opts, settings, loaded=loaded)
    printer = make_printer(json_mode=args.json, labels={})
    try:
        if RenderLock.held(workspace.lock_path(ctx.script_id)):
            raise UserError("a render of this script is running", hint="export when it has finished")
        joins = scene_transitions(ctx, options.transition)
        wanted = [i for i, t in enumerate(joins) if t.is_bridge]
        bridges = None
        if wanted:  # generated first, through a render of their own (its estimate, question and ledger)
            bridge_printer = make_printer(json_mode=args.json, labels={i: f"bridge {i}→{i + 1}" for i in wanted})
            try:
                bridges, made = await make_bridges(ctx, await gather_clips(ctx), wanted, asked, settings,
                                                   confirm=confirmer(args), listeners=(bridge_printer,))
            finally:
                bridge_printer.close()
            if args.json:  # the bridges' own render summary, as `render --json` prints it
                emit({**made.summary.to_json(), "type": "bridgesSummary", "ledger": [line.__dict__ for line in made.ledger],
                      "spentThisRunCents": made.spent_this_run})
            else:
                print_ledger(made.ledger, made.spent_this_run)
        ctx.bus.subscribe(printer)
        with RenderLock(workspace.lock_path(ctx.script_id)):
            ctx.bus.run_id = ctx.journal.start_run(ctx.script_id, "export")
            try:
                path, report = await export_film(ctx, options, bridges)
            finally:
                ctx.journal.finish_run(ctx.bus.run_id, 0)
    finally:
        printer.close()
        await ctx.backend.aclose()
        ctx.journal.close()
    loud = report.loudness
    if args.json:
        emit({"type": "summary", "final": path, "duration": report.duration, "method": report.method,
              "normalised": report.normalised, "notes": report.notes,
              "clipsWithSound": sum(report.voiced), "loudness": loud.to_wire() if loud else None,
              "exitCode": EXIT_OK})
    else:
        print(f"Film: {path} ({report.duration:.1f}s, {report.method})")
        if loud is not None:
            print(f"Sound: {loud.lufs:.1f} LUFS, true peak {loud.true_peak:.1f} dBTP (target {loud.target:g}; "
                  f"the mix measured {loud.measured_lufs:.1f} LUFS)")
    return EXIT_OK


def loudness_arg(text: str) -> Loudness | None:
    """--loudness: a target in LUFS, or off (None)."""
    if text.strip().lower() in ("off", "none"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"--loudness {text!r} is not a number", hint="give LUFS, e.g. -14 or -23, or off") from None
    return check_loudness(value)


async def compress_cmd(args: argparse.Namespace) -> int:
    """The seed's compressVideo: one clip or film re-encoded at a documented quality, written whole or not at all."""
    from scenetui.media.film import compress
    from scenetui.media.probe import InvalidClip, probe

    src = args.file.expanduser()
    try:
        await asyncio.to_thread(probe, src, headers_only=True)
    except InvalidClip as exc:
        raise UserError(f"{src} is not a video ({exc})") from None
    dest = (args.output or src.with_name(f"{src.stem}-{args.quality}.mp4")).expanduser()
    if dest.resolve() == src.resolve():
        raise UserError("the output would overwrite the input", hint="choose another -o")
    dest = check_output(dest)
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part.mp4")
    os.close(fd)
    printer = make_printer(json_mode=args.json, labels={})
    try:
        try:
            await compress(src, Path(tmp), args.quality, on_progress=lambda f: printer(AssemblyProgress(round(f, 4))))
        except FFmpegError as exc:  # PyAV read its headers, ffmpeg could not decode it
            raise UserError(f"{src.name} could not be re-encoded: it is damaged ({exc.summary(160)})",
                            hint=f"nothing was written to {dest}") from None
        os.chmod(tmp, shared_mode())
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
        printer.close()
    before, after = src.stat().st_size, dest.stat().st_size
    if args.json:
        emit({"type": "summary", "output": str(dest), "bytesBefore": before, "bytesAfter": after})
    else:
        print(f"{dest}: {human_size(after)} (was {human_size(before)}, {after / before:.0%})")
    return EXIT_OK
