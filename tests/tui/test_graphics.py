"""Pictures through the terminal's graphics protocol: keyframes and a paused frame as sixel (or kitty's protocol),
half blocks while a clip plays, and back to the picture when it stops."""

from __future__ import annotations

import itertools
import re
import time
from pathlib import Path

import pytest
from textual.strip import Strip

from scenetui.tui.screens.preview import PreviewScreen
from scenetui.tui.widgets.details import SceneDetails
from scenetui.tui.widgets.video import KittyFrame, SixelFrame, VideoView
from tests.tui.fake_terminal import FakeTerminal
from tests.tui.helpers import make_app, wait_for
from tests.tui.test_app import rendered
from tests.tui.test_playback import open_preview

SIXEL_START, SIXEL_END = "\x1bP", "\x1b\\"


def sixel_of(frame: SixelFrame) -> str:
    """The escape sequence the widget hands the terminal (sixel data rides in the last line's control segment)."""
    lines: list[Strip] = frame.render_lines(frame.region.reset_offset)
    text = "".join(seg.text for line in lines for seg in line)
    assert SIXEL_START in text and SIXEL_END in text, text[:80]
    return text[text.index(SIXEL_START):text.rindex(SIXEL_END) + 2]


def raster(sixel: str) -> tuple[int, int]:
    """The picture's size in pixels, from the sixel raster attributes (`"1;1;W;H`)."""
    attrs = sixel.split('"', 1)[1].split("#", 1)[0].split(";")
    return int(attrs[2]), int(attrs[3])


async def test_keyframes_and_a_paused_frame_are_drawn_as_sixel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SSH_CONNECTION", "SSH_TTY"):  # on this machine's own terminal: pixels while playing too
        monkeypatch.delenv(var, raising=False)
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    app.graphics = "sixel"
    async with app.run_test(size=(140, 44)) as pilot:
        await pilot.pause()
        await pilot.press("down")
        details = app.screen.query_one(SceneDetails)
        await wait_for(pilot, lambda: details.index == 0 and details.pictures_of == 0, what="both keyframe pictures")
        start, end = app.screen.query_one("#pic-start", SixelFrame), app.screen.query_one("#pic-end", SixelFrame)
        await wait_for(pilot, lambda: start.shown and end.shown, what="the pictures handed to the terminal")
        first, last = sixel_of(start), sixel_of(end)
        assert first == start.data and first != last  # two different keyframes, two different pictures
        width, height = raster(first)
        assert width >= 100 and height >= 60 and "#" in first  # a real picture: pixels and colour registers

        preview = await open_preview(app, pilot)
        clock = preview.clock
        clock.auto_pixels = False  # pixels while playing however slow this machine (pace: its own test)
        frame = preview.query_one(SixelFrame)
        await wait_for(pilot, lambda: frame.display and frame.data, what="the paused frame as sixel")
        assert not preview.query_one(VideoView).display
        pane = preview.query_one("#preview-stage").size
        paused = frame.data
        width, height = raster(paused)
        assert width >= pane.width * 8 or height >= pane.height * 16  # the whole pane, in the terminal's pixels
        await wait_for(pilot, lambda: frame.shown > 0, what="the frame handed to the terminal")
        await pilot.press("home")
        await wait_for(pilot, lambda: clock.shown.number == 0, what="the first frame")
        await pilot.press("space")  # playing: every frame as sixel too, encoded off the UI thread
        seen: set[str] = set()
        for _ in range(20):
            await pilot.pause(0.05)
            seen.add(frame.data)
        assert clock.playing and len(seen) >= 5, (len(seen), clock.fps(), clock.position)
        assert max(raster(d)[0] for d in seen - {paused}) <= 800  # lighter while playing
        await pilot.press("space")
        await wait_for(pilot, lambda: not clock.playing, what="paused")
        await pilot.pause(0.3)
        held = frame.data
        await pilot.pause(0.5)
        assert frame.data == held and raster(held)[0] > 800  # pause holds, the whole frame sharp again
        # g: half blocks while playing (what SSH gets by default); paused frames stay sixel. From the start and
        # looping, so a slow machine cannot reach the clip's end (which pauses it) before the blocks are seen.
        await pilot.press("home", "L")
        await wait_for(pilot, lambda: clock.loop and clock.shown.number == 0, what="the first frame, looping")
        await pilot.press("g", "space")
        await wait_for(pilot, lambda: clock.playing and preview.query_one(VideoView).display and not frame.display,
                       what="half blocks while playing")
        await pilot.press("space")
        # the frame shown now is a picture again, the one in the widget (paused where it may have been before)
        await wait_for(pilot, lambda: not clock.playing and frame.display and clock.shown.graphic is not None
                       and frame.data == clock.shown.graphic[0] and raster(frame.data)[0] > 800,
                       what="the paused frame in sixel again")
        assert isinstance(app.screen, PreviewScreen)


