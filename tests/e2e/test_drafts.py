"""Drafts: `render --draft` makes a cheap take of every scene, `takes approve` picks the ones to finish, and
`render --final` makes their final takes — on ray-2 by Luma's upscale of the approved draft's own generation
(the fake serves POST /generations/{id}/upscale as the published contract says), on ray-3.2 by a new generation.
Each is estimated, journaled and paid once, also across kill -9."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

from scenetui.media.probe import probe
from tests.conftest import (LUMA_KEY, agents_args, agents_env, json_lines, luma_args, luma_env, run_cli,
                            write_script)
from tests.e2e.test_luma_crash import start_render
from tests.fakes.luma_server import FakeLuma


def takes(script: Path, ws: Path) -> dict[int, list[dict]]:
    r = run_cli("takes", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    return {row["scene"]: row["takes"] for row in json.loads(r.stdout)["scenes"]}


def clip(ws: Path, i: int) -> Path:
    return ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4"


def test_draft_approve_final_with_the_animatic_and_bad_input(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 3), tmp_path / "ws"
    # bad input first: nothing drafted, nothing approved — one line, exit 2, nothing made
    for args in (["render", str(script), "--final"], ["takes", "approve", str(script), "0"],
                 ["render", str(script), "--draft", "--takes", "2"], ["render", str(script), "--draft", "--final"]):
        r = run_cli(*args, "--workspace", str(ws))
        assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    assert not clip(ws, 0).exists()
    r = run_cli("render", str(script), "--workspace", str(ws), "--draft", "--json")
    assert r.returncode == 0, r.stderr
    listed = takes(script, ws)
    assert all(t[0]["draft"] and t[0]["chosen"] and t[0]["resolution"] == "960x540" for t in listed.values())
    # drafted already: a second draft pass does nothing; a reworded scene is drafted again and its new draft shown
    data = json.loads(script.read_text())
    data["scenes"][2]["description"] = "the scene, reworded"
    script.write_text(json.dumps(data))
    r = run_cli("render", str(script), "--workspace", str(ws), "--draft", "--json")
    assert r.returncode == 0, r.stderr
    made = [e["scene_index"] for e in json_lines(r.stdout) if e["type"] == "scene_completed"]
    assert made == [2]
    assert [(t["take"], t["chosen"]) for t in takes(script, ws)[2]] == [(1, False), (2, True)]
    # approving a scene twice over, or one without a draft among good ones, changes nothing
    bad = run_cli("takes", "approve", str(script), "0,7", "--workspace", str(ws))
    assert bad.returncode == 2 and not any(t["approved"] for t in takes(script, ws)[0])
    ok = run_cli("takes", "approve", str(script), "0,2", "--workspace", str(ws), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["scenes"] == [{"scene": 0, "take": 1}, {"scene": 2, "take": 2}]
    r = run_cli("render", str(script), "--workspace", str(ws), "--final", "--json")
    assert r.returncode == 0, r.stderr
    after = takes(script, ws)
    assert [(t["take"], t["chosen"], t["from"]) for t in after[0]] == [(1, False, None), (2, True, 1)]
    assert [(t["take"], t["chosen"], t["from"]) for t in after[2]] == [(1, False, None), (2, False, None), (3, True, 2)]
    assert [(t["take"], t["chosen"]) for t in after[1]] == [(1, True)]  # not approved: still its draft
    assert probe(clip(ws, 0)).resolution == "1280x720" and probe(clip(ws, 1)).resolution == "960x540"
    assert probe(Path(json_lines(r.stdout)[-1]["final"])).resolution == "1280x720"
    st = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)["scenes"]
    assert [(r["drafts"], r["approved"], r["clipIsDraft"]) for r in st] == [(1, 1, False), (1, None, True), (2, 2, False)]
    # finals made: a second --final makes nothing; prune keeps an approved draft
    again = run_cli("render", str(script), "--workspace", str(ws), "--final", "--json")
    assert again.returncode == 0 and not [e for e in json_lines(again.stdout) if e["type"] == "scene_completed"]
    pruned = run_cli("takes", "prune", str(script), "--keep", "1", "--workspace", str(ws), "--yes", "--json")
    assert pruned.returncode == 0, pruned.stderr
    assert [(t["take"], t["approved"]) for t in takes(script, ws)[2]] == [(2, True), (3, False)]


def test_ray2_drafts_are_flash_at_540p_and_finals_upscale_the_same_generation(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = write_script(tmp_path / "script", 2), tmp_path / "ws"
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.2,
                  dreaming_s=2.0) as fake:
        drafted = start_render(script, ws, fake, "--draft")
        out, err = drafted.communicate(timeout=240)
        assert drafted.returncode == 0, err
        estimate = json_lines(out)[0]
        assert estimate["type"] == "estimate" and estimate["newGenerations"] == 2 and estimate["priceCents"] == 17
        assert [(c.request["model"], c.request["resolution"]) for c in fake.creates()] == [("ray-flash-2", "540p")] * 2
        drafts = {i: t[0]["remoteId"] for i, t in takes(script, ws).items()}
        assert run_cli("takes", "approve", str(script), "0-1", "--workspace", str(ws)).returncode == 0
        dry = run_cli("render", str(script), "--workspace", str(ws), "--final", "--dry-run", "--json",
                      *luma_args(fake), env=luma_env())
        assert dry.returncode == 0, dry.stderr
        rows = json_lines(dry.stdout)
        assert [r["request"] for r in rows if r["type"] == "dryRun"] == [
            {"generation_type": "upscale_video", "resolution": "720p"}] * 2
        assert any("same motion" in n for n in rows[-1]["notes"])
        # the final pass, killed once both upscales are paid for: the rerun polls them, it never upscales again
        final = start_render(script, ws, fake, "--final")
        deadline = time.monotonic() + 60
        while len(fake.creates()) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.4)
        os.kill(final.pid, signal.SIGKILL)
        final.communicate(timeout=30)
        ups = [c for c in fake.creates() if c.source]
        assert len(ups) == 2 and {c.source for c in ups} == set(drafts.values())
        again = start_render(script, ws, fake, "--final")
        out, err = again.communicate(timeout=240)
        assert again.returncode == 0, err
        assert len(fake.creates()) == 4
        listed = takes(script, ws)
        for i in (0, 1):
            assert [(t["take"], t["chosen"], t["from"]) for t in listed[i]] == [(1, False, None), (2, True, 1)]
            assert listed[i][1]["remoteId"] in {c.id for c in ups} and listed[i][1]["model"] == "ray-flash-2 upscaled"
            assert probe(clip(ws, i), decode=True).resolution == "1280x720"
        st = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)["scenes"]
        assert [r["spentCents"] for r in st] == [17 + 100, 17 + 100]  # the draft and its upscale, per scene
        ledger = json_lines(out)[-1]["ledger"]
        assert sorted(line["remote_id"] for line in ledger) == sorted(c.id for c in fake.creates())
        assert LUMA_KEY not in out + err


def test_ray3_drafts_at_360p_and_finals_are_new_generations(tmp_path: Path, fake_agents) -> None:  # noqa: ANN001
    script, ws = write_script(tmp_path / "script", 1), tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", *agents_args(fake_agents, "--draft"),
                env=agents_env())
    assert r.returncode == 0, r.stderr
    assert json_lines(r.stdout)[0]["priceCents"] == 6
    assert [c.body["video"]["resolution"] for c in fake_agents.creates()] == ["360p"]
    assert probe(clip(ws, 0)).resolution == "640x360"
    assert run_cli("takes", "approve", str(script), "0", "--workspace", str(ws)).returncode == 0
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", *agents_args(fake_agents, "--final"),
                env=agents_env())
    assert r.returncode == 0, r.stderr
    estimate = json_lines(r.stdout)[0]
    assert estimate["priceCents"] == 30 and any("motion will differ" in n for n in estimate["notes"])
    assert [c.body["video"]["resolution"] for c in fake_agents.creates()] == ["360p", "720p"]
    assert [(t["take"], t["chosen"], t["from"]) for t in takes(script, ws)[0]] == [(1, False, None), (2, True, 1)]
    assert probe(clip(ws, 0)).resolution == "1280x720"
