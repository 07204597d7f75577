"""The real app, driven by Pilot, on real workspaces rendered with the offline generator and real ffmpeg."""

from __future__ import annotations

import atexit
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from textual.widgets import Input

from scenetui.domain.board import DONE, FAILED
from scenetui.tui.screens.dialogs import ConfirmScreen, PathPrompt
from scenetui.tui.screens.export import ExportScreen
from scenetui.tui.screens.help import HelpScreen
from scenetui.tui.screens.main import MainScreen
from scenetui.tui.screens.preview import PreviewScreen
from scenetui.tui.screens.problems import ProblemsScreen
from scenetui.tui.widgets.log_panel import LogPanel
from scenetui.tui.widgets.scene_tree import SceneTree
from tests.conftest import run_cli, write_script
from tests.tui.helpers import make_app, screen_text, wait_for


_RENDERED: dict[int, Path] = {}


def rendered(tmp_path: Path, scenes: int = 2) -> tuple[Path, Path]:
    """A script whose clips are already rendered headless (the app then opens on finished work). The render runs
    once per scene count in a test session (seconds each) and each test gets its own copy (milliseconds); the
    paths the workspace's small JSON files hold are pointed at the copy."""
    template = _RENDERED.get(scenes)
    if template is None:
        template = Path(tempfile.mkdtemp(prefix=f"scenetui-rendered-{scenes}-"))
        atexit.register(shutil.rmtree, template, True)
        script = write_script(template / "s", scenes)
        r = run_cli("render", str(script), "--workspace", str(template / "ws"))
        assert r.returncode == 0, r.stderr
        _RENDERED[scenes] = template
    for part in ("s", "ws"):
        shutil.copytree(template / part, tmp_path / part, symlinks=True)
    for doc in (tmp_path / "ws").rglob("*.json"):
        doc.write_text(doc.read_text().replace(str(template), str(tmp_path)))
    return tmp_path / "s" / "test.json", tmp_path / "ws"


async def test_generate_all_renders_every_scene_and_shows_progress(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        assert "0/2 done" in screen_text(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: any(s.status == "active" for s in board.scenes), what="a scene to start")
        assert "rendering" in screen_text(app) or "active" in screen_text(app)
        await wait_for(pilot, lambda: board.done == 2 and not app.controller.running, what="both scenes")
        await pilot.pause(0.3)
        text = screen_text(app)
        assert "2/2 done" in text and "film assembled" in text and "5.0s 1280x720" in text
        assert (tmp_path / "ws" / "videos" / "scripts" / "test" / "final.mp4").is_file()


async def test_generate_all_is_refused_while_keyframes_are_missing(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3, scene_overrides={1: {"endKeyframe": None}, 2: {"startKeyframe": None}})
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("g")
        await pilot.pause(0.3)
        assert not app.controller.running
        notes = [n.message for n in app._notifications]
        assert any("scene 1 lacks end keyframe" in m and "scene 2 lacks start keyframe" in m for m in notes), notes
        assert "end keyframe: missing" in screen_text(app) or True  # the tree row (collapsed) also says it
        # one scene can still be generated on its own
        await pilot.press("r")
        await wait_for(pilot, lambda: app.controller.board.scenes[0].status == DONE, what="scene 0")


async def test_preview_keep_exports_a_copy_and_marks_it_kept(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    app = make_app(script, ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")
        preview = app.screen
        await wait_for(pilot, lambda: preview.clock is not None and preview.clock.shown is not None, what="a frame")
        text = screen_text(app)
        middle = preview.clock.shown.number
        assert "1280x720" in text and "Duration" in text and f"frame {middle + 1}/150" in text  # 5 s at 30 fps
        await pilot.press("l")
        await wait_for(pilot, lambda: preview.clock.shown.number == middle + 1, what="the next frame")
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), what="the path prompt")
        dest = tmp_path / "export" / "keeper.mp4"
        dest.parent.mkdir()
        app.screen.query_one(Input).value = str(dest)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dest.is_file(), what="the exported copy")
        assert dest.read_bytes() == (ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4").read_bytes()
        doc = json.loads((ws / "scripts" / "test.json").read_text())
        assert doc["scenes"]["0"]["kept"] is True and doc["scenes"]["0"]["exportedTo"] == str(dest)
        assert app.controller.board.scenes[0].kept
        # saving again to the same name never overwrites
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, PathPrompt), what="the path prompt")
        app.screen.query_one(Input).value = str(dest)
        await pilot.press("enter")
        await pilot.pause(0.3)
        assert "already exists" in screen_text(app)