SIXEL = re.compile(r'\x1bP[0-9;]*q"1;1;(\d+);(\d+)')
KITTY_FRAME = re.compile(r"\x1b_Ga=T,U=1,f=100,i=(\d+),")


def registers(sixel: str) -> set[int]:
    """The colour registers a sixel picture defines (`#N;2;r;g;b`)."""
    return {int(n) for n in re.findall(r"#(\d+);2;", sixel)}


@pytest.mark.parametrize("speaks", ["sixel", "vt340", "xterm", "kitty", "kitty-0.26", "plain"])
def test_the_real_app_asks_its_terminal_and_draws_in_what_it_speaks(tmp_path: Path, speaks: str) -> None:
    """`scenetui open` on a pseudo-terminal that answers like kitty (new, or before 0.28: no Unicode placeholders,
    so half blocks), a sixel terminal (one that says only DA1, or xterm -ti vt340: 16 colour registers and
    1000×1000 at most, which every picture keeps to) or a plain one."""
    script, ws = rendered(tmp_path, 1)
    term = FakeTerminal(speaks)
    term.start("open", str(script), "--workspace", str(ws), cwd=tmp_path, env={"SCENETUI_GRAPHICS": "auto", "SSH_CONNECTION": "", "SSH_TTY": ""})
    sixel = speaks in ("sixel", "vt340", "xterm")
    try:
        term.wait_for("1/1 done", timeout=60)
        mark = len(term.output)
        term.type("\x1b[B")  # down: the scene, with its keyframes beside it
        if sixel:
            seen = term.wait_for(SIXEL, since=mark)
            width, height = map(int, SIXEL.search(seen).groups())
            assert width >= 100 and height >= 60, (width, height)
        elif speaks == "kitty":
            term.wait_for(KITTY_FRAME, since=mark)  # each picture sent as PNG with its virtual placement
            term.wait_for(chr(0x10EEEE), since=mark)  # and the cells that show it
        else:
            seen = term.wait_for("start keyframe", since=mark)
            term.wait_for("▀", since=mark)
            time.sleep(1.0)
            assert not SIXEL.search(term.output) and not KITTY_FRAME.search(term.output)
        mark = len(term.output)
        term.type("p")  # the preview opens paused on the middle frame
        if sixel:
            term.wait_for(re.compile(r"frame \d+/"), since=mark)
            # the whole pane's worth of pixels up to the terminal's largest picture (said by xterm and vt340,
            # 1000×1000 assumed when unsaid): wider than the 800 of a playing frame unless the terminal says less
            most = (800, 480) if speaks == "vt340" else (1000, 1000)
            paused = (r"80[1-9]|8[1-9]\d|9\d\d|1000" if speaks != "vt340" else r"\d+") + ";"
            seen = term.wait_for(re.compile(r'\x1bP[0-9;]*q"1;1;(?:' + paused + ")"), since=mark)
            assert max(map(int, SIXEL.findall(seen)[-1])) > 600, SIXEL.findall(seen)  # the pane's, not a thumbnail's
            mark = len(term.output)
            term.type(" gg")  # play (g twice: pixels by choice, kept however slow this machine): every frame sixel
            assert term.wait_count(SIXEL, 10, since=mark)
            pictures = re.findall(r"\x1bP[0-9;]*q.*?\x1b\\", term.output, re.S)
            assert pictures and all(raster(p)[0] <= most[0] and raster(p)[1] <= most[1] for p in pictures)
            used = set().union(*(registers(p) for p in pictures))
            assert max(used) < (16 if speaks == "vt340" else 256) and len(used) > 8, sorted(used)
            for picture in pictures:  # every register defined before the first pixel (xterm drew streaks else)
                pixels = picture.index("#", picture.index('"')) + len(re.match(r"(#\d+;2;\d+;\d+;\d+)*",
                                                                               picture[picture.index("#"):]).group(0))
                assert not re.search(r"#\d+;2;", picture[pixels:]), "a colour defined after the pixels began"
        elif speaks == "kitty":
            term.wait_for(re.compile(KITTY_FRAME.pattern + r"(?s:.*)frame \d+/"), since=mark)
            mark = len(term.output)
            term.type(" gg")  # play, in pixels by choice: each frame a picture under a fresh id, the one before deleted
            played = term.wait_count(KITTY_FRAME, 10, since=mark)
            ids = KITTY_FRAME.findall(played)
            assert len(set(ids)) >= 10, len(ids)
            deleted = set(re.findall(r"\x1b_Ga=d,d=I,i=(\d+)", played))
            assert len(deleted) >= len(set(ids)) - 3  # no image left behind in the terminal but the last few
        else:
            term.wait_for("frame ", since=mark)
            term.wait_for("▀", since=mark)
        if speaks == "kitty-0.26":  # the log says why no pictures
            assert "kitty(0.26.5) is older than kitty 0.28" in ws.joinpath("logs", "scenetui.log").read_text()
        term.type("\x1b")  # back to the scenes
        time.sleep(0.5)
        term.type("q")
        assert term.proc is not None and term.proc.wait(20) == 0, term.crash_report()
        assert "\x1b[?1049l" in term.output[mark:]  # the terminal given back
    finally:
        term.close()


