"""`render --dry-run`: the exact requests a render would send and their prices, with nothing sent and nothing paid."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import AGENTS_KEY, LUMA_KEY, agents_args, agents_env, json_lines, luma_args, luma_env, run_cli, \
    write_script
from tests.fakes.luma_agents_server import FakeLumaAgents


def test_ray32_dry_run_shows_each_body_and_sends_nothing(tmp_path: Path, fake_agents: FakeLumaAgents) -> None:
    script, ws = write_script(tmp_path / "script", 3), tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", "--dry-run", *agents_args(fake_agents),
                env=agents_env())
    assert r.returncode == 0, r.stderr
    lines = json_lines(r.stdout)
    scenes, summary = lines[:-1], lines[-1]
    assert [s["scene"] for s in scenes] == [0, 1, 2] and all(s["action"] == "create" for s in scenes)
    body = scenes[1]["request"]
    assert body["type"] == "video" and body["model"] == "ray-3.2" and "a view 1" in body["prompt"]
    assert body["video"]["start_frame"]["media_type"] == "image/png"
    assert "1-a.png" in body["video"]["start_frame"]["data"] and body["video"]["resolution"] == "720p"
    assert summary["type"] == "dryRunSummary" and summary["estimateCents"] == 90 and scenes[0]["priceCents"] == 30
    assert fake_agents.hits == {} and fake_agents.creates() == []  # not even a ping or an upload
    assert AGENTS_KEY not in r.stdout + r.stderr
    assert not list((ws / "videos").rglob("*.mp4")) if (ws / "videos").exists() else True
    # the same render for real sends exactly the bodies shown (the pictures inline in place of their description)
    real = run_cli("render", str(script), "--workspace", str(ws), "--json", *agents_args(fake_agents), env=agents_env())
    assert real.returncode == 0, real.stderr
    sent = next(c.body for c in fake_agents.creates() if "a view 1" in c.body["prompt"])
    assert {k: v for k, v in sent.items() if k != "video"} == {k: v for k, v in body.items() if k != "video"}
    assert {k: v for k, v in sent["video"].items() if not k.endswith("_frame")} == \
        {k: v for k, v in body["video"].items() if not k.endswith("_frame")}
    again = json_lines(run_cli("render", str(script), "--workspace", str(ws), "--json", "--dry-run",
                               *agents_args(fake_agents), env=agents_env()).stdout)
    assert again[-1]["done"] == [0, 1, 2] and len(again) == 1  # nothing left to send


def test_ray2_and_animatic_dry_runs(tmp_path: Path, fake_luma) -> None:  # noqa: ANN001
    script, ws = write_script(tmp_path / "script", 2), tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--dry-run", *luma_args(fake_luma), env=luma_env())
    assert r.returncode == 0, r.stderr
    assert "scene 0 — create" in r.stdout and "frame0" in r.stdout and fake_luma.static_url() in r.stdout
    assert "nothing was sent" in r.stdout and fake_luma.creates() == [] and LUMA_KEY not in r.stdout + r.stderr
    free = run_cli("render", str(script), "--workspace", str(tmp_path / "ws2"), "--dry-run", "--json")
    assert free.returncode == 0, free.stderr
    rows = json_lines(free.stdout)
    assert rows[0]["action"] == "render" and rows[0]["request"]["generator"].startswith("animatic")
    assert rows[-1]["estimateCents"] == 0
    assert not (tmp_path / "ws2" / "videos").exists() or not list((tmp_path / "ws2" / "videos").rglob("*.mp4"))
    bad = run_cli("render", str(script), "--dry-run", "--model", "ray-3.2", "--duration", "10s", "--continuity",
                  "--backend", "luma", env={**agents_env()})
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert json.loads(script.read_text())["scenes"][0]["startKeyframe"] == "kf/0-a.png"
