"""`validate`: kept apart from the render commands so that checking a script imports only the script's models."""

from __future__ import annotations

import argparse
import sys

from scenetui.cli.common import settings  # called only for a Firestore script: pydantic-settings costs start-up time
from scenetui.errors import EXIT_OK, EXIT_USAGE
from scenetui.script.sources import check_ref
from scenetui.headless.jsonout import emit


def validate(args: argparse.Namespace) -> int:
    """Print every problem of the script; exit 0 when it has none that block a render."""
    ok, count, script_id, problems = check_ref(args.script, settings, getattr(args, "bucket", None))
    if args.json:
        emit({"type": "validation", "script": str(args.script), "valid": ok,
              "problems": [{"location": p.location, "message": p.message, "severity": p.severity} for p in problems]})
    else:
        for p in problems:
            print(f"{p.severity}: {p}", file=sys.stdout if p.severity == "warning" else sys.stderr)
        if ok:
            print(f"{args.script}: OK — {count} scene(s), id {script_id}")
        else:
            print(f"{args.script}: {len([p for p in problems if p.severity == 'error'])} problem(s)", file=sys.stderr)
    return EXIT_OK if ok else EXIT_USAGE
