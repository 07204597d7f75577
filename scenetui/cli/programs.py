"""For programs rather than people: `mcp` (the agent's server) and `completion` (the shell's)."""

from __future__ import annotations

import argparse
import math

from scenetui.errors import EXIT_OK, UserError


def mcp_cmd(args: argparse.Namespace) -> int:
    """Serve the project folder's tools over stdio until the agent closes the connection."""
    root = args.root.expanduser().resolve()
    if not root.is_dir():
        raise UserError(f"--root {args.root}: not a folder", hint="give the project folder the agent works in")
    if not math.isfinite(args.max_spend) or args.max_spend < 0:
        raise UserError(f"--max-spend {args.max_spend}: not a spend limit", hint="give 0 or more US dollars")
    from scenetui.mcp_server.project import Project
    from scenetui.mcp_server.server import serve_stdio

    price_table = args.price_table.expanduser().resolve() if args.price_table else None
    if price_table is not None and not price_table.is_file():
        raise UserError(f"--price-table {args.price_table}: file not found")
    serve_stdio(Project(root=root, max_spend_cents=round(args.max_spend * 100), luma_base_url=args.luma_base_url,
                        keyframe_base_url=args.keyframe_base_url, price_table=price_table))
    return EXIT_OK


def completion_cmd(args: argparse.Namespace) -> int:
    """Print the completion script for one shell (or, for the script itself, a script file's scene numbers)."""
    from scenetui.cli.completion import completion_script, scene_numbers

    if args.scenes_of is not None:  # asked by the completion function at each tab: quiet whatever the file holds
        print("\n".join(map(str, scene_numbers(args.scenes_of))))
        return EXIT_OK
    if args.shell is None:
        raise UserError("completion needs a shell: bash, zsh or fish")
    print(completion_script(args.shell))
    return EXIT_OK