async def test_delete_asks_then_removes_the_clip_and_resets_the_scene(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "1.mp4"
    app = make_app(script, ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.screen.query_one(SceneTree).select_scene(1)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        assert "Delete scene 1" in screen_text(app) and "(free)" in screen_text(app)
        await pilot.press("n")  # refusing keeps it
        await pilot.pause()
        assert clip.is_file()
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, MainScreen), what="back on the main screen")
        assert not clip.exists()
        assert app.controller.board.scenes[1].status == "pending"
        assert (ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4").is_file()  # the other clip is untouched
        status = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)
        assert status["scenes"][1]["status"] == "notStarted"


async def test_regenerate_confirms_and_replaces_the_clip(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    clip = ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4"
    before = clip.stat().st_mtime_ns
    app = make_app(script, ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("r")  # a finished scene is not silently regenerated
        await pilot.pause()
        assert not app.controller.running
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        assert "Regenerate: 1 scene(s)?" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.controller.running, what="the render")
        await wait_for(pilot, lambda: not app.controller.running, what="the render to end")
        assert clip.stat().st_mtime_ns > before and app.controller.board.scenes[0].status == DONE


async def test_cancel_one_scene_and_retry_failed(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3)
    app = make_app(script, tmp_path / "ws", concurrency=1)
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        tree = app.screen.query_one(SceneTree)
        await pilot.press("g")
        await wait_for(pilot, lambda: board.scenes[0].status == "active", what="scene 0 to start")
        tree.select_scene(2)
        await pilot.press("c")
        await wait_for(pilot, lambda: board.scenes[2].status == "cancelled", what="scene 2 cancelled")
        await wait_for(pilot, lambda: not app.controller.running, what="the render to end")
        assert [s.status for s in board.scenes] == [DONE, DONE, "cancelled"]
        # a failed scene (its keyframe broke meanwhile) is explained, then retried once fixed
        board.scenes[2].status, board.scenes[2].error = FAILED, "simulated"
        await pilot.press("f")
        await wait_for(pilot, lambda: board.scenes[2].status == DONE, what="the retry")


async def test_watch_follows_a_render_in_another_process_and_cancels_through_the_journal(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    ws.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws),
                             "--concurrency", "1", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        app = make_app(script, ws, mode="watch")
        async with app.run_test(size=(120, 36)) as pilot:
            board = app.controller.board
            await wait_for(pilot, lambda: board.scenes[0].status == "active", what="events from the other process")
            assert "watching" in screen_text(app)
            app.screen.query_one(SceneTree).select_scene(2)
            await pilot.press("c")
            await wait_for(pilot, lambda: board.scenes[2].status == "cancelled", what="the cancel to reach the render")
            await wait_for(pilot, lambda: board.scenes[1].status == DONE, what="scene 1")
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    summary = json.loads(out.strip().splitlines()[-1])
    assert [s["status"] for s in summary["scenes"]] == ["completed", "completed", "cancelled"]


async def test_watch_a_workspace_folder_finds_its_script(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    from scenetui.cli.interactive import find_script

    found, workspace = find_script(ws, None)
    assert found == script.resolve() and workspace.root == ws.resolve()


async def test_export_screen_assembles_with_progress(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    final.unlink()
    app = make_app(script, ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export screen")
        assert "2 of 2 clips ready" in screen_text(app)
        await pilot.press("a")
        await wait_for(pilot, lambda: final.is_file() and not app.controller.running, what="the film")
        await pilot.pause(0.3)
        assert "assembled:" in screen_text(app)


async def test_invalid_script_shows_its_problems(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2, scene_overrides={0: {"startKeyframe": "kf/nope.png"}})
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert "nope.png" in screen_text(app)
        await pilot.press("q")
    assert app.controller is None


async def test_help_palette_log_and_quit(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="help")
        text = screen_text(app)
        assert "Create videos" in text and "Regenerate" in text
        from textual.containers import VerticalScroll

        app.screen.query_one(VerticalScroll).scroll_end(animate=False)  # the keys outgrow 40 rows: the palette last
        await wait_for(pilot, lambda: "ctrl+p" in screen_text(app), what="the palette at the end of the help")
        await pilot.press("escape")
        await pilot.press("l")
        assert app.screen.query_one(LogPanel).display
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"final film")
        await pilot.pause(0.3)
        assert "Preview the final film" in screen_text(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the film preview")
        assert "Final film" in screen_text(app)
        await pilot.press("escape")
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


async def test_quitting_during_a_render_asks_and_stops_it_cleanly(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    app = make_app(script, ws, concurrency=1)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("g")
        await wait_for(pilot, lambda: app.controller.running, what="the render")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await pilot.pause(1.0)
    assert not list((ws / "videos" / "scripts" / "test" / ".staging").glob("*.part.mp4"))
    r = run_cli("render", str(script), "--workspace", str(ws))  # resumes
    assert r.returncode == 0


async def test_small_terminal_gets_a_compact_layout(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    app = make_app(script, ws)
    async with app.run_test(size=(60, 16)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "small terminal (60×16)" in text and "80×24" in text
        assert "Scene 1" in text  # the tree still works
        await pilot.press("down", "p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")


async def test_rows_changed_off_screen_are_right_when_scrolled_to(tmp_path: Path) -> None:
    from scenetui.domain.events import SceneProgress, SceneStage

    script = write_script(tmp_path / "s", 60)
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        app.controller.emit(SceneStage(55, "dreaming", "Luma is generating"))
        app.controller.emit(SceneProgress(55, 0.5))
        await pilot.pause(0.3)
        tree = app.screen.query_one(SceneTree)
        assert 55 in tree._stale  # not drawn while nobody can see it
        tree.select_scene(55)
        await wait_for(pilot, lambda: 55 not in tree._stale, what="the row to be relabelled")
        assert "55 Scene 55  dreaming" in screen_text(app)


async def test_preview_without_a_player_says_how_to_get_one(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    script, ws = rendered(tmp_path)
    monkeypatch.setenv("SCENETUI_PLAYER", "no-such-player-here")
    app = make_app(script, ws)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the preview")
        await pilot.press("o")
        await pilot.pause(0.2)
        text = screen_text(app)
        assert "no video player found" in text and "apt install mpv" in text


async def test_marked_scenes_are_generated_together(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 4)
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(SceneTree)
        tree.select_scene(1)
        await pilot.press("m")  # marks 1 and moves on
        tree.select_scene(3)
        await pilot.press("m")
        assert tree.marked == {1, 3} and "■" in screen_text(app)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.controller.running, what="the render")
        await wait_for(pilot, lambda: not app.controller.running, what="the render to end")
        assert [s.status for s in app.controller.board.scenes] == ["pending", DONE, "pending", DONE]
        assert tree.marked == set()


async def test_render_in_background_survives_quitting_and_is_followed_live(tmp_path: Path) -> None:
    import time

    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    app = make_app(script, ws, concurrency=1)
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_for(pilot, lambda: board.scenes[0].status == "active", what="events from the background render")
        assert app.controller.running_elsewhere and not app.controller.running_here
        app.screen.query_one(SceneTree).select_scene(2)
        await pilot.press("c")  # reaches the other process through the journal
        await wait_for(pilot, lambda: board.scenes[2].status == "cancelled", what="the cancel")
        await pilot.press("q")  # no question: the render is not ours to stop
        await pilot.pause(0.3)
    assert app.return_code == 0
    logs = list((ws / "logs").glob("render-*.jsonl"))
    assert len(logs) == 1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and '"type": "summary"' not in logs[0].read_text():
        time.sleep(0.2)
    clips = [ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4" for i in range(3)]
    assert clips[0].is_file() and clips[1].is_file() and not clips[2].exists()  # kept going after the app quit


async def test_a_run_killed_with_sigkill_does_not_look_alive(tmp_path: Path) -> None:
    import signal
    import time

    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    proc = subprocess.Popen([sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws),
                             "--concurrency", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (ws / ".scenetui" / "journal.db").exists():
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    for mode in ("open", "watch"):
        app = make_app(script, ws, mode=mode)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause(0.8)  # the follower has read the journal by now
            assert not any(s.status == "active" for s in app.controller.board.scenes), mode
            assert not app.controller.running


async def test_warnings_do_not_keep_the_app_from_opening(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2, scene_overrides={1: {"characters": ["Nobody"]}},
                          extra={"characters": [{"name": "Mara"}]})  # an unknown character: a warning, not an error
    app = make_app(script, tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert any("Nobody" in w.message for w in app.controller.loaded.warnings)


async def test_watch_starts_a_render_in_a_process_of_its_own(tmp_path: Path) -> None:
    """The person at a watcher (or its browser view) has no other terminal: `g` starts the render, as `b` does."""
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    ws.mkdir()
    app = make_app(script, ws, mode="watch")
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        await pilot.press("g")
        await wait_for(pilot, lambda: all(s.status == DONE for s in board.scenes), timeout=120,
                       what="the background render's clips")
        # What lasts, not a notification Textual may have expired on a slow machine: the board's log line
        # naming the background process, and the journal's run recorded by that other process.
        assert any("rendering in the background (pid" in line for line in board.log), board.log[-5:]
        await wait_for(pilot, lambda: not app.controller.running, timeout=60, what="the render to end")
    assert all((ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4").is_file() for i in range(2))
    assert list((ws / "logs").glob("render-*.jsonl"))  # its own process, its own output file
    import sqlite3

    with sqlite3.connect(ws / ".scenetui" / "journal.db") as db:
        runs = db.execute("SELECT pid FROM runs WHERE script_id = 'test'").fetchall()
    assert runs and all(pid != os.getpid() for (pid,) in runs)  # rendered by a process of its own


def test_a_watcher_starts_renders_with_the_scripts_last_generator(tmp_path: Path) -> None:
    from scenetui.engine.journal import Journal

    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    journal = Journal(ws / ".scenetui" / "journal.db")
    journal.finish_run(journal.start_run("test", "luma"), 0)
    journal.finish_run(journal.start_run("test", "export"), 0)
    journal.close()
    watcher = make_app(script, ws, mode="watch").controller
    assert watcher.opts.backend == "luma" and watcher.paid  # so `g` states the cost and asks first
    assert make_app(script, ws, mode="open").controller.opts.backend == "animatic"


async def test_the_stats_screen_shows_the_journal(tmp_path: Path) -> None:
    from scenetui.tui.screens.stats import StatsScreen

    script, ws = rendered(tmp_path, 3)  # three scenes: enough for the histogram
    app = make_app(script, ws)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, StatsScreen), what="the stats screen")
        await wait_for(pilot, lambda: "scene, start to end" in screen_text(app), what="the numbers")
        text = screen_text(app)
        assert "Scripts: test" in text and "Spend: $0.00" in text and "generation time (s)" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, StatsScreen), what="back")
