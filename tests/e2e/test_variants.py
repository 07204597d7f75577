"""Variants: `render --takes N` makes N takes of a scene at once, each journaled and paid once; a run killed in the
middle finishes the same request (it never starts it again), and the scene's clip stays the chosen one."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from pathlib import Path

from tests.conftest import LUMA_KEY, json_lines, luma_args, luma_env, run_cli, write_script
from tests.e2e.test_luma_crash import start_render, wait_until
from tests.fakes.luma_server import FakeLuma


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clip(ws: Path, i: int) -> Path:
    return ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4"


def takes(script: Path, ws: Path) -> dict[int, list[dict]]:
    r = run_cli("takes", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    return {row["scene"]: row["takes"] for row in json.loads(r.stdout)["scenes"]}


def test_takes_beside_a_clip_wait_to_be_chosen_and_a_scene_without_one_gets_the_first(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--scenes", "0", "--json")
    assert r.returncode == 0, r.stderr
    chosen = digest(clip(ws, 0))
    r = run_cli("render", str(script), "--workspace", str(ws), "--takes", "2", "--json")
    assert r.returncode == 0, r.stderr
    events = json_lines(r.stdout)
    made = [(e["scene_index"], e["take"], e["chosen"]) for e in events if e["type"] == "scene_completed"]
    assert sorted(made) == [(0, 2, False), (0, 3, False), (1, 1, True), (1, 2, False)], made
    listed = takes(script, ws)
    assert [(t["take"], t["chosen"]) for t in listed[0]] == [(1, True), (2, False), (3, False)]
    assert [(t["take"], t["chosen"]) for t in listed[1]] == [(1, True), (2, False)]
    assert digest(clip(ws, 0)) == chosen and clip(ws, 1).is_file()
    assert json_lines(r.stdout)[-1]["final"]  # the film is made from the chosen takes
    # the request is finished: asking again makes new takes, it does not find the old ones "done"
    again = run_cli("render", str(script), "--workspace", str(ws), "--takes", "1", "--scenes", "1", "--json")
    assert again.returncode == 0, again.stderr
    assert [t["take"] for t in takes(script, ws)[1]] == [1, 2, 3]


def test_bad_takes_requests_are_refused_with_one_line(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    for extra in (["--takes", "0"], ["--takes", "1000"], ["--takes", "-2"], ["--takes", "x"],
                  ["--takes", "2", "--continuity", "--backend", "luma"]):
        r = run_cli("render", str(script), "--workspace", str(ws), *extra)
        assert r.returncode == 2 and "Traceback" not in r.stderr, (extra, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1, (extra, r.stderr)
    assert not (ws / "videos").exists()


def test_variants_killed_mid_request_are_finished_never_paid_twice(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = write_script(tmp_path / "script", 1), tmp_path / "ws"
    # two creates a window: the third take of the request waits, and the render is killed while it does
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.2,
                  dreaming_s=1.5, creates_per_window=2, window_s=6.0) as fake:
        dry = run_cli("render", str(script), "--workspace", str(ws), "--takes", "3", "--dry-run", "--json",
                      *luma_args(fake), env=luma_env())
        assert dry.returncode == 0, dry.stderr
        rows = json_lines(dry.stdout)
        assert [(r["take"], r["action"]) for r in rows if r["type"] == "dryRun"] == [(1, "create"), (2, "create"), (3, "create")]
        summary = rows[-1]
        assert summary["newGenerations"] == 3 and summary["estimateCents"] == 3 * summary["priceCents"]
        assert fake.creates() == []
        proc = start_render(script, ws, fake, "--takes", "3")
        wait_until(lambda: len(fake.creates()) == 2, timeout=60, what="two of the three creates")
        time.sleep(0.5)
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
        assert len(fake.creates()) == 2
        # the same command again finishes the request: the two paid takes are picked up, one more is made
        again = start_render(script, ws, fake, "--takes", "3")
        out, err = again.communicate(timeout=240)
        assert again.returncode == 0, err
        assert len(fake.creates()) == 3, [c.id for c in fake.creates()]
        listed = takes(script, ws)[0]
        assert [(t["take"], t["chosen"]) for t in listed] == [(1, True), (2, False), (3, False)]
        assert {t["remoteId"] for t in listed} == {c.id for c in fake.creates()}
        result = json_lines(out)[-1]
        assert sorted(line["remote_id"] for line in result["ledger"]) == sorted(c.id for c in fake.creates())
        assert "finishing the 3 takes asked for earlier" in out
        # a finished request is not found again: another --takes 1 pays for exactly one more
        more = start_render(script, ws, fake, "--takes", "1")
        out, err = more.communicate(timeout=240)
        assert more.returncode == 0, err
        assert len(fake.creates()) == 4 and [t["take"] for t in takes(script, ws)[0]] == [1, 2, 3, 4]
        assert LUMA_KEY not in out + err
