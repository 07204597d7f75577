"""The `open` controller: renders in this process, through the render service; while one runs, more scenes are
queued into it through the journal's command table."""

from __future__ import annotations

from scenetui.control.controller import ScriptController
from scenetui.domain.board import ACTIVE, DONE
from scenetui.engine.render import RenderOptions
from scenetui.jobs.render import RenderRequest, run_render


class LocalController(ScriptController):
    """Owns renders of one script in one workspace, run as tasks on the app's event loop."""

    mode = "open"

    async def generate(self, indices: list[int] | None, *, force: bool = False, resubmit: bool = False) -> str:
        """Render these scenes (None: all that are not done); while a render runs, queue them into it. The screens
        have stated the cost and asked already."""
        self._check_keyframes(indices, force)
        if self.running:
            wanted = [i for i in (indices or range(len(self.board.scenes)))
                      if self.board.scenes[i].status not in (DONE, ACTIVE, "queued")]
            self._queue_retries(wanted, resubmit)
            return f"queued {len(wanted)} scene(s) into the running render" if wanted else "those scenes are already running or done"
        s = self.state
        request = RenderRequest(s.script_path, s.workspace, s.opts,
                                RenderOptions(scenes=indices, concurrency=self.concurrency, force=force),
                                resubmit=set(self.in_doubt(indices)) if resubmit else set())
        await self._start("render", lambda ctx: run_render(request, s.settings, context=ctx), locked=False)
        return "rendering started"

    async def make_takes(self, index: int, count: int) -> str:
        """`count` new takes of one scene, side by side (the screen has stated the cost and asked)."""
        self._check_takes(index)
        s = self.state
        request = RenderRequest(s.script_path, s.workspace, s.opts,
                                RenderOptions(scenes=[index], concurrency=self.concurrency, takes=count))
        await self._start("render", lambda ctx: run_render(request, s.settings, context=ctx), locked=False)
        return f"making {count} more take(s) of scene {index} — t compares and chooses when they are in"
