"""The real app in real terminals on a virtual display, read back as pixels — xterm -ti vt340 (a white background,
1000×1000 pixels at most) and mlterm, stock settings, in sixel: keyframes and the paused frame in their own colours
and in their place, no light cells around them, a playing clip never an empty pane, keyframes drawn again for a
resized window; kitty 0.26 (too old for Unicode placeholders): half blocks, and nothing kitty rejects."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from scenetui.cli.demo import write_demo_script
from tests.conftest import IN_CI, run_cli
from tests.tui.fake_terminal import ROOT
from tests.tui.real_terminal import Display, Terminal, missing_tools, wait_until

pytestmark = pytest.mark.skipif(bool(missing_tools()) and not IN_CI,
                                reason=f"needs {', '.join(missing_tools())} (CI installs them)")

PLACED = re.compile(r"sixel picture (\d+)×(\d+) px at cell (\d+),(\d+) covering (\d+)×(\d+) cells \(([\w-]+)\)")
CELL = re.compile(r"a cell is (\d+)×(\d+) px")


def log_messages(ws: Path) -> list[str]:
    path = ws / "logs" / "scenetui.log"
    if not path.exists():
        return []
    messages = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            messages.append(json.loads(line).get("msg", ""))
        except ValueError:
            continue  # a line being written
    return messages


def placements(ws: Path, which: str) -> list[tuple[int, ...]]:
    """Every placement the app logged for that widget: (width px, height px, x, y, cols, rows)."""
    found = [PLACED.search(m) for m in log_messages(ws)]
    return [tuple(map(int, p.groups()[:6])) for p in found if p and p.group(7) == which]


def region(shot: Image.Image, placed: tuple[int, ...], cell: tuple[int, int]) -> Image.Image:
    width, height, x, y = placed[:4]
    return shot.crop((x * cell[0], y * cell[1], x * cell[0] + width, y * cell[1] + height))


def error(seen: Image.Image, want: Image.Image) -> tuple[float, float]:
    """Mean error per channel (0-255) and the share of pixels off by more than 60 in a channel."""
    diff = ImageChops.difference(seen, want)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    worst = diff.convert("L").point(lambda v: 255 if v > 20 else 0)  # L is a weighted mean: > 20 ≈ a channel > 60
    return mean, ImageStat.Stat(worst).mean[0] / 255


def light_pixels(shot: Image.Image, placed: tuple[int, ...], cell: tuple[int, int]) -> int:
    """Pixels in the terminal's own white background within the cells a picture covers (a picture leaving part
    of a cell bare showed a white bar under each keyframe; the keyframes here have no white)."""
    x, y, cols, rows = placed[2:6]
    cells = shot.crop((x * cell[0], y * cell[1], (x + cols) * cell[0], (y + rows) * cell[1]))
    white = cells.convert("L").point(lambda v: 255 if v >= 250 else 0)
    return round(ImageStat.Stat(white).sum[0] / 255)


def dusk_rendered(tmp_path: Path) -> tuple[Path, Path]:
    """The demo's first scene alone, rendered: Dusk, a sky of fine gradients where wrong colour registers show."""
    script = write_demo_script(tmp_path / "sample")
    data = json.loads(script.read_text())
    data["scenes"] = data["scenes"][:1]
    script.write_text(json.dumps(data))
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws))
    assert r.returncode == 0, r.stderr
    return script, ws


