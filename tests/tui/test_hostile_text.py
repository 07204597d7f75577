"""Text from a script is shown as text: brackets are words (AI scripts are full of [beat]), escapes never reach
the terminal — in the app, in `render`'s output and in `status`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli, write_script
from tests.tui.helpers import make_app, screen_text, wait_for

EVIL_TITLE = "[/bold] Evil \x1b]0;pwned\x07 [beat]"
SCENES = {0: {"title": "[/red] Storm [b]\x1b[2J", "description": "[link=x]y[/link]", "visualDescription": "[/]"},
          1: {"title": "\x1b[31mred [pause]"}}


def hostile(tmp_path: Path) -> Path:
    return write_script(tmp_path / "s", 2, extra={"title": EVIL_TITLE, "style": "[dim]noir"}, scene_overrides=SCENES)


async def test_the_app_shows_brackets_as_words_and_no_escapes(tmp_path: Path) -> None:
    app = make_app(hostile(tmp_path), tmp_path / "ws")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("down", "up")  # scene 1, then back to scene 0
        await wait_for(pilot, lambda: "[link=x]y[/link]" in screen_text(app), what="scene 0's details")
        text = screen_text(app)
        assert "[/red] Storm [b]" in text and "\x1b" not in text
        await pilot.press("g")
        await wait_for(pilot, lambda: app.controller.board.done == 2 and not app.controller.running, what="the render")
        assert "[pause]" in screen_text(app)


def test_render_and_status_print_no_escape_sequences(tmp_path: Path) -> None:
    script = hostile(tmp_path)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws))
    assert r.returncode == 0, r.stderr
    s = run_cli("status", str(script), "--workspace", str(ws))
    j = run_cli("status", str(script), "--workspace", str(ws), "--json")
    for out in (r.stdout, r.stderr, s.stdout, s.stderr, j.stdout):
        assert "\x1b" not in out and "\x07" not in out
    assert "[/red] Storm [b]?[2J" in s.stdout  # the escape is shown as '?', the brackets as they are
    assert json.loads(j.stdout)["scenes"][1]["title"] == "?[31mred [pause]"
