"""The operator's commands: `doctor`, `config show|path`, `logs`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scenetui.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UserError
from scenetui.headless.jsonout import emit


def doctor_cmd(args: argparse.Namespace) -> int:
    """Every check with ✓/✗; exit 1 when a check the chosen backend and storage need fails."""
    from scenetui.ops.doctor import Check, DoctorOptions, run_checks

    pictures = _pictures()  # first: what the terminal says decides the colours the app draws in, checked next
    opts = DoctorOptions(workspace=(args.workspace or Path("scenetui-workspace")).expanduser(), backend=args.backend,
                         storage=args.storage or "local", luma_base_url=args.luma_base_url, bucket=args.bucket,
                         model=args.model)
    checks = run_checks(opts)
    if pictures is not None:
        checks.append(Check("pictures", True, pictures.describe(), needed=False))
    ok = all(c.ok for c in checks if c.needed)
    if args.json:
        emit({"type": "doctor", "ok": ok, "checks": [c.as_json() for c in checks]})
    else:
        for c in checks:
            mark = "✓" if c.ok else ("✗" if c.needed else "!")
            print(f"{mark} {c.name:<10} {c.detail}")
            if not c.ok and c.fix:
                print(f"  {'':<10} fix: {c.fix}")
        print("ready" if ok else "not ready: fix the ✗ lines above", file=sys.stdout if ok else sys.stderr)
    return EXIT_OK if ok else EXIT_FAILED


def _pictures():  # noqa: ANN202 (the app's modules are imported only on a terminal)
    """How the app would draw pictures in this terminal (it is asked, as the app asks it), or None off a terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return None
    from scenetui.cli.common import settings
    from scenetui.tui.graphics import detect

    return detect(settings().graphics)


def config_cmd(args: argparse.Namespace) -> int:
    """`config path` prints the file's path; `config show` every effective setting and its source."""
    from scenetui.config import config_file

    if args.config_command == "path":
        print(config_file())
        return EXIT_OK
    from scenetui.ops.settings_report import effective_settings

    lines = effective_settings()
    if args.json:
        emit({"type": "config", "file": str(config_file()),
              "settings": {l.name: {"value": l.value, "source": l.source} for l in lines}})
        return EXIT_OK
    print(f"config file: {config_file()}" + ("" if config_file().exists() else " (none)"))
    width = max(len(l.name) for l in lines)
    for l in lines:
        print(f"{l.name:<{width}}  {l.value or '—'}  [{l.source}]")
    return EXIT_OK


def _log_workspace(args: argparse.Namespace) -> Path:
    from scenetui.storage.workspace import Workspace

    if args.workspace:
        return args.workspace
    target: Path | None = args.target
    if target is None:
        return Path("scenetui-workspace")
    if target.is_dir():
        return target
    if target.suffix.lower() in (".json", ".toml"):
        return Workspace.default_for(target)
    raise UserError(f"{target} is neither a workspace folder nor a script file", hint="pass a workspace or a script")


def logs_cmd(args: argparse.Namespace) -> int:
    """Print the last lines of the workspace log; with --follow, keep printing."""
    from scenetui.ops.logview import LEVELS, follow, log_files, tail
    from scenetui.storage.workspace import Workspace

    if args.lines < 0:
        raise UserError("--lines must be zero or more")
    log_path = Workspace(_log_workspace(args).expanduser()).log_path
    if not log_files(log_path) and not args.follow:
        raise UserError(f"no log at {log_path}", hint="a render writes it; pass the workspace (or script) it used")
    level = LEVELS[args.level] if args.level else 0
    for line in tail(log_path, args.lines, level):
        print(line)
    if args.follow:
        sys.stdout.flush()
        try:
            follow(log_path, lambda text: print(text, flush=True), level)
        except KeyboardInterrupt:
            return EXIT_OK
    return EXIT_OK


def stats_cmd(args: argparse.Namespace) -> int:
    """Analytics from the journal: a script's (by its id) or the whole workspace's."""
    import shutil

    from scenetui.ops.stats import collect
    from scenetui.ops.stats_view import render_text
    from scenetui.storage.workspace import Workspace

    script_id = None
    target: Path | None = args.target
    if target is not None and target.is_file() and not args.all:
        from scenetui.script.file import load_script

        script_id = load_script(target).script.id
    stats = collect(Workspace(_log_workspace(args).expanduser()).journal_path, script_id)
    if args.json:
        emit({"type": "stats", **stats.as_json()})
    else:
        print(render_text(stats, width=shutil.get_terminal_size((100, 24)).columns, plots=not args.no_plots))
    return EXIT_OK


__all__ = ["doctor_cmd", "config_cmd", "logs_cmd", "stats_cmd", "EXIT_USAGE"]
