"""The MCP server: the tools an agent sees (schemas from the signatures, descriptions it can act on), the film and
clips as resources, over stdio. Each tool is a thin call into `Tools`; a refusal is the CLI's own sentence."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer, ResourceSecurity
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from scenetui import __version__
from scenetui.errors import UserError
from scenetui.mcp_server.media import clips_of, film_of
from scenetui.mcp_server.project import Project
from scenetui.mcp_server.tools import Tools

T = TypeVar("T")

Script = Annotated[str, Field(description="a script file (JSON/TOML) inside the project folder, relative to it, "
                                          "or firestore:SCRIPT_ID")]
Scenes = Annotated[str | None, Field(description="only these scenes, 0-based, e.g. '0,2-3' (default: all)")]
Workspace = Annotated[str | None, Field(description="the workspace folder (default: scenetui-workspace beside the "
                                                    "script)")]

INSTRUCTIONS = """scenetui turns a script (scenes with start and end keyframe pictures) into one generated video per
scene and assembles the film. Typical flow: validate → keyframes (free cards for missing pictures) → estimate →
render (returns at once) → wait_for_render (progress) → status → export. The free 'animatic' backend costs
nothing; 'luma' renders are paid, need max_spend_usd, and never exceed the ceiling this server was started with
(0 unless its owner allowed more). Paths are relative to the project folder and may not leave it."""


def _refusals(fn: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """A UserError becomes the tool's error result: the CLI's one line, never a traceback."""
    @functools.wraps(fn)
    async def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return await fn(*args, **kwargs)
        except UserError as exc:
            raise ToolError(exc.line()) from None
    return wrapper


def _progress(ctx: Context) -> Callable[[float, float | None, str], Awaitable[None]]:
    async def tell(done: float, total: float | None, message: str) -> None:
        await ctx.report_progress(done, total, message)
    return tell


def build_server(project: Project) -> MCPServer:
    """The server for one project folder."""
    tools = Tools(project)
    server: MCPServer = MCPServer("scenetui", version=__version__, instructions=INSTRUCTIONS,
                                  log_level="WARNING")
    ceiling = f"${project.max_spend_cents / 100:.2f}"

    @server.tool(description="Check a script: structure, ids, keyframe files, duplicates. Returns valid and every "
                             "problem with its location.")
    @_refusals
    async def validate(script: Script) -> dict[str, Any]:
        return await tools.validate(script)

    @server.tool(description="What a Luma render would cost, per scene and in total, and the account's balance "
                             "where known. Sends and pays nothing. model: ray-3.2, ray-2 or ray-flash-2 (default: "
                             f"the script's). This server's spend ceiling is {ceiling}.")
    @_refusals
    async def estimate(script: Script, scenes: Scenes = None,
                       takes: Annotated[int | None, Field(description="new takes per scene, 1-4")] = None,
                       model: Annotated[str | None, Field(description="ray-3.2, ray-2 or ray-flash-2")] = None,
                       draft: Annotated[bool, Field(description="the cheap draft pass")] = False,
                       force: Annotated[bool, Field(description="price scenes that already have clips")] = False,
                       workspace: Workspace = None) -> dict[str, Any]:
        return await tools.estimate(script, scenes, takes, model, "luma", draft, force, workspace)

    @server.tool(description="Start rendering the scenes that have no clip yet, in a process of its own; returns "
                             "at once with a renderId for wait_for_render. backend 'animatic' is free and offline; "
                             f"'luma' is paid: give max_spend_usd (at most {ceiling}); it is refused when the "
                             "estimate is above it. The film is assembled when the scenes are done.")
    @_refusals
    async def render(script: Script, scenes: Scenes = None,
                     backend: Annotated[str, Field(description="animatic (free) or luma (paid)")] = "animatic",
                     max_spend_usd: Annotated[float | None, Field(description="hard cap for this render in US "
                                                                              "dollars (luma)")] = None,
                     draft: Annotated[bool, Field(description="a cheap draft take of each scene")] = False,
                     model: Annotated[str | None, Field(description="ray-3.2, ray-2 or ray-flash-2")] = None,
                     takes: Annotated[int | None, Field(description="new takes per scene, 1-4")] = None,
                     force: Annotated[bool, Field(description="regenerate scenes that have clips")] = False,
                     workspace: Workspace = None) -> dict[str, Any]:
        return await tools.render(script, scenes, backend, max_spend_usd, draft, model, takes, force, workspace)

    @server.tool(description="Wait for a render this server started to end (or timeout_s to pass), reporting each "
                             "scene as progress. Returns its state (running, finished, failed) and its summary.")
    @_refusals
    async def wait_for_render(render_id: Annotated[str, Field(description="the id render returned")],
                              ctx: Context,
                              timeout_s: Annotated[float, Field(description="seconds to wait, at most 3600")] = 600,
                              ) -> dict[str, Any]:
        return await tools.wait_for_render(render_id, timeout_s, _progress(ctx))

    @server.tool(description="Each scene's state, clip, takes and spend, whether a render is running, the film, "
                             "and the renders this server started for the script.")
    @_refusals
    async def status(script: Script, workspace: Workspace = None) -> dict[str, Any]:
        return await tools.status(script, workspace)

    @server.tool(description="Ask the script's running render to cancel scenes (default all). Paid generations "
                             "go on at Luma and are picked up by the next render, never paid twice.")
    @_refusals
    async def cancel(script: Script, scenes: Scenes = None, workspace: Workspace = None) -> dict[str, Any]:
        return await tools.cancel(script, scenes, workspace)

    @server.tool(description="Assemble the film (final.mp4) from the scenes' clips, with progress. transition: "
                             "cut, dissolve, fadeblack, wipeleft, … optionally ':SECONDS'; music: a sound file in "
                             "the project; subtitles: captions as .srt/.vtt and a soft track; quality: high, "
                             "balanced or small; timeline: also write FILE.otio or FILE.edl.")
    @_refusals
    async def export(script: Script, ctx: Context, transition: str | None = None, music: str | None = None,
                     subtitles: bool = False, quality: str | None = None, timeline: str | None = None,
                     workspace: Workspace = None) -> dict[str, Any]:
        return await tools.export(script, transition, music, subtitles, quality, timeline, workspace,
                                  _progress(ctx))

    @server.tool(description="Draw storyboard cards (free, offline) for the start/end keyframes scenes lack; the "
                             "script is updated in place, its format and other fields kept.")
    @_refusals
    async def keyframes(script: Script, ctx: Context, scenes: Scenes = None,
                        force: Annotated[bool, Field(description="redraw scenes that have keyframes")] = False,
                        backend: Annotated[str, Field(description="sketch (the only one offered here)")] = "sketch",
                        ) -> dict[str, Any]:
        return await tools.keyframes(script, scenes, force, backend, _progress(ctx))

    @server.tool(description="Every clip a scene got is a take. action list (default; scenes filters), choose "
                             "(scene and take: that take becomes the scene's clip) or approve (scenes: drafts "
                             "approved for the final render). Deleting takes is left to a person.")
    @_refusals
    async def takes(script: Script, action: str = "list", scene: int | None = None, take: int | None = None,
                    scenes: Scenes = None, workspace: Workspace = None) -> dict[str, Any]:
        return await tools.takes(script, action, scene, take, scenes, workspace)

    @server.resource("scenetui://project", name="project", mime_type="application/json",
                     description="The folder this server serves and what it allows")
    def project_info() -> dict[str, Any]:
        return {"root": str(project.root), "maxSpendUsd": project.max_spend_cents / 100,
                "renders": [j.report() for j in tools.renders.all()]}

    @server.resource("scenetui://film/{+script}", name="film", mime_type="application/json",
                     description="The script's film and its captions: paths and metadata, not bytes",
                     security=ResourceSecurity(exempt_params={"script"}))
    async def film(script: str) -> dict[str, Any]:
        return await _as_resource(film_of(tools, script))

    @server.resource("scenetui://clips/{+script}", name="clips", mime_type="application/json",
                     description="Each scene's clip: path, duration, resolution, size, take",
                     security=ResourceSecurity(exempt_params={"script"}))
    async def clips(script: str) -> dict[str, Any]:
        return await _as_resource(clips_of(tools, script))

    return server


async def _as_resource(made: Awaitable[dict[str, Any]]) -> dict[str, Any]:
    try:
        return await made
    except UserError as exc:
        raise ValueError(exc.line()) from None


def serve_stdio(project: Project) -> None:
    """Serve until the client closes stdin."""
    import anyio

    anyio.run(build_server(project).run_stdio_async)
