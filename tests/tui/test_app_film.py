"""The export screen's choices: a transition, music, the film's loudness and captions chosen in the app make the
same film as `scenetui export`, and the screen says the loudness it reached."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
from textual.widgets import Input, Select, Static

from scenetui.media.ffmpeg import locate_ffmpeg
from scenetui.media.probe import probe
from scenetui.tui.screens.export import ExportScreen
from tests.e2e.test_sound import integrated_lufs
from tests.tui.helpers import make_app, wait_for
from tests.tui.test_app import rendered


async def test_export_screen_with_a_dissolve_music_broadcast_loudness_and_captions(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    data = json.loads(script.read_text())
    data["scenes"][1]["caption"] = "The storm breaks."
    script.write_text(json.dumps(data))
    music = tmp_path / "tune.m4a"
    subprocess.run([str(locate_ffmpeg().path), "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=duration=3",
                    "-c:a", "aac", str(music)], check=True)
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    final.unlink()
    app = make_app(script, ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export screen")
        screen = app.screen
        screen.query_one("#export-transition", Select).value = "dissolve"
        screen.query_one("#export-seconds", Input).value = "1"
        screen.query_one("#export-music", Input).value = str(music)
        screen.query_one("#export-loudness", Select).value = "-23"
        screen.query_one("#export-captions", Select).value = "soft"
        screen.set_focus(None)
        await pilot.press("a")
        await wait_for(pilot, lambda: final.is_file() and not app.controller.running and app.controller.board.final,
                       what="the film")
        said = str(screen.query_one("#export-status", Static).render())
        assert "LUFS" in said and abs(float(said.split(" LUFS")[0].split()[-1]) + 23) <= 1, said
    info = probe(final, decode=True)
    assert info.frames == 300 - 30 and info.has_audio
    with av.open(str(final)) as c:
        assert c.streams.audio[0].codec_context.name == "aac"
        assert [s.codec_context.name for s in c.streams if s.type == "subtitle"] == ["mov_text"]
    assert abs(integrated_lufs(final) + 23) <= 1
    assert "The storm breaks." in final.with_suffix(".srt").read_text()


async def test_export_screen_refuses_a_file_that_is_not_audio(tmp_path: Path) -> None:
    script, ws = rendered(tmp_path)
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    before = final.read_bytes()
    app = make_app(script, ws)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export screen")
        app.screen.query_one("#export-music", Input).value = str(script)
        app.screen.set_focus(None)
        await pilot.press("a")
        await pilot.pause(0.5)
        assert any("not an audio file" in n.message for n in app._notifications)
        assert not app.controller.running
    assert final.read_bytes() == before
