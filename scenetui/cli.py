"""Entry points: parse arguments, build objects, run the headless printer or the terminal app."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from scenetui import __version__
from scenetui.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UserError

DESCRIPTION = """\
Turn an AI script (scenes with start and end keyframes) into one generated video per scene,
keep the clips safe, and assemble the final film.

Quick start:  scenetui demo --headless          render the bundled sample offline
              scenetui demo                     the same, in the terminal app
              scenetui SCRIPT                   open the app on a script (scene tree, preview, keep/delete)
              scenetui validate SCRIPT          list every problem in a script
              scenetui render SCRIPT            render what is not done yet, then assemble final.mp4
              scenetui watch WORKSPACE          follow a render running elsewhere, live
"""

EXIT_CODES = "exit codes: 0 all good, 1 some scenes failed, 2 bad input or usage, 130 interrupted"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line and exit 2, as for every other bad input
        self.exit(EXIT_USAGE, f"scenetui: error: {message} (see --help)\n")


def script_arg(text: str) -> object:
    """A script file path, or firestore:SCRIPT_ID."""
    from scenetui.scriptref import parse_script_ref

    try:
        return parse_script_ref(text)
    except UserError as exc:
        raise argparse.ArgumentTypeError(exc.line()) from None


SCRIPT_HELP = "a script file (JSON/TOML), or firestore:SCRIPT_ID for the document scripts/SCRIPT_ID in Firebase"


def firebase_args(p: argparse.ArgumentParser, *, storage: bool = True) -> None:
    fb = p.add_argument_group("firebase (credential: GOOGLE_APPLICATION_CREDENTIALS; project: GOOGLE_CLOUD_PROJECT; "
                              "emulators: FIRESTORE_EMULATOR_HOST + STORAGE_EMULATOR_HOST)")
    if storage:
        fb.add_argument("--storage", choices=["local", "firebase"],
                        help="where clips go: local (default for script files) or firebase (Cloud Storage + Firestore; "
                             "always for firestore: scripts)")
        fb.add_argument("--user-id", metavar="UID", help="owner uid carried by every upload (default: the script's userId)")
    fb.add_argument("--bucket", metavar="NAME", help="Cloud Storage bucket (default: SCENETUI_FIREBASE_BUCKET)")


def luma_money_args(p: argparse.ArgumentParser) -> None:
    """What a paid generation needs: consent, a cap, prices, the API and where keyframes are published."""
    money = p.add_argument_group("luma: money and keyframes")
    money.add_argument("--yes", "-y", action="store_true", help="do not ask before spending (the estimate is still printed)")
    money.add_argument("--max-spend", type=float, metavar="USD",
                       help="hard cap on what this run may spend, checked before every create (retries included)")
    money.add_argument("--allow-low-balance", action="store_true", help="go ahead even when the balance is below the estimate")
    money.add_argument("--price-table", type=Path, metavar="FILE", help='prices in US cents, JSON/TOML: {"ray-2/720p/5s": 90}')
    money.add_argument("--retries", type=int, default=1, metavar="N",
                       help="extra tries for a transient failure (Luma refunds failed generations; each try counts against --max-spend)")
    money.add_argument("--luma-base-url", metavar="URL", help="API base URL (default: LUMAAI_BASE_URL or Luma's)")
    money.add_argument("--keyframe-base-url", metavar="URL",
                       help="public URL where the script's folder is published; local keyframes are sent as URLs under it "
                            "(with Firebase storage they are hosted in the bucket and sent as signed URLs instead)")


def _common_render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", type=Path, metavar="DIR",
                   help="where clips, the journal and logs live (default: scenetui-workspace beside the script)")
    p.add_argument("--backend", default="animatic", choices=["animatic", "luma"],
                   help="video generator: animatic (offline, free; default) or luma (Ray 2, paid; needs LUMAAI_API_KEY)")
    p.add_argument("--concurrency", type=int, metavar="N",
                   help="scenes worked on at once (default 2; luma: 20, while at most 10 generations are in flight at Luma)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event and a final summary on stdout")
    p.add_argument("--no-assemble", action="store_true", help="render clips only; do not assemble final.mp4")
    video = p.add_argument_group("video settings (override the script's `video`)")
    video.add_argument("--model", choices=["ray-2", "ray-flash-2"])
    video.add_argument("--resolution", choices=["540p", "720p", "1080p", "4k"])
    video.add_argument("--duration", choices=["5s", "9s"])
    video.add_argument("--aspect-ratio", choices=["1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"])
    luma_money_args(p)
    firebase_args(p)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="scenetui", description=DESCRIPTION, epilog=EXIT_CODES,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"scenetui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="render the bundled sample script offline", epilog=EXIT_CODES,
                          description="Write the sample script 'The Lighthouse Keeper' (4 scenes, keyframes drawn on the "
                                      "spot) into the workspace, render it with the offline animatic generator and "
                                      "assemble final.mp4.")
    demo.add_argument("--headless", action="store_true", help="print progress instead of opening the app")
    demo.add_argument("--workspace", type=Path, metavar="DIR", default=Path("scenetui-demo"),
                      help="where to put the sample and its clips (default: ./scenetui-demo)")
    demo.add_argument("--json", action="store_true", help="print one JSON object per event")
    demo.add_argument("--concurrency", type=int, metavar="N", help="scenes rendered at once (default 2)")

    val = sub.add_parser("validate", help="check a script file and list every problem", epilog="exit 0 when clean, 2 when not",
                         description="Check a script (JSON or TOML): structure, ids, keyframe files (exist, are whole images), "
                                     "duplicate scenes. Every problem is listed with its location.")
    val.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    val.add_argument("--json", action="store_true", help="print the problems as a JSON object")
    firebase_args(val, storage=False)

    ren = sub.add_parser("render", help="render pending scenes and assemble the film", epilog=EXIT_CODES,
                         description="Render every scene that has no valid clip yet, then assemble final.mp4. Running it "
                                     "again does nothing already done; Ctrl-C stops cleanly and a rerun resumes.")
    ren.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ren.add_argument("--scenes", metavar="LIST", help="only these scenes, e.g. 0,2-3 (0-based)")
    ren.add_argument("--force", action="store_true", help="regenerate the selected scenes even when their clips are valid")
    ren.add_argument("--continuity", action="store_true",
                     help="luma: start each scene from the previous scene's generation instead of its own start keyframe "
                          "(smoother joins, same price; scenes then render one after another)")
    _common_render_args(ren)

    st = sub.add_parser("status", help="show each scene's state from the workspace",
                        description="Each scene's state, clip, attempts and last failure, read from the workspace.")
    st.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    st.add_argument("--workspace", type=Path, metavar="DIR")
    st.add_argument("--json", action="store_true", help="print a JSON object")
    firebase_args(st)

    ca = sub.add_parser("cancel", help="cancel scenes of a render running elsewhere",
                        description="Send a cancel to the render of SCRIPT running in this workspace (another terminal, tmux "
                                    "pane or service). Paid generations keep running at Luma and are picked up by the next "
                                    "render, unless --delete-remote deletes them.")
    ca.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ca.add_argument("--workspace", type=Path, metavar="DIR")
    ca.add_argument("--scenes", metavar="LIST", help="only these scenes (default: all)")
    ca.add_argument("--delete-remote", action="store_true", help="also delete the generations at Luma")
    firebase_args(ca, storage=False)

    ex = sub.add_parser("export", help="assemble the film: transitions, music, quality", epilog=EXIT_CODES,
                        description="Join every scene's clip in order into final.mp4 (and -o FILE). Transitions re-encode "
                                    "only about a second around each boundary; the rest is stream-copied. A scene's "
                                    "`transitionToNext` in the script wins over --transition. The previous film stays "
                                    "until the new one is whole; Ctrl-C leaves it intact.")
    ex.add_argument("script", type=script_arg, metavar="SCRIPT", help=SCRIPT_HELP)
    ex.add_argument("--workspace", type=Path, metavar="DIR")
    ex.add_argument("-o", "--output", type=Path, metavar="FILE", help="also write the film here (replaced when whole)")
    ex.add_argument("--transition", metavar="NAME[:SECONDS]",
                    help="between scenes: cut (default), dissolve, fadeblack, fadewhite, wipeleft, wiperight, slideleft, "
                         "circleopen, … (ffmpeg xfade names); seconds 0.5 by default, at most 1; or bridge: a Luma clip "
                         "generated from the last frame of each scene to the first of the next (paid; needs --backend luma)")
    ex.add_argument("--backend", default="animatic", choices=["animatic", "luma"], help="generator for bridge clips")
    ex.add_argument("--music", type=Path, metavar="FILE", help="soundtrack: looped or trimmed to the film, faded in and out")
    ex.add_argument("--music-volume", type=float, default=-6.0, metavar="DB", help="music level in dB (default -6)")
    ex.add_argument("--quality", choices=["high", "balanced", "small"],
                    help="re-encode the film once: high (CRF 18, slow), balanced (CRF 23), small (CRF 28); "
                         "default: keep the clips' own quality (no re-encode of the middles)")
    ex.add_argument("--timeline", type=Path, metavar="FILE.otio|FILE.edl",
                    help="also write the cut for an editor (OpenTimelineIO, or a CMX 3600 EDL for Resolve/Premiere)")
    ex.add_argument("--json", action="store_true", help="JSON lines: progress events and a final summary")
    firebase_args(ex)
    luma_money_args(ex)

    co = sub.add_parser("compress", help="re-encode a clip or film at a chosen quality",
                        description="The seed's compressVideo: H.264 yuv420p BT.709, +faststart, AAC when there is audio.")
    co.add_argument("file", type=Path, metavar="FILE")
    co.add_argument("-o", "--output", type=Path, metavar="OUT", help="default: FILE-QUALITY.mp4 beside it")
    co.add_argument("--quality", choices=["high", "balanced", "small"], default="balanced")
    co.add_argument("--json", action="store_true")

    from scenetui.interactive import add_interactive_parsers

    add_interactive_parsers(sub, _common_render_args)
    return parser


COMMANDS = ("demo", "validate", "render", "status", "cancel", "export", "compress", "open", "watch", "serve")


def _with_implicit_open(argv: list[str]) -> list[str]:
    """`scenetui SCRIPT …` means `scenetui open SCRIPT …`."""
    if argv and not argv[0].startswith("-") and argv[0] not in COMMANDS and (
            Path(argv[0]).suffix.lower() in (".json", ".toml") or argv[0].startswith("firestore:")):
        return ["open", *argv]
    return argv


def _run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run the coroutine; SIGINT, SIGTERM and SIGHUP cancel it cleanly (exit 130)."""

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
                raise SystemExit(EXIT_INTERRUPTED)

        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop)
        try:
            return await coro
        except asyncio.CancelledError:
            return EXIT_INTERRUPTED

    return asyncio.run(runner())


