"""Entry points: parse arguments, build objects, run the headless printer or the terminal app."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from scenetui.errors import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UserError

if TYPE_CHECKING:
    import argparse


def _interactive_demo(args: argparse.Namespace) -> bool:
    return not args.headless and not args.json and sys.stdin.isatty() and sys.stdout.isatty()


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command, importing only what it uses (validate and --help must start fast)."""
    if args.command == "validate":
        from scenetui.cli.validate import validate

        return validate(args)
    if args.command == "keyframes":
        from scenetui.cli.keyframes import keyframes_cmd

        return keyframes_cmd(args)
    if args.command == "takes":
        from scenetui.cli.takes import takes_cmd

        return takes_cmd(args)
    if args.command in ("doctor", "config", "logs", "stats"):
        from scenetui.cli import operator

        return {"doctor": operator.doctor_cmd, "config": operator.config_cmd,
                "logs": operator.logs_cmd, "stats": operator.stats_cmd}[args.command](args)
    if args.command in ("status", "cancel", "queue"):
        from scenetui.cli import status

        return {"status": status.status, "cancel": status.cancel, "queue": status.queue}[args.command](args)
    if args.command in ("mcp", "completion"):
        from scenetui.cli import programs

        return programs.mcp_cmd(args) if args.command == "mcp" else programs.completion_cmd(args)
    if args.command in ("open", "watch", "serve") or (args.command == "demo" and _interactive_demo(args)):
        from scenetui.cli import interactive

        if args.command == "demo":
            from scenetui.cli.render import demo_args

            return interactive.open_cmd(demo_args(args), autostart=True)
        return {"open": interactive.open_cmd, "watch": interactive.watch_cmd, "serve": interactive.serve_cmd}[args.command](args)
    from scenetui.cli.common import run_async

    if args.command in ("export", "compress"):
        from scenetui.cli import film

        return run_async(film.export_cmd(args) if args.command == "export" else film.compress_cmd(args))
    from scenetui.cli import render

    return run_async(render.render_cmd(args) if args.command in ("render", "audio") else render.demo_cmd(args))


def main(argv: list[str] | None = None) -> int:
    """The `scenetui` command: parse, dispatch, and turn every error into one line and an exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words == ["--version"]:  # scripts ask this often; it needs no grammar (argparse is a third of start-up)
        from scenetui import __version__

        print(f"scenetui {__version__}")
        return EXIT_OK
    from scenetui.cli.parsers import build_parser, with_implicit_open

    parser = build_parser()
    try:
        args = parser.parse_args(with_implicit_open(words))
    except UserError as exc:  # a usage error: --json readers get their error line too
        return _refuse(exc, as_json="--json" in words)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return _dispatch(args)
    except UserError as exc:
        return _refuse(exc, as_json=bool(getattr(args, "json", False)))
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # last resort: the details go to the log, the user gets one line
        return _unexpected(exc)


def _refuse(exc: UserError, *, as_json: bool) -> int:
    """One line on stderr (and the contract's error object on stdout for --json), then the error's exit code."""
    if as_json:
        from scenetui.headless.jsonout import emit

        emit({"type": "error", "message": exc.line(), "exitCode": exc.exit_code})
    print(f"scenetui: error: {exc.line()}", file=sys.stderr)
    return exc.exit_code


def _unexpected(exc: Exception) -> int:
    """One redacted line for the person; the traceback to the workspace log, or this user's own log when the
    command has no workspace (never to stderr, where Python's fallback would print it unredacted)."""
    import logging

    from scenetui.logsetup import Redactor, logging_is_set_up, own_log_folder, setup_logging

    where = "the workspace log (logs/scenetui.log)"
    redact = Redactor([v for v in (os.environ.get("LUMAAI_API_KEY"),) if v])  # and every secret learnt so far
    if not logging_is_set_up():
        try:
            setup_logging(own_log_folder() / "scenetui.log")
            where = str(own_log_folder() / "scenetui.log")
        except (OSError, UserError):
            logging.getLogger("scenetui").addHandler(logging.NullHandler())
            where = "no log (none could be written)"
    logging.getLogger("scenetui").exception("unexpected error")
    text = " ".join(str(exc).split())[:300]
    print(redact(f"scenetui: error: unexpected {type(exc).__name__}: {text} — details are in {where}; please "
                 "report it"), file=sys.stderr)
    return EXIT_FAILED
