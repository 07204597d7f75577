"""Entry points: parse arguments, build objects, run the headless printer (the TUI arrives in tui/)."""

from __future__ import annotations

import argparse
import asyncio
import json
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
              scenetui validate SCRIPT          list every problem in a script
              scenetui render SCRIPT            render what is not done yet, then assemble final.mp4
"""

EXIT_CODES = "exit codes: 0 all good, 1 some scenes failed, 2 bad input or usage, 130 interrupted"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # one line and exit 2, as for every other bad input
        self.exit(EXIT_USAGE, f"scenetui: error: {message} (see --help)\n")


def _common_render_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workspace", type=Path, metavar="DIR",
                   help="where clips, the journal and logs live (default: scenetui-workspace beside the script)")
    p.add_argument("--backend", default="animatic", choices=["animatic"],
                   help="video generator (default: animatic, offline and free)")
    p.add_argument("--concurrency", type=int, metavar="N", help="scenes rendered at once (default 2)")
    p.add_argument("--json", action="store_true", help="print one JSON object per event and a final summary on stdout")
    p.add_argument("--no-assemble", action="store_true", help="render clips only; do not assemble final.mp4")


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
    val.add_argument("script", type=Path, metavar="SCRIPT")
    val.add_argument("--json", action="store_true", help="print the problems as a JSON object")

    ren = sub.add_parser("render", help="render pending scenes and assemble the film", epilog=EXIT_CODES,
                         description="Render every scene that has no valid clip yet, then assemble final.mp4. Running it "
                                     "again does nothing already done; Ctrl-C stops cleanly and a rerun resumes.")
    ren.add_argument("script", type=Path, metavar="SCRIPT")
    ren.add_argument("--scenes", metavar="LIST", help="only these scenes, e.g. 0,2-3 (0-based)")
    ren.add_argument("--force", action="store_true", help="regenerate the selected scenes even when their clips are valid")
    _common_render_args(ren)

    st = sub.add_parser("status", help="show each scene's state from the workspace",
                        description="Each scene's state, clip, attempts and last failure, read from the workspace.")
    st.add_argument("script", type=Path, metavar="SCRIPT")
    st.add_argument("--workspace", type=Path, metavar="DIR")
    st.add_argument("--json", action="store_true", help="print a JSON object")
    return parser


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    from scenetui import commands

    try:
        if args.command == "validate":
            return commands.validate(args)
        if args.command == "status":
            return commands.status(args)
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

        logging.getLogger("scenetui").exception("unexpected error")
        print(f"scenetui: error: unexpected {type(exc).__name__}: {exc} — details are in the workspace log "
              "(logs/scenetui.log); please report it", file=sys.stderr)
        return EXIT_FAILED
