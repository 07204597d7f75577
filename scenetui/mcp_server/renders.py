"""Renders an agent started: each in a process and session of its own (as the app's `b` does), so it outlives the
server and the agent; followed through the JSON lines it writes to its log."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scenetui.control.background import spawn_render
from scenetui.errors import UserError
from scenetui.mcp_server.runner import scenetui_argv
from scenetui.storage.workspace import Workspace

Progress = Callable[[float, float | None, str], Awaitable[None]]
POLL_S = 0.25


@dataclass
class RenderJob:
    """One render this server started: where it writes and what it has said so far."""

    id: str
    script: str
    workspace: Path
    pid: int
    log: Path
    started_at: float = field(default_factory=time.time)
    lines: list[dict[str, Any]] = field(default_factory=list)
    _offset: int = 0
    exit_code: int | None = None

    def read_new(self) -> list[dict[str, Any]]:
        """The JSON lines written since the last read (a half-written last line waits for the next read)."""
        try:
            with open(self.log, "rb") as fh:
                fh.seek(self._offset)
                chunk = fh.read()
        except FileNotFoundError:
            return []
        whole, _, _ = chunk.rpartition(b"\n")
        if not whole:
            return []
        self._offset += len(whole) + 1
        new = []
        for raw in whole.split(b"\n"):
            text = raw.decode("utf-8", "replace").strip()
            if text.startswith("{"):
                try:
                    new.append(json.loads(text))
                except ValueError:
                    continue
        self.lines += new
        return new

    def alive(self) -> bool:
        """Whether the render process still runs (reaped here once it ended: it is this server's child)."""
        if self.exit_code is not None:
            return False
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:  # not ours to reap (or reaped already): ask the kernel
            try:
                os.kill(self.pid, 0)
            except ProcessLookupError:
                self.exit_code = -1
                return False
            return True
        if pid == 0:
            return True
        self.exit_code = os.waitstatus_to_exitcode(status)
        return False

    def summary(self) -> dict[str, Any] | None:
        return next((line for line in reversed(self.lines) if line.get("type") == "summary"), None)

    def error(self) -> str | None:
        return next((str(line.get("message")) for line in reversed(self.lines) if line.get("type") == "error"), None)

    def counts(self) -> tuple[int, int]:
        """(scenes finished one way or another, scenes this render works on)."""
        started = next((line for line in self.lines if line.get("type") == "render_started"), None)
        total = len(started.get("scenes", [])) if started else 0
        ended = {line.get("scene_index") for line in self.lines
                 if line.get("type") in ("scene_completed", "scene_failed", "scene_cancelled")}
        return len(ended), total

    def report(self) -> dict[str, Any]:
        """Where the render stands, as a tool result."""
        done, total = self.counts()
        summary, error = self.summary(), self.error()
        running = summary is None and error is None and self.alive()
        out: dict[str, Any] = {"renderId": self.id, "script": self.script, "workspace": str(self.workspace),
                               "state": "running" if running else "finished" if summary else "failed",
                               "scenesDone": done, "scenesTotal": total, "log": str(self.log),
                               "elapsedS": round(time.time() - self.started_at, 1)}
        if summary is not None:
            out["summary"] = summary
        elif not running:
            out["error"] = error or f"the render ended (exit {self.exit_code}) without a summary; see {self.log}"
        return out


class RenderJobs:
    """The renders this server started, by id."""

    def __init__(self) -> None:
        self._jobs: dict[str, RenderJob] = {}
        self._ids = itertools.count(1)

    def running_for(self, script: str) -> RenderJob | None:
        return next((j for j in self._jobs.values() if j.script == script and j.report()["state"] == "running"), None)

    def start(self, script: str, workspace: Path, words: list[str]) -> RenderJob:
        """`scenetui render SCRIPT --workspace WS --json WORDS…` in a process of its own."""
        cmd = scenetui_argv("render", script, "--workspace", str(workspace), "--json", *words)
        pid, log = spawn_render(cmd, Workspace(workspace))
        job = RenderJob(id=f"render-{next(self._ids)}-{pid}", script=script, workspace=workspace, pid=pid, log=log)
        self._jobs[job.id] = job
        return job

    def all(self) -> list[RenderJob]:
        return list(self._jobs.values())

    def get(self, render_id: str) -> RenderJob:
        job = self._jobs.get(render_id)
        if job is None:
            known = ", ".join(self._jobs) or "none yet"
            raise UserError(f"no render {render_id!r} was started by this server", hint=f"its renders: {known}")
        return job

    async def wait(self, job: RenderJob, timeout_s: float, progress: Progress) -> dict[str, Any]:
        """Follow the render until it ends or `timeout_s` passes, telling each scene that ends as progress."""
        deadline = time.monotonic() + max(0.0, timeout_s)
        while True:
            for line in job.read_new():
                message = _progress_line(line)
                if message:
                    done, total = job.counts()
                    await progress(done, total or None, message)
            report = job.report()
            if report["state"] != "running" or time.monotonic() >= deadline:
                job.read_new()
                return job.report()
            await asyncio.sleep(POLL_S)


def _progress_line(line: dict[str, Any]) -> str:
    """A human sentence for the events worth a progress notification."""
    kind, scene = line.get("type"), line.get("scene_index")
    if kind == "scene_completed":
        return f"scene {scene} done ({line.get('duration')} s, {line.get('resolution')})"
    if kind == "scene_failed":
        return f"scene {scene} failed: {line.get('error')}"
    if kind == "scene_cancelled":
        return f"scene {scene} cancelled"
    if kind == "scene_stage" and line.get("stage") in ("submitting", "dreaming", "downloading"):
        return f"scene {scene} {line.get('stage')}"
    if kind == "assembly_finished":
        return f"film assembled: {line.get('path')}"
    return ""
