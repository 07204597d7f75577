"""Steering a running render from another process (`scenetui queue`, through the journal): which waiting scene
goes next, pause and resume, more at once, and drain — what is in flight finishes, nothing new starts, the render
ends (exit 130) and the same command goes on from there, every scene paid once."""

from __future__ import annotations

import time
from pathlib import Path

from tests.conftest import LUMA_KEY, json_lines, run_cli, write_script
from tests.e2e.test_luma_crash import start_render, wait_until
from tests.fakes.luma_server import FakeLuma


def _scenes_created(fake: FakeLuma) -> list[int]:
    return [int(c.request["prompt"].split("things happen ")[1][0]) for c in fake.creates()]


def _queue_of(script: Path, ws: Path) -> dict | None:
    r = run_cli("status", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    return json_lines(r.stdout)[0]["queue"]


def test_queue_reorders_pauses_widens_and_drains_a_running_render(tmp_path: Path, asset_cache: Path) -> None:
    script, ws = write_script(tmp_path / "script", 6), tmp_path / "ws"

    def queue(*flags: str) -> None:
        r = run_cli("queue", str(script), "--workspace", str(ws), *flags)
        assert r.returncode == 0, r.stderr

    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=2.0) as fake:
        render = start_render(script, ws, fake, "--concurrency", "1")
        try:
            wait_until(lambda: len(fake.creates()) == 1, 60, "the first create")
            queue("--first", "5,4")  # the director wants 5, then 4
            wait_until(lambda: len(fake.creates()) == 2, 60, "the second create")
            assert _scenes_created(fake) == [0, 5]
            queue("--pause")
            wait_until(lambda: _queue_of(script, ws) == {"limit": 1, "paused": True, "draining": False}, 30,
                       "status saying the render is paused")
            time.sleep(3.0)  # scene 5 finishes meanwhile; nothing new may start
            assert _scenes_created(fake) == [0, 5]
            queue("--resume")
            wait_until(lambda: len(fake.creates()) == 3, 60, "a create after resuming")
            assert _scenes_created(fake)[2] == 4
            queue("--concurrency", "2")
            wait_until(lambda: fake.in_flight() >= 2, 30, "two generations in flight at once")
            queue("--drain")
            out, err = render.communicate(timeout=120)
        finally:
            if render.poll() is None:
                render.kill()
        assert render.returncode == 130, err
        made = _scenes_created(fake)
        summary = json_lines(out)[-1]
        drained = [s["index"] for s in summary["scenes"] if s["status"] == "drained"]
        assert drained and not set(drained) & set(made)  # never sent
        assert {s["index"] for s in summary["scenes"] if s["status"] == "completed"} == set(made)
        assert any("draining" in e.get("message", "") for e in json_lines(out) if e["type"] == "log")
        steered = [(e["limit"], e["paused"], e["draining"]) for e in json_lines(out) if e["type"] == "queue_changed"]
        assert steered == [(1, False, False), (1, True, False), (1, False, False), (2, False, False), (2, False, True)]
        assert _queue_of(script, ws) is None  # ended: nothing is steered
        again = start_render(script, ws, fake)
        out, err = again.communicate(timeout=240)
        assert again.returncode == 0, err
        assert sorted(_scenes_created(fake)) == list(range(6)) and fake.duplicate_creates() == 0


def test_queue_without_a_render_or_with_bad_values_is_one_line(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    for flags, says in ((["--drain"], "no render of this script is running"), (["--concurrency", "0"], "out of range"),
                        (["--first", "9"], "9"), ([], "one of the arguments")):
        r = run_cli("queue", str(script), "--workspace", str(ws), *flags)
        assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr, (flags, r.stderr)


def test_queue_asking_more_than_the_account_holds_gets_the_account_limit(tmp_path: Path, asset_cache: Path,
                                                                          monkeypatch) -> None:  # noqa: ANN001
    script, ws = write_script(tmp_path / "script", 3), tmp_path / "ws"
    monkeypatch.setenv("SCENETUI_LUMA_MAX_IN_FLIGHT", "1")  # one generation in flight: two scenes at once at most
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=1.5) as fake:
        render = start_render(script, ws, fake, "--concurrency", "1")
        try:
            wait_until(lambda: len(fake.creates()) == 1, 60, "the first create")
            r = run_cli("queue", str(script), "--workspace", str(ws), "--concurrency", "5")
            assert r.returncode == 0, r.stderr
            wait_until(lambda: (_queue_of(script, ws) or {}).get("limit") == 2, 30, "the account's limit")
            out, err = render.communicate(timeout=120)
        finally:
            if render.poll() is None:
                render.kill()
    assert render.returncode == 0, err
    logged = [e.get("message", "") for e in json_lines(out) if e["type"] == "log"]
    assert any("2 scene(s) at once, the most this account works on (asked for 5)" in m for m in logged), logged
    assert [e["limit"] for e in json_lines(out) if e["type"] == "queue_changed"] == [2]
    assert sorted(_scenes_created(fake)) == [0, 1, 2] and fake.duplicate_creates() == 0
