"""Entry points: parse arguments, build objects, run the headless printer or the terminal app."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Coroutine
from typing import Any

from scenetui.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UserError
from scenetui.parsers import build_parser, with_implicit_open


def _run_async(coro: Coroutine[Any, Any, int]) -> int:
    """Run the coroutine; SIGINT, SIGTERM and SIGHUP cancel it cleanly (exit 130)."""

    import asyncio
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


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command, importing only what it uses (validate and --help must start fast)."""
    if args.command == "validate":
        from scenetui.check_commands import validate

        return validate(args)
    if args.command == "keyframes":
        from scenetui.keyframe_commands import keyframes_cmd

        return keyframes_cmd(args)
    if args.command in ("doctor", "config", "logs", "stats"):
        from scenetui import operator_commands

        return {"doctor": operator_commands.doctor_cmd, "config": operator_commands.config_cmd,
                "logs": operator_commands.logs_cmd, "stats": operator_commands.stats_cmd}[args.command](args)
    from scenetui import commands

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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(with_implicit_open(list(sys.argv[1:] if argv is None else argv)))
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _dispatch(args)
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
