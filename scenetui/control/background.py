"""Handing a render to its own process, so it outlives the window (and the SSH session) that started it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from scenetui.build import BuildOptions
from scenetui.safeopen import open_own, own_folder
from scenetui.storage.workspace import Workspace


def render_command(script: Path | object, workspace: Workspace, opts: BuildOptions, *, scenes: list[int] | None,
                   force: bool, concurrency: int | None, resubmit: list[int] | None = None,
                   takes: int | None = None) -> list[str]:
    """`scenetui render …` with the same options as this app; secrets stay in the environment, never in argv."""
    target = str(script.resolve()) if isinstance(script, Path) else str(script)  # a path, or firestore:ID
    cmd = [sys.executable, "-m", "scenetui", "render", target, "--workspace", str(workspace.root),
           "--backend", opts.backend, "--json", "--yes"]
    if scenes is not None:
        cmd += ["--scenes", ",".join(map(str, scenes))]
    if force:
        cmd.append("--force")
    if takes:
        cmd += ["--takes", str(takes)]
    if resubmit:
        cmd += ["--resubmit", ",".join(map(str, resubmit))]
    if concurrency:
        cmd += ["--concurrency", str(concurrency)]
    if opts.max_spend_cents is not None:
        cmd += ["--max-spend", f"{opts.max_spend_cents / 100:.2f}"]
    for flag, value in (("--luma-base-url", opts.luma_base_url), ("--keyframe-base-url", opts.keyframe_base_url),
                        ("--price-table", opts.price_table), ("--bucket", opts.bucket), ("--user-id", opts.user_id)):
        if value:
            cmd += [flag, str(value)]
    if opts.storage != "local":
        cmd += ["--storage", opts.storage]
    if opts.retries != 1:
        cmd += ["--retries", str(opts.retries)]
    for key, value in opts.video.items():
        cmd += ["--" + key.replace("_", "-"), str(value)]
    return cmd


def spawn_render(cmd: list[str], workspace: Workspace) -> tuple[int, Path]:
    """Start the render in a new session (no terminal, survives SIGHUP); its output goes to a log file."""
    logs = own_folder(workspace.root / "logs")
    out = logs / f"render-{time.strftime('%Y%m%d-%H%M%S')}.jsonl"
    # Private like every log here (the render's lines carry prompts), and never through a planted link.
    with os.fdopen(open_own(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND), "ab") as sink, \
            open(os.devnull, "rb") as nothing:
        proc = subprocess.Popen(cmd, stdin=nothing, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
                                close_fds=True)
    return proc.pid, out
