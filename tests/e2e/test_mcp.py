"""`scenetui mcp`: the official MCP client starts the server over stdio, as an agent would, and drives a whole job:
tools listed, validate, keyframes, estimate, a render in the background waited on with progress, status, export,
the film as a resource — and the refusals (paid work above the ceiling, paths outside the folder, bad input)."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.conftest import LUMA_KEY, luma_env, write_script

pytestmark = pytest.mark.e2e


@asynccontextmanager
async def agent(root: Path, *flags: str, env: dict[str, str] | None = None) -> AsyncIterator[Client]:
    """The server as an agent's config starts it: `scenetui mcp --root DIR …` over stdio."""
    params = StdioServerParameters(command=sys.executable, args=["-m", "scenetui", "mcp", "--root", str(root), *flags],
                                   cwd=str(root), env={**os.environ, **(env or {})})
    async with Client(params, read_timeout_seconds=240) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content[0].text  # type: ignore[union-attr]
    assert result.structured_content is not None
    return result.structured_content


async def refused(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error, result.structured_content
    text = result.content[0].text  # type: ignore[union-attr]
    assert "Traceback" not in text and "\n" not in text.strip()
    return text


async def test_an_agent_validates_draws_renders_waits_and_exports(tmp_path: Path) -> None:
    root = tmp_path / "project"
    script = write_script(root / "film", 2, scene_overrides={0: {"caption": "The sea at dusk."}})
    data = json.loads(script.read_text())
    del data["scenes"][1]["endKeyframe"]
    script.write_text(json.dumps(data))
    rel = "film/test.json"
    async with agent(root) as client:
        listed = {t.name: t for t in (await client.list_tools()).tools}
        assert {"validate", "estimate", "render", "wait_for_render", "status", "cancel", "export", "keyframes",
                "takes"} <= set(listed)
        assert all(t.description and len(t.description) > 40 for t in listed.values())
        assert listed["render"].input_schema["properties"]["max_spend_usd"]["description"]
        assert listed["render"].input_schema["required"] == ["script"]

        bad = dict(data, scenes=[dict(data["scenes"][0], startKeyframe="kf/nowhere.png")])
        (root / "film" / "bad.json").write_text(json.dumps(bad))
        checked = await call(client, "validate", script="film/bad.json")
        assert not checked["valid"] and checked["problems"][0]["location"].endswith("scenes[0].startKeyframe")
        assert "nowhere.png" in checked["problems"][0]["message"]
        drawn = await call(client, "keyframes", script=rel)
        assert [m["scene"] for m in drawn["made"]] == [1]
        assert (await call(client, "validate", script=rel))["valid"]

        started = await call(client, "render", script=rel)
        assert started["state"] == "running" and started["renderId"]
        told: list[tuple[float, float | None, str | None]] = []

        async def progress(done: float, total: float | None, message: str | None) -> None:
            told.append((done, total, message))

        waited = await client.call_tool("wait_for_render", {"render_id": started["renderId"], "timeout_s": 240},
                                        progress_callback=progress)
        report = waited.structured_content
        assert not waited.is_error and report is not None and report["state"] == "finished", report
        assert report["summary"]["exitCode"] == 0 and report["scenesDone"] == report["scenesTotal"] == 2
        assert sorted(m for _, _, m in told if m and m.endswith("1280x720)")) == \
            ["scene 0 done (5.0 s, 1280x720)", "scene 1 done (5.0 s, 1280x720)"]
        assert told[-1][0] == 2 and told[-1][1] == 2

        state = await call(client, "status", script=rel)
        assert [s["status"] for s in state["scenes"]] == ["completed", "completed"] and not state["rendering"]
        assert state["renders"][0]["state"] == "finished"
        film = await call(client, "export", script=rel, transition="dissolve", subtitles=True)
        assert film["exitCode"] == 0 and Path(film["final"]).is_file() and film["method"] == "transitions"

        read = await client.read_resource(f"scenetui://film/{rel}")
        shown = json.loads(read.contents[0].text)  # type: ignore[union-attr]
        assert shown["path"] == film["final"] and shown["sizeBytes"] == Path(film["final"]).stat().st_size
        assert sorted(Path(p).suffix for p in shown["captions"]) == [".srt", ".vtt"]
        clips = json.loads((await client.read_resource(f"scenetui://clips/{rel}")).contents[0].text)  # type: ignore[union-attr]
        assert [c["scene"] for c in clips["clips"]] == [0, 1] and all(Path(c["path"]).is_file() for c in clips["clips"])
        takes = await call(client, "takes", script=rel)
        assert [len(s["takes"]) for s in takes["scenes"]] == [1, 1]


async def test_paid_work_stays_within_the_ceiling(tmp_path: Path, fake_luma) -> None:  # noqa: ANN001
    root = tmp_path
    write_script(root / "script", 2)
    rel = "script/test.json"
    flags = ["--luma-base-url", fake_luma.base_url, "--keyframe-base-url", fake_luma.static_url()]
    async with agent(root, *flags, env=luma_env()) as client:  # the default ceiling: no paid work at all
        priced = await call(client, "estimate", script=rel, model="ray-2")
        assert priced["totalUsd"] > 0 and [s["scene"] for s in priced["scenes"]] == [0, 1]
        assert priced["serverCeilingUsd"] == 0
        said = await refused(client, "render", script=rel, backend="luma", max_spend_usd=priced["totalUsd"])
        assert "above this server's ceiling of $0.00" in said and "nothing was started" in said
        assert "needs max_spend_usd" in await refused(client, "render", script=rel, backend="luma")
    async with agent(root, *flags, "--max-spend", "50", env=luma_env()) as client:
        said = await refused(client, "render", script=rel, backend="luma", model="ray-2",
                             max_spend_usd=round(priced["totalUsd"] / 2, 2))
        assert f"the estimate ${priced['totalUsd']:.2f} is above" in said
        assert fake_luma.creates() == []  # nothing was paid for any refusal
        started = await call(client, "render", script=rel, backend="luma", model="ray-2",
                             max_spend_usd=priced["totalUsd"])
        assert started["estimateUsd"] == priced["totalUsd"]
        done = await call(client, "wait_for_render", render_id=started["renderId"], timeout_s=240)
        assert done["state"] == "finished" and done["summary"]["exitCode"] == 0, done
        assert len(fake_luma.creates()) == 2 and done["summary"]["spentThisRunCents"] == round(priced["totalUsd"] * 100)
        again = await call(client, "estimate", script=rel, model="ray-2")
        assert again["totalUsd"] == 0 and again["alreadyDone"] == [0, 1]
        everything = json.dumps([priced, started, done, again])
    assert LUMA_KEY not in everything


async def test_bad_input_is_one_line_and_starts_nothing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_script(root / "film", 4)
    (tmp_path / "outside.json").write_text("{}")
    rel = "film/test.json"
    async with agent(root) as client:
        assert "outside the project folder" in await refused(client, "validate", script="../outside.json")
        assert "outside the project folder" in await refused(client, "status", script=str(tmp_path / "outside.json"))
        assert "outside the project folder" in await refused(client, "render", script=rel, workspace="/tmp")
        assert "outside the project folder" in await refused(client, "export", script=rel, music="/etc/passwd")
        assert "file not found" in await refused(client, "estimate", script="film/missing.json")
        assert "cannot be negative" in await refused(client, "render", script=rel, max_spend_usd=-1)
        assert "no render 'render-9'" in await refused(client, "wait_for_render", render_id="render-9")
        assert "scene 7 does not exist" in await refused(client, "render", script=rel, scenes="7")
        assert "bridge" in await refused(client, "export", script=rel, transition="bridge")
        assert "deleting takes is left to a person" in await refused(client, "takes", script=rel, action="delete")
        assert not (root / "film" / "scenetui-workspace" / "videos").exists()  # nothing rendered by any refusal

        first = await call(client, "render", script=rel)
        said = await refused(client, "render", script=rel)
        assert "already rendering" in said and "nothing was started" in said
        for _ in range(80):  # the lock is taken once the render process has started (a lasting state, not an event)
            if (await call(client, "status", script=rel))["rendering"]:
                break
        cancelled = await call(client, "cancel", script=rel)
        assert cancelled["type"] == "cancelRequested" and cancelled["scenes"] is None
        ended = await call(client, "wait_for_render", render_id=first["renderId"], timeout_s=240)
        assert ended["state"] == "finished" and ended["summary"]["exitCode"] != 0, ended  # cancelled: not all done
        assert any(s["status"] == "cancelled" for s in ended["summary"]["scenes"]), ended
        state = await call(client, "status", script=rel)
        assert not state["rendering"] and len(state["renders"]) == 1  # the refused one never started


def test_bad_server_flags_are_one_line(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    for flags, said in ((["--root", str(tmp_path / "nowhere")], "not a folder"),
                        (["--root", str(tmp_path), "--max-spend", "-1"], "not a spend limit"),
                        (["--root", str(tmp_path), "--price-table", "none.json"], "file not found")):
        ran = run_cli("mcp", *flags)
        assert ran.returncode == 2 and said in ran.stderr and "Traceback" not in ran.stderr
