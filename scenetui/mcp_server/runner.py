"""Each tool runs the `scenetui` command it stands for with --json, in a process of its own: the same checks and the
same sentences as at a shell, and a crash in one call never takes the server down."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenetui.errors import UserError

OnLine = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Ran:
    """What a command printed: its JSON lines in order, its exit code and its last line on stderr."""

    code: int
    lines: list[dict[str, Any]] = field(default_factory=list)
    said: str = ""

    def last(self, kind: str | None = None) -> dict[str, Any]:
        """The last JSON object (of this `type`, when given)."""
        for line in reversed(self.lines):
            if kind is None or line.get("type") == kind:
                return line
        raise UserError(f"scenetui printed no {kind or 'result'}", hint="see the workspace log")


def scenetui_argv(*words: str) -> list[str]:
    """`python -m scenetui WORDS` with this interpreter, so the server and its commands are the same install."""
    return [sys.executable, "-m", "scenetui", *words]


def error_line(ran: Ran) -> str:
    """The command's own one-line error: its JSON error object, else its `scenetui: error:` line on stderr."""
    for line in reversed(ran.lines):
        if line.get("type") == "error" and line.get("message"):
            return str(line["message"])
    said = ran.said.removeprefix("scenetui: error: ").strip()
    return said or f"scenetui exited with {ran.code}"


async def run(words: list[str], *, cwd: Path, on_line: OnLine | None = None, ok_codes: tuple[int, ...] = (0,),
              timeout: float | None = None) -> Ran:
    """Run `scenetui WORDS`, handing each JSON line to `on_line` as it comes; a refused command raises its line."""
    proc = await asyncio.create_subprocess_exec(
        *scenetui_argv(*words), cwd=cwd, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"}, limit=16 * 1024 * 1024)
    assert proc.stdout is not None and proc.stderr is not None
    ran = Ran(code=0)
    stderr_task = asyncio.ensure_future(proc.stderr.read())
    try:
        async with asyncio.timeout(timeout):
            async for raw in proc.stdout:
                text = raw.decode("utf-8", "replace").strip()
                if not text.startswith("{"):
                    continue
                try:
                    obj = json.loads(text)
                except ValueError:
                    continue
                ran.lines.append(obj)
                if on_line is not None:
                    await on_line(obj)
            ran.code = await proc.wait()
    except BaseException:  # cancelled by the client, or too slow: the command goes too (it owns no paid work)
        if proc.returncode is None:
            proc.terminate()
            await proc.wait()
        stderr_task.cancel()
        raise
    err = (await stderr_task).decode("utf-8", "replace").strip().splitlines()
    ran.said = next((line for line in reversed(err) if line.startswith("scenetui: error:")), err[-1] if err else "")
    if ran.code not in ok_codes:
        raise UserError(error_line(ran))
    return ran