@pytest.mark.parametrize("terminal", ["xterm", "mlterm"])
def test_pictures_in_a_real_terminal(tmp_path: Path, terminal: str) -> None:
    script, ws = dusk_rendered(tmp_path)
    display = Display()
    env = {"SCENETUI_GRAPHICS": "auto", "SCENETUI_LOG_LEVEL": "DEBUG", "SSH_CONNECTION": "", "SSH_TTY": "",
           "PYTHONPATH": str(ROOT), "COLORTERM": "", "TEXTUAL_COLOR_SYSTEM": ""}
    term = Terminal(terminal, display, [sys.executable, "-m", "scenetui", "open", str(script), "--workspace", str(ws)],
                    cols=140, rows=44, cwd=tmp_path, env=env)
    try:
        said = wait_until(lambda: next((m for m in log_messages(ws) if "pictures drawn with" in m), None),
                          f"the app to say how it draws pictures ({terminal} said {term.output.read_bytes()[-500:]!r})")
        # the terminal's own answers: xterm says 1000×1000 (and 1024 registers), mlterm no largest size (assumed)
        assert "sixel, 256 colours, 1000×1000 max" in said, said
        cell = tuple(map(int, CELL.search(said).groups()))  # type: ignore[union-attr]
        display.keys("Down")
        start = wait_until(lambda: placements(ws, "pic-start"), "the start keyframe placed")[-1]
        wait_until(lambda: placements(ws, "pic-end"), "the end keyframe placed")
        keyframe = Image.open(tmp_path / "sample" / "keyframes" / "000-start.png").convert("RGB")

        def keyframe_right(placed: tuple[int, ...]) -> tuple[float, float]:
            """The picture is filled out to whole cells: its own part is the keyframe fitted by the bound axis."""
            width, height = placed[:2]
            own = (width, int(keyframe.height * width / keyframe.width))
            if own[1] > height:
                own = (int(keyframe.width * height / keyframe.height), height)
            shot = display.capture()
            want = keyframe.resize(own, Image.Resampling.BILINEAR)
            return error(region(shot, (*own, *placed[2:]), cell), want)

        # xterm draws a sixel a moment after it arrives: what lasts is a picture that matches
        mean, off = wait_until(lambda: e if (e := keyframe_right(start))[1] < 0.01 else None,
                               "the start keyframe drawn in its own colours", timeout=20)
        assert mean < 8, (mean, off)  # before: streaks across the sky, 3.5 % of the pixels off
        assert light_pixels(display.capture(), start, cell) < 20  # no white bar under the picture

        display.keys("p")  # the preview opens paused on the middle frame: the whole pane's worth, ≤ 1000 px
        paused = wait_until(lambda: [p for p in placements(ws, "preview-graphic") if p[0] > 600], "the paused frame")[-1]
        assert paused[0] <= 1000 and paused[1] <= 1000, paused
        from scenetui.media.playback import ClipPlayer

        clip = next((ws / "videos").rglob("0.mp4"))
        player = ClipPlayer(clip)
        middle = player.show(player.duration / 2, 140, 44, True).picture
        player.close()
        assert middle is not None
        want = middle.convert("RGB").resize(paused[:2], Image.Resampling.BILINEAR)
        mean, off = wait_until(lambda: e if (e := error(region(display.capture(), paused, cell), want))[0] < 12
                               else None, "the paused frame on screen", timeout=20)
        assert off < 0.05, (mean, off)

        # play, looping, in pixels by choice (g twice; a slow machine gets half blocks by themselves): never an
        # empty pane between two frames
        display.keys("Home", "L", "space", "g", "g")
        played = len(placements(ws, "preview-graphic"))
        wait_until(lambda: len(placements(ws, "preview-graphic")) > played + 24
                   and placements(ws, "preview-graphic")[-1][0] <= 800, "frames playing")
        playing = placements(ws, "preview-graphic")[-1]
        spreads = []
        for _ in range(12):
            picture = region(display.capture(), playing, cell)
            spreads.append(sum(ImageStat.Stat(picture).stddev) / 3)
        assert min(spreads) > 15, [round(s) for s in spreads]  # a blank pane has none

        display.keys("space", "Escape")  # back to the scenes, then a smaller window
        before = placements(ws, "pic-start")
        display.resize(terminal, 100 * cell[0], 36 * cell[1])
        # the old picture may be placed again at the new layout's place before the new-size one comes: wait for that
        wait_until(lambda: [p for p in placements(ws, "pic-start")[len(before):] if p[:2] != start[:2]],
                   "the keyframes drawn again at their new size")
        # the newest placement is the one on screen (the old picture may be placed once before it is drawn again)
        wait_until(lambda: e if (e := keyframe_right(placements(ws, "pic-start")[-1]))[1] < 0.01 else None,
                   "the resized keyframe drawn in its own colours", timeout=20)
        resized = placements(ws, "pic-start")[-1]
        assert resized[:2] != start[:2] and resized[4] <= 100 - resized[2], (start, resized)  # new size, in the window
        assert light_pixels(display.capture(), resized, cell) < 20
    finally:
        term.close()
        display.close()


