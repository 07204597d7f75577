"""What each MCP tool does, as plain async methods over the project, the `scenetui` commands and the renders this
server started. The server module only registers them; tests and other front ends can call them directly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenetui.errors import UserError
from scenetui.mcp_server.project import Project
from scenetui.mcp_server.renders import Progress, RenderJobs
from scenetui.mcp_server.runner import run

BACKENDS = ("animatic", "luma")
QUALITIES = ("high", "balanced", "small")
TAKE_ACTIONS = ("list", "choose", "approve")


def dollars(cents: int | float | None) -> float | None:
    return None if cents is None else round(cents / 100, 2)


async def _quiet(_done: float, _total: float | None, _message: str) -> None:
    return None


class Tools:
    """The tools of one server: one project folder, one spend ceiling."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.renders = RenderJobs()

    def _where(self, script: str, workspace: str | None) -> list[str]:
        words = [self.project.script(script)]
        ws = self.project.workspace(workspace)
        return words + (["--workspace", str(ws)] if ws else [])

    async def _run(self, *words: str, progress: Progress = _quiet, ok_codes: tuple[int, ...] = (0,),
                   timeout: float | None = 300) -> Any:
        async def on_line(line: dict[str, Any]) -> None:
            if line.get("type") == "assembly_progress":
                await progress(round(float(line.get("fraction") or 0) * 100, 1), 100, "assembling the film")
            elif line.get("type") == "keyframe_drawn":
                await progress(0, None, f"keyframe drawn for scene {line.get('scene')}")

        return await run(list(words), cwd=self.project.root, on_line=on_line, ok_codes=ok_codes, timeout=timeout)

    async def validate(self, script: str) -> dict[str, Any]:
        """Every problem of a script, with its location."""
        target = self.project.script(script)
        ran = await self._run("validate", target, "--json", ok_codes=(0, 2))
        found = ran.last()
        return {"script": script, "valid": bool(found.get("valid")), "problems": found.get("problems", [])}

    def _render_words(self, *, scenes: str | None, takes: int | None, model: str | None, backend: str,
                      draft: bool, force: bool) -> list[str]:
        if backend not in BACKENDS:
            raise UserError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
        words = ["--backend", backend]
        if backend == "luma":
            words += self.project.luma_flags()
        if model:
            words += ["--model", model]
        if scenes:
            words += ["--scenes", scenes]
        if takes is not None:
            words += ["--takes", str(takes)]
        if draft:
            words.append("--draft")
        if force:
            words.append("--force")
        return words

    async def estimate(self, script: str, scenes: str | None = None, takes: int | None = None,
                       model: str | None = None, backend: str = "luma", draft: bool = False,
                       force: bool = False, workspace: str | None = None) -> dict[str, Any]:
        """What a render would cost, scene by scene, with nothing sent and nothing paid (`render --dry-run`)."""
        words = self._render_words(scenes=scenes, takes=takes, model=model, backend=backend, draft=draft, force=force)
        ran = await self._run("render", *self._where(script, workspace), "--dry-run", "--json", *words)
        summary = ran.last("dryRunSummary")
        rows = [{"scene": line.get("scene"), "action": line.get("action"), "take": line.get("take"),
                 "priceUsd": dollars(line.get("priceCents"))} for line in ran.lines if line.get("type") == "dryRun"]
        return {"script": script, "backend": backend, "scenes": rows, "totalUsd": dollars(summary.get("estimateCents")),
                "balanceUsd": dollars(summary.get("balanceCents")), "newGenerations": summary.get("newGenerations"),
                "alreadyDone": summary.get("done", []), "inDoubt": summary.get("inDoubt", []),
                "notes": summary.get("notes", []), "serverCeilingUsd": dollars(self.project.max_spend_cents)}

    async def render(self, script: str, scenes: str | None = None, backend: str = "animatic",
                     max_spend_usd: float | None = None, draft: bool = False, model: str | None = None,
                     takes: int | None = None, force: bool = False, workspace: str | None = None) -> dict[str, Any]:
        """Start a render in a process of its own and return at once with its id (paid work within the ceiling)."""
        if max_spend_usd is not None and max_spend_usd < 0:
            raise UserError(f"max_spend_usd {max_spend_usd}: a spend limit cannot be negative",
                            hint="give 0 or more US dollars")
        ceiling = self.project.max_spend_cents
        if backend == "luma":
            if max_spend_usd is None:
                raise UserError("a Luma render needs max_spend_usd", hint="call estimate first, then pass at most "
                                f"{ceiling / 100:.2f} (this server's ceiling)")
            if round(max_spend_usd * 100) > ceiling:
                raise UserError(f"max_spend_usd {max_spend_usd:.2f} is above this server's ceiling of "
                                f"${ceiling / 100:.2f}", hint="the person who configured the server sets it with "
                                "scenetui mcp --max-spend USD; nothing was started")
        target = self.project.script(script)
        running = self.renders.running_for(target)
        if running is not None:
            raise UserError(f"{script} is already rendering ({running.id})",
                            hint="wait_for_render or cancel it first; nothing was started")
        where = self._where(script, workspace)
        state = (await self._run("status", *where, "--json")).last()
        if state.get("rendering"):
            raise UserError(f"{script} is already rendering in {state.get('workspace')}",
                            hint="another process holds its render lock; nothing was started")
        priced = await self.estimate(script, scenes=scenes, takes=takes, model=model, backend=backend, draft=draft,
                                     force=force, workspace=workspace) if backend == "luma" else None
        words = self._render_words(scenes=scenes, takes=takes, model=model, backend=backend, draft=draft, force=force)
        if backend != "luma":  # the free generator: the same dry run catches bad scenes, takes or settings first
            await self._run("render", *where, "--dry-run", "--json", *words)
        if priced is not None:
            total = priced["totalUsd"] or 0.0
            assert max_spend_usd is not None
            if total > max_spend_usd:
                raise UserError(f"the estimate ${total:.2f} is above max_spend_usd {max_spend_usd:.2f}",
                                hint="raise max_spend_usd (within the ceiling) or render fewer scenes; nothing was "
                                     "started")
            words += ["--max-spend", f"{max_spend_usd:.2f}"]
        job = self.renders.start(target, Path(str(state["workspace"])), [*words, "--yes"])
        out: dict[str, Any] = {"renderId": job.id, "script": script, "workspace": str(job.workspace),
                               "log": str(job.log), "state": "running"}
        if priced is not None:
            out["estimateUsd"], out["maxSpendUsd"] = priced["totalUsd"], max_spend_usd
        return out

    async def wait_for_render(self, render_id: str, timeout_s: float = 600,
                              progress: Progress = _quiet) -> dict[str, Any]:
        """Follow a render this server started until it ends or the timeout passes, with progress."""
        if timeout_s < 0:
            raise UserError(f"timeout_s {timeout_s}: cannot be negative")
        return await self.renders.wait(self.renders.get(render_id), min(timeout_s, 3600.0), progress)

    async def status(self, script: str, workspace: str | None = None) -> dict[str, Any]:
        """Each scene's state, takes and spend, the film, and the renders this server started for the script."""
        found = (await self._run("status", *self._where(script, workspace), "--json")).last()
        target = self.project.script(script)
        found["renders"] = [j.report() for j in self.renders.all() if j.script == target]
        return found

    async def cancel(self, script: str, scenes: str | None = None, workspace: str | None = None) -> dict[str, Any]:
        """Ask the script's running render to cancel scenes (all by default); paid work is picked up later."""
        words = ["cancel", *self._where(script, workspace), "--json"] + (["--scenes", scenes] if scenes else [])
        return (await self._run(*words)).last()

    async def export(self, script: str, transition: str | None = None, music: str | None = None,
                     subtitles: bool = False, quality: str | None = None, timeline: str | None = None,
                     workspace: str | None = None, progress: Progress = _quiet) -> dict[str, Any]:
        """Assemble the film from the scenes' clips: transitions, music, captions, quality, an editor's timeline."""
        words = ["export", *self._where(script, workspace), "--json"]
        if transition:
            if transition.split(":")[0] == "bridge":
                raise UserError("bridge transitions are paid Luma generations, not offered here",
                                hint="run scenetui export --transition bridge at a shell; pick dissolve, fadeblack, …")
            words += ["--transition", transition]
        if music:
            words += ["--music", str(self.project.path(music, what="music"))]
        if subtitles:
            words.append("--subtitles")
        if quality:
            if quality not in QUALITIES:
                raise UserError(f"quality {quality!r} is not one of {', '.join(QUALITIES)}")
            words += ["--quality", quality]
        if timeline:
            words += ["--timeline", str(self.project.path(timeline, what="timeline", must_exist=False))]
        return (await self._run(*words, progress=progress, timeout=3600)).last("summary")

    async def keyframes(self, script: str, scenes: str | None = None, force: bool = False,
                        backend: str = "sketch", progress: Progress = _quiet) -> dict[str, Any]:
        """Draw storyboard cards for the keyframes scenes lack (free, offline); the script is updated in place."""
        if backend != "sketch":
            raise UserError(f"backend {backend!r}: only sketch cards are offered here (free)",
                            hint="paid Luma pictures: scenetui keyframes --backend luma at a shell")
        words = ["keyframes", self.project.script(script), "--backend", "sketch", "--json"]
        if scenes:
            words += ["--scenes", scenes]
        if force:
            words.append("--force")
        return (await self._run(*words, progress=progress)).last("summary")

    async def takes(self, script: str, action: str = "list", scene: int | None = None, take: int | None = None,
                    scenes: str | None = None, workspace: str | None = None) -> dict[str, Any]:
        """A scene's takes: list them, choose one as its clip, or approve drafts for the final render."""
        if action not in TAKE_ACTIONS:
            raise UserError(f"action {action!r} is not one of {', '.join(TAKE_ACTIONS)}",
                            hint="deleting takes is left to a person: scenetui takes delete at a shell")
        words = ["takes", action, *self._where(script, workspace), "--json"]
        if action == "choose":
            if scene is None or take is None:
                raise UserError("choose needs scene and take", hint="e.g. scene=2, take=3")
            words[3:3] = [str(scene), str(take)]
        elif action == "approve":
            if not scenes:
                raise UserError("approve needs scenes", hint="e.g. scenes='0-3,5'")
            words[3:3] = [scenes]
        elif scenes:
            words += ["--scenes", scenes]
        return (await self._run(*words)).last()