async def test_kitty_frames_name_their_picture_in_the_cells(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kitty: the preview's cells are Unicode placeholders whose colour is the id of the frame just sent; playing
    sends each frame under a new id; g plays in half blocks instead."""
    for var in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(var, raising=False)
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    app.graphics = "kitty"
    sent: list[str] = []
    async with app.run_test(size=(140, 44)) as pilot:
        monkeypatch.setattr(app._driver, "write", sent.append)
        await pilot.pause()
        await pilot.press("down")
        preview = await open_preview(app, pilot)
        preview.clock.auto_pixels = False  # pixels while playing however slow this machine
        frame = preview.query_one(KittyFrame)
        await wait_for(pilot, lambda: frame.display and frame.image_id and frame.shown, what="a kitty frame")
        cols, rows = frame.cells
        x, y = frame._origin()
        line = frame.render_line(y)
        text = "".join(seg.text for seg in line)
        assert text.count(chr(0x10EEEE)) == cols and line.cell_length == frame.size.width
        colour = next(seg.style.color for seg in line if chr(0x10EEEE) in seg.text)
        assert colour.triplet is not None and int(colour.triplet.hex[1:], 16) == frame.image_id
        assert any(f"i={frame.image_id}," in s and f"c={cols},r={rows}" in s for s in sent)
        await pilot.press("home", "space")
        ids: set[int] = set()
        for _ in range(20):
            await pilot.pause(0.05)
            ids.add(frame.image_id)
        assert len(ids) >= 5 and any("a=d,d=I" in s for s in sent)
        await pilot.press("g")
        deadline = time.monotonic() + 60
        while not (preview.query_one(VideoView).display and not frame.display):
            assert time.monotonic() < deadline, "timed out waiting for half blocks while playing"
            if not preview.clock.playing:  # a slow machine may have played the clip to its end: play it again
                await pilot.press("home", "space")
            await pilot.pause(0.2)


async def test_a_sixel_picture_leaves_the_cursor_where_the_next_cells_go() -> None:
    """Textual writes the cells right of a widget's line where that line ends: the picture's last line must leave
    the cursor at the widget's right edge, or the pane border beside it is drawn one cell to the left (a stray copy
    of it stayed on screen after the picture was gone)."""
    import re as _re

    from textual.app import App, ComposeResult
    from textual.containers import Horizontal
    from textual.geometry import Region
    from textual.widgets import Static

    class Beside(App[None]):
        CSS = "SixelFrame { width: 30; height: 6; } Static { width: 1fr; }"

        def compose(self) -> ComposeResult:
            with Horizontal():
                yield Static("left", id="left")
                yield SixelFrame(id="pic")
                yield Static("|right", id="right")

    app = Beside()
    async with app.run_test(size=(80, 10)) as pilot:
        frame = app.query_one(SixelFrame)
        frame.show('\x1bPq"1;1;40;40#0;2;0;0;0#0~~~~\x1b\\', (4, 2))
        await pilot.pause()
        box = frame.content_region
        lines = frame.render_lines(Region(0, 0, box.width, box.height))
        x = box.x  # the terminal's cursor as it walks the last line
        for seg in lines[-1]:
            moved = _re.fullmatch(r"\x1b\[(\d+);(\d+)H", seg.text)
            if moved:
                x = int(moved.group(2)) - 1
            elif not seg.control:
                x += len(seg.text)
        assert x == box.right, f"the line ends at column {x}, Textual writes the next cells at {box.right}"


@pytest.mark.parametrize(("speaks", "said"), [("xterm", "sixel, 256 colours, 1000×1000 max: pictures scaled to fit"),
                                              ("kitty-0.26", "half blocks: kitty(0.26.5) is older than kitty 0.28")])
def test_doctor_says_how_pictures_are_drawn_here(tmp_path: Path, speaks: str, said: str) -> None:
    """doctor asks the terminal as the app does and says what it chose and why; xterm's TERM=xterm gets 256 colours
    (it named itself) instead of Textual's 16."""
    term = FakeTerminal(speaks)
    env = {"SCENETUI_GRAPHICS": "auto", "TERM": "xterm", "COLORTERM": "", "TEXTUAL_COLOR_SYSTEM": ""}
    term.start("doctor", "--workspace", str(tmp_path / "ws"), cwd=tmp_path, env=env)
    try:
        seen = term.wait_for(re.compile(r"ready|not ready"), timeout=60)
        assert said in seen, seen[-600:]
        colours = re.search(r"colours\s+(.*)", seen)
        assert colours, seen[-600:]
        assert ("256 colours" in colours.group(1)) == (speaks == "xterm"), colours.group(1)
    finally:
        term.close()