def test_an_old_kitty_gets_half_blocks_not_broken_pictures(tmp_path: Path) -> None:
    """kitty 0.26 (Debian 12's) answers the graphics query but rejects Unicode-placeholder placements: the app
    asks its version, draws in half blocks and says why — kitty never complains, and the pictures are there."""
    script, ws = dusk_rendered(tmp_path)
    display = Display()
    env = {"SCENETUI_GRAPHICS": "auto", "SCENETUI_LOG_LEVEL": "DEBUG", "SSH_CONNECTION": "", "SSH_TTY": "",
           "PYTHONPATH": str(ROOT)}
    term = Terminal("kitty", display, [sys.executable, "-m", "scenetui", "open", str(script), "--workspace", str(ws)],
                    cols=140, rows=44, cwd=tmp_path, env=env)
    try:
        said = wait_until(lambda: next((m for m in log_messages(ws) if "pictures drawn with" in m), None),
                          f"the app to say how it draws pictures (kitty said {term.output.read_bytes()[-500:]!r})",
                          timeout=90)
        version = re.search(r"kitty\((0\.(\d+)[.\d]*)\)", said)
        assert version, said
        if int(version.group(2)) >= 28:  # a newer kitty than Debian's: its placeholders are the right choice
            assert "kitty graphics protocol" in said, said
            return
        assert "half blocks" in said and "older than kitty 0.28" in said, said
        display.keys("Down")  # the first scene: its keyframes in half blocks in the details pane
        keyframe = Image.open(tmp_path / "sample" / "keyframes" / "000-start.png").convert("RGB")
        sky = keyframe.resize((1, 1), Image.Resampling.BOX).getpixel((0, 0))

        def near_sky() -> int:
            """Cells of the details pane (the right half's upper part) in about the keyframe's mean colour."""
            import numpy as np

            shot = display.capture().convert("RGB")
            right = np.asarray(shot.crop((shot.width // 2, 0, shot.width, shot.height // 2)).resize((140, 44)))
            return int((np.abs(right.astype(int) - np.array(sky)).sum(axis=2) < 90).sum())

        wait_until(lambda: near_sky() > 40 or None, "the start keyframe's colours in the details pane", timeout=30)
        assert term.proc.poll() is None  # still running
        complaints = term.output.read_bytes().decode(errors="replace")
        assert "Malformed" not in complaints and "invalid key" not in complaints, complaints[-1000:]
    finally:
        term.close()
        display.close()


def test_moving_between_keyframes_of_other_shapes_leaves_no_trace(tmp_path: Path) -> None:
    """Tall keyframes, then wide ones, then tall again — before and after the window is resized: each picture
    replaces the last, and no sliver of the one before stays on screen."""
    script = write_demo_script(tmp_path / "sample")
    data = json.loads(script.read_text())
    data["scenes"] = data["scenes"][:3]
    colours = {1: (0, 200, 0), 2: (0, 0, 255)}  # scene 1 tall and green, scene 2 wide and blue
    for i, size in ((1, (480, 900)), (2, (1280, 720))):
        for which in ("start", "end"):
            Image.new("RGB", size, colours[i]).save(tmp_path / "sample" / "keyframes" / f"shape-{i}-{which}.png")
            data["scenes"][i][f"{which}Keyframe"] = f"keyframes/shape-{i}-{which}.png"
    script.write_text(json.dumps(data))
    ws = tmp_path / "ws"
    display = Display()
    env = {"SCENETUI_GRAPHICS": "auto", "SCENETUI_LOG_LEVEL": "DEBUG", "SSH_CONNECTION": "", "SSH_TTY": "",
           "PYTHONPATH": str(ROOT), "COLORTERM": "", "TEXTUAL_COLOR_SYSTEM": ""}
    term = Terminal("xterm", display, [sys.executable, "-m", "scenetui", "open", str(script), "--workspace", str(ws)],
                    cols=140, rows=44, cwd=tmp_path, env=env)

    def pixels(colour: tuple[int, int, int]) -> int:
        import numpy as np

        shot = np.asarray(display.capture()).astype(int)
        return int((np.abs(shot - np.array(colour)).sum(axis=2) < 60).sum())

    def shows(scene: int, act: Callable[[], None]) -> None:
        """After `act`, only that scene's colour is on screen: both its pictures whole, nothing of the other's."""
        other, before = colours[3 - scene], len(placements(ws, "pic-end"))
        act()

        def drawn() -> bool | None:
            newest = placements(ws, "pic-end")[before:][-1:]  # an old picture may be placed again first
            return bool(newest) and pixels(colours[scene]) > 0.7 * 2 * newest[0][0] * newest[0][1] or None

        wait_until(drawn, f"scene {scene}'s keyframes drawn", timeout=30)
        wait_until(lambda: pixels(other) < 10 or None, f"no trace of scene {3 - scene}'s keyframes", timeout=20)

    try:
        said = wait_until(lambda: next((m for m in log_messages(ws) if "pictures drawn with" in m), None),
                          f"the app to say how it draws pictures (xterm said {term.output.read_bytes()[-500:]!r})")
        cell = tuple(map(int, CELL.search(said).groups()))  # type: ignore[union-attr]
        shows(1, lambda: display.keys("Down"))  # scene 1: tall
        shows(2, lambda: display.keys("Down"))  # scene 2: wide
        shows(2, lambda: display.resize("xterm", 100 * cell[0], 36 * cell[1]))  # drawn again for a smaller window
        shows(1, lambda: display.keys("Up"))  # tall again
        shows(2, lambda: display.keys("Down"))
    finally:
        term.close()
        display.close()
