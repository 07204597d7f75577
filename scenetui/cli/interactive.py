"""The interactive commands: `open` (render from the app), `watch` (follow a render elsewhere), `serve` (in a browser)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from scenetui.build import BuildOptions, api_for, check_backend_config, resolve_workspace
from scenetui.cli.common import build_options, settings as _settings
from scenetui.errors import EXIT_OK, EXIT_USAGE, ScriptInvalid, UserError
from scenetui.logsetup import setup_logging
from scenetui.script.ref import ScriptRef, parse_script_ref
from scenetui.script.sources import load_ref
from scenetui.storage.workspace import Workspace

if TYPE_CHECKING:
    from scenetui.tui.graphics import Pictures


def _need_terminal() -> None:
    if os.environ.get("TEXTUAL_DRIVER"):  # run by textual-serve for a browser: no tty, and none needed
        return
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("the interactive app needs a terminal", hint="use `scenetui render` (or --headless) in scripts and pipes")


def _pictures() -> Pictures:
    """Ask the terminal which graphics it speaks — now, before Textual is imported (its colours follow from the
    answer) and before its input thread would swallow the answers."""
    from scenetui.tui.graphics import detect

    return detect(_settings().graphics)


def _run(app, pictures: Pictures) -> None:  # noqa: ANN001 (Textual is imported lazily)
    import logging

    app.pictures = pictures
    cell = f" (a cell is {pictures.cell[0]}×{pictures.cell[1]} px)" if pictures.cell else ""
    logging.getLogger("scenetui.app").info("pictures drawn with %s%s", pictures.describe(), cell)
    app.run()


def build_app(script: ScriptRef, workspace: Workspace, opts: BuildOptions | None = None, mode: str = "open",
              concurrency: int | None = None):  # noqa: ANN201 (Textual is imported lazily)
    """The one app factory, used by the CLI and the tests: the app for SCRIPT, or its problems screen."""
    from scenetui.control.local import LocalController
    from scenetui.control.watch import WatchController
    from scenetui.tui.app import SceneApp

    settings = _settings()
    opts = opts or BuildOptions()
    try:
        loaded = load_ref(script, settings, opts.bucket, keyframes_optional=True)  # one validation pass; warnings (unknown character…) do not block the app
    except ScriptInvalid as exc:
        return SceneApp(None, problems=[str(p) for p in exc.problems], script_name=str(script))
    if mode == "open":
        check_backend_config(opts, settings, api_for(loaded, opts))
    setup_logging(workspace.log_path, settings.log_level, settings.secrets())
    cls = LocalController if mode == "open" else WatchController
    controller = cls(script, workspace, opts, settings, concurrency=concurrency, loaded=loaded)
    workspace.remember_script(loaded.script.id, script)
    return SceneApp(controller)


def open_cmd(args: argparse.Namespace, *, autostart: bool = False) -> int:
    """`scenetui open SCRIPT`: the app, rendering in this process."""
    if isinstance(args.script, Path) and not args.script.exists():
        raise UserError(f"script {args.script} not found", hint="check the path")
    _need_terminal()
    workspace = resolve_workspace(args.script, args.workspace, _settings())
    pictures = _pictures()
    app = build_app(args.script, workspace, build_options(args), "open", args.concurrency)
    if autostart and app.controller is not None:
        app.autostart = True
    _run(app, pictures)
    code = app.return_code or EXIT_OK  # 1 when the app ended on an error Textual caught (its traceback shown)
    if app.lifeline is not None:
        app.lifeline.finished()
    if app.controller is None:
        return EXIT_USAGE
    final = app.controller.clip_path(None)
    if final is not None:
        print(f"Final film: {final}")
    return code or EXIT_OK


def find_script(target: ScriptRef, workspace_arg: Path | None) -> tuple[ScriptRef, Workspace]:
    """`watch` takes a script (workspace beside it or --workspace) or a workspace (its script is looked up)."""
    settings = _settings()
    if not isinstance(target, Path) or target.is_file():
        return target, resolve_workspace(target, workspace_arg, settings)
    if not target.is_dir():
        raise UserError(f"{target} is neither a script nor a workspace folder", hint="pass the script file or the workspace")
    workspace = Workspace(target.expanduser().resolve())
    known = workspace.known_scripts()
    if not known:
        raise UserError(f"no render has run in {target} yet", hint="pass the script file instead")
    script = parse_script_ref(list(known.values())[-1])
    if isinstance(script, Path) and not script.is_file():
        raise UserError(f"the script of this workspace ({script}) is gone", hint="pass the script file instead")
    return script, workspace


def watch_cmd(args: argparse.Namespace) -> int:
    """`scenetui watch WORKSPACE|SCRIPT`: the app following a render another process runs."""
    script, workspace = find_script(args.target, args.workspace)
    _need_terminal()
    pictures = _pictures()
    app = build_app(script, workspace, build_options(args), "watch")
    _run(app, pictures)
    code = app.return_code or EXIT_OK  # 1 when the app ended on an error Textual caught
    if app.lifeline is not None:
        app.lifeline.finished()
    return EXIT_USAGE if app.controller is None else code


def serve_cmd(args: argparse.Namespace) -> int:
    """`scenetui serve TARGET`: the same view in a browser (textual-serve runs the app per visitor)."""
    try:
        from scenetui.cli.serving import GuardedServer, new_token
        from scenetui.hosts import is_loopback
    except ImportError:
        raise UserError("textual-serve is not installed", hint="pip install textual-serve") from None
    target: ScriptRef = args.target.expanduser().resolve() if isinstance(args.target, Path) else args.target
    if isinstance(target, Path) and not target.exists():
        raise UserError(f"{target} not found", hint="pass a script file or a workspace folder")
    parts = [sys.executable, "-m", "scenetui", "open" if args.open else "watch", str(target)]
    if args.workspace:
        parts += ["--workspace", str(args.workspace.expanduser().resolve())]
    if args.bucket:
        parts += ["--bucket", args.bucket]
    token = args.token or os.environ.get("SCENETUI_SERVE_TOKEN") or None
    if token is None and not is_loopback(args.host):
        token = new_token()
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
    url = f"http://{shown_host}:{args.port}/" + (f"?token={token}" if token else "")
    who = "this machine only" if is_loopback(args.host) and not token else "anyone with the token"
    print(f"serving {'open' if args.open else 'watch'} {target} on {url}  ({who}; Ctrl-C stops)", file=sys.stderr)
    if args.token:
        print("note: --token is visible to other users of this machine (ps); SCENETUI_SERVE_TOKEN is not",
              file=sys.stderr)
    GuardedServer(shlex.join(parts), host=args.host, port=args.port, token=token,
                  max_visitors=args.max_visitors).serve()
    return EXIT_OK