def test_a_playing_sixel_clip_never_writes_cells_over_its_picture(tmp_path: Path) -> None:
    """Cells written over a sixel picture erase its pixels: between two frames of the same size the app writes no
    cell inside the picture (the new frame overwrites the old in place) — neither for its own pane nor because the
    scenes' screen underneath changed. Each full repaint showed an empty pane in a real xterm."""
    script, ws = rendered(tmp_path, 1)
    term = FakeTerminal("xterm")
    term.start("open", str(script), "--workspace", str(ws), cwd=tmp_path,
               env={"SCENETUI_GRAPHICS": "auto", "SSH_CONNECTION": "", "SSH_TTY": ""})
    try:
        term.wait_for("1/1 done", timeout=60)
        term.type("\x1b[B")
        term.wait_for(SIXEL)
        mark = len(term.output)
        term.type("p")
        term.wait_for(re.compile(r"frame \d+/"), since=mark)
        term.wait_for(SIXEL, since=mark)
        term.type("\x1b[H")  # home: from the first frame
        time.sleep(0.5)
        mark = len(term.output)
        term.type(" gg")  # play, in pixels by choice (a slow machine would get half blocks by themselves)
        played = term.wait_count(SIXEL, 24, since=mark)
    finally:
        term.close()
    frames = list(re.finditer(r"\x1b\[(\d+);(\d+)H\x1bP[0-9;]*q\"1;1;(\d+);(\d+).*?\x1b\\", played, re.S))
    assert len(frames) >= 24
    cell_height = term.cell[1]
    checked = 0
    for before, after in itertools.pairwise(frames[2:]):  # the first frames change size (paused → playing)
        if before.groups() != after.groups():  # same place, same size
            continue
        top = int(after.group(1))
        rows = range(top + 1, top + -(-int(after.group(4)) // cell_height))
        between = played[before.end():after.start()]
        written = {int(r) for r in re.findall(r"\x1b\[(\d+);\d+H", between)}
        assert not written & set(rows), f"cells written over the picture (rows {sorted(written & set(rows))})"
        checked += 1
    assert checked >= 10, checked


async def test_pixels_that_cannot_keep_up_give_way_to_half_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal whose pictures take longer than two frames' time: after a second of play the clip goes on in half
    blocks and says why; paused frames stay pixels; g brings pixels back, and then they stay."""
    import scenetui.tui.graphics as graphics

    for var in ("SSH_CONNECTION", "SSH_TTY"):
        monkeypatch.delenv(var, raising=False)
    real = graphics.encode_sixel

    def slow(image, cols, rows, playing, pictures=None):  # noqa: ANN001, ANN202
        if playing:
            time.sleep(0.1)  # 10 fps at best, of the clip's 24
        return real(image, cols, rows, playing, pictures)

    monkeypatch.setattr(graphics, "encode_sixel", slow)
    script, ws = rendered(tmp_path, 1)
    app = make_app(script, ws)
    app.graphics = "sixel"
    async with app.run_test(size=(120, 40)) as pilot:
        preview = await open_preview(app, pilot)
        clock = preview.clock
        assert clock.encode_playing
        await pilot.press("home", "L", "space")
        await wait_for(pilot, lambda: not clock.encode_playing, timeout=30, what="half blocks by themselves")
        await wait_for(pilot, lambda: preview.query_one(VideoView).display, what="the half-block view")
        assert clock.playing and "pixels kept up with" in str(preview.query_one("#preview-status").render())
        await pilot.press("g")  # the person's choice: pixels, and the pace no longer decides
        assert clock.encode_playing and not clock.auto_pixels
        drawn = clock.drawn
        await wait_for(pilot, lambda: clock.drawn > drawn + 30, timeout=30, what="more frames")
        assert clock.encode_playing