def _interactive_demo(args: argparse.Namespace) -> bool:
    return not args.headless and not args.json and sys.stdin.isatty() and sys.stdout.isatty()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_with_implicit_open(list(sys.argv[1:] if argv is None else argv)))
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from scenetui import commands

    try:
        if args.command == "validate":
            return commands.validate(args)
        if args.command == "status":
            return commands.status(args)
        if args.command == "cancel":
            return commands.cancel(args)
        if args.command in ("open", "watch", "serve") or (args.command == "demo" and _interactive_demo(args)):
            from scenetui import interactive

            if args.command == "demo":
                return interactive.open_cmd(commands.demo_args(args), autostart=True)
            return {"open": interactive.open_cmd, "watch": interactive.watch_cmd, "serve": interactive.serve_cmd}[args.command](args)
        return _run_async(commands.RENDERERS[args.command](args))
    except UserError as exc:
        if getattr(args, "json", False):
            print(json.dumps({"type": "error", "message": exc.line(), "exitCode": exc.exit_code}))
        print(f"scenetui: error: {exc.line()}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: the details go to the log, the user gets one line
        import logging

        from scenetui.logsetup import Redactor

        logging.getLogger("scenetui").exception("unexpected error")
        redact = Redactor([v for v in (os.environ.get("LUMAAI_API_KEY"),) if v])
        print(redact(f"scenetui: error: unexpected {type(exc).__name__}: {exc} — details are in the workspace log "
                     "(logs/scenetui.log); please report it"), file=sys.stderr)
        return EXIT_FAILED
