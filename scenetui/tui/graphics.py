"""Pictures through the terminal's own graphics — kitty's protocol or sixel — where it speaks one; half blocks elsewhere.

The terminal is asked once, before Textual takes it over: textual-image sends its escape-sequence queries when it is
imported, and once Textual's input thread runs it would swallow the answers. Keyframes and the preview's frames
are encoded here, off the UI thread (tui/sixel.py, or PNG for kitty), and placed by the
GraphicFrame widgets (tui/widgets/video.py), which write through Textual's own output. Over SSH a playing clip
defaults to half blocks: a picture per frame is megabytes a second down the link.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from scenetui.tui.terminal_facts import TerminalFacts, ask

if TYPE_CHECKING:
    from PIL import Image as PILImage

Graphics = Literal["kitty", "sixel", "halfblock"]
Encoder = Callable[["PILImage.Image", int, int, bool], tuple[str, int, int]]

SIXEL_COLOURS = 256  # the most a sixel encoder here uses (and what most sixel terminals have)
SIXEL_MAX = (1000, 1000)  # xterm's default largest picture, assumed when a sixel terminal does not say its own
BACKGROUND = (18, 18, 18)  # the app's own background (#121212), around a picture's last cells
KITTY_PLACEHOLDERS = (0, 28)  # the first kitty that places pictures by Unicode placeholders


@dataclass(frozen=True)
class Pictures:
    """How pictures are drawn in this terminal: the protocol, its sixel limits, and why (for the log and doctor)."""

    graphics: Graphics = "halfblock"
    colours: int = SIXEL_COLOURS
    max_size: tuple[int, int] | None = None
    why: str = ""
    cell: tuple[int, int] | None = None  # a cell's size in pixels, as the terminal said it (pictures are fitted to it)

    @property
    def encoder(self) -> Encoder | None:
        """Turns a picture into this protocol's data and the cells it covers (None: half blocks, drawn as cells)."""
        if self.graphics == "sixel":
            return lambda image, cols, rows, playing: encode_sixel(image, cols, rows, playing, self)
        if self.graphics == "kitty":
            return encode_kitty
        return None

    def describe(self) -> str:
        """`sixel, 16 colours, 1000×1000 max: paused frames scaled to fit` — what was chosen, and why."""
        if self.graphics == "sixel":
            size = f", {self.max_size[0]}×{self.max_size[1]} max" if self.max_size else ""
            words = f"sixel, {self.colours} colours{size}"
            return words + (f": {self.why}" if self.why else ": pictures scaled to fit")
        words = {"kitty": "kitty graphics protocol", "halfblock": "half blocks"}[self.graphics]
        return words + (f": {self.why}" if self.why else "")


def choose(setting: str, protocol: Graphics, facts: TerminalFacts) -> Pictures:
    """The pictures for a terminal that answered `protocol` to textual-image's queries and `facts` to ours."""
    colours = max(2, min(SIXEL_COLOURS, facts.colours or SIXEL_COLOURS))
    size = facts.max_size or SIXEL_MAX
    sixel = Pictures("sixel", colours, size, "" if facts.max_size else
                     f"the terminal did not say its largest picture; {size[0]}×{size[1]} assumed")
    if setting == "sixel":
        return sixel
    if setting == "kitty":
        return Pictures("kitty", why="the setting says kitty")
    if protocol == "sixel":
        return sixel
    if protocol != "kitty":
        return Pictures("halfblock", why="the terminal speaks neither sixel nor kitty's graphics protocol")
    kitty = facts.version("kitty")
    if (kitty is not None and kitty >= KITTY_PLACEHOLDERS) or facts.version("ghostty") is not None:
        return Pictures("kitty", why=f"{facts.name} places pictures by Unicode placeholders")
    # kitty before 0.28 rejects the placeholders' U=1 (and shows boxes of missing glyphs); a terminal that
    # answers kitty's query without naming itself may lack them too.
    why = (f"{facts.name} is older than kitty 0.28, which first places pictures by Unicode placeholders"
           if kitty is not None else f"{facts.name or 'this terminal'} answers kitty's graphics query but does "
                                     "not say it is a kitty that places pictures by Unicode placeholders")
    return sixel if facts.sixel else Pictures("halfblock", why=why + "; SCENETUI_GRAPHICS=kitty forces it")


def detect(setting: str = "auto") -> Pictures:
    """How this terminal takes pictures: asked (auto) or taken from the setting; call before Textual is imported."""
    if os.environ.get("TEXTUAL_COLOR_SYSTEM", None) == "":
        del os.environ["TEXTUAL_COLOR_SYSTEM"]  # set but empty is no choice: Textual would stop on it (KeyError '')
    if setting == "halfblock":
        return Pictures("halfblock", why="the setting says half blocks")
    stdout, stdin = sys.__stdout__, sys.__stdin__
    if stdout is None or stdin is None or not (stdout.isatty() and stdin.isatty()):
        return Pictures("halfblock", why="not a terminal")  # a pipe (textual-serve, a redirect)
    if setting == "auto" and os.environ.get("TERM", "") in ("dumb", "linux"):
        return Pictures("halfblock", why=f"TERM={os.environ['TERM']} draws no pictures")
    facts = ask()
    _colour_system(facts)
    try:
        import textual_image.renderable as renderable  # the import asks the terminal (one round trip or two)
        import textual_image.widget  # noqa: F401 -- measures the cell size in pixels while it still can
    except Exception:  # a terminal that answers garbage must not keep the app from opening
        return Pictures("halfblock", why="the terminal's answers could not be read")
    from textual_image._terminal import get_cell_size

    protocol: Graphics = ("sixel" if renderable.Image is renderable.SixelImage else
                          "kitty" if renderable.Image is renderable.TGPImage else "halfblock")
    cell = get_cell_size()
    return replace(choose(setting, protocol, facts), cell=(cell.width, cell.height))


def _colour_system(facts: TerminalFacts) -> None:
    """xterm says TERM=xterm and no COLORTERM, so Textual would draw in 16 colours; xterm (named by XTVERSION)
    shows 256 and more. Set before Textual is imported, and never over the user's own choice."""
    env = os.environ
    if env.get("TEXTUAL_COLOR_SYSTEM") or env.get("COLORTERM") or env.get("TERM") != "xterm":
        return
    if facts.version("xterm") is not None:
        env["TEXTUAL_COLOR_SYSTEM"] = "256"


PAUSED_PX = 1920  # a paused frame may be as sharp as the pane allows


def over_ssh() -> bool:
    """A remote session: a picture per frame would be megabytes a second down the link."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def _fit(image: PILImage.Image, cols: int, rows: int, playing: bool, *, most: tuple[int, int] | None = None,
         scaled: bool = True) -> tuple[PILImage.Image, int, int]:
    """`image` fitted into `cols`×`rows` cells in the terminal's pixels (aspect kept, at most PLAYING_PX a side
    while playing, within `most` pixels), with the cells it covers: all the fitted cells where the terminal scales
    the picture into them (kitty), the picture's own where it draws pixels as they are (sixel)."""
    from PIL import Image
    from textual_image._terminal import get_cell_size

    from scenetui.control.playback import PLAYING_PX  # (lazily: not at startup, before Textual)

    cell = get_cell_size()
    fit = min(cols * cell.width / image.width, rows * cell.height / image.height)
    scale = min(fit, (PLAYING_PX if playing else PAUSED_PX) / max(image.width, image.height))
    if most is not None:
        scale = min(scale, most[0] / image.width, most[1] / image.height)
    size = max(1, int(image.width * scale)), max(1, int(image.height * scale))
    shown = (max(1, int(image.width * fit)), max(1, int(image.height * fit))) if scaled else size
    covers = max(1, min(cols, -(-shown[0] // cell.width))), max(1, min(rows, -(-shown[1] // cell.height)))
    return image.convert("RGB").resize(size, Image.Resampling.BILINEAR), *covers


def encode_sixel(image: PILImage.Image, cols: int, rows: int, playing: bool,
                 pictures: Pictures | None = None) -> tuple[str, int, int]:
    """The picture as sixel data within the terminal's colour registers and largest picture, with the cells it
    covers. Runs in the player's worker thread, never the UI's."""
    from PIL import Image
    from textual_image._terminal import get_cell_size

    from scenetui.tui import sixel

    pictures = pictures or Pictures("sixel")
    fitted, covers_cols, covers_rows = _fit(image, cols, rows, playing, most=pictures.max_size, scaled=False)
    # Filled out to whole cells in the app's background: mlterm shows its own (white, by default) in the part of a
    # cell a picture leaves bare — a light bar under every keyframe.
    cell = get_cell_size()
    most = pictures.max_size or (covers_cols * cell.width, covers_rows * cell.height)
    canvas = (max(fitted.width, min(covers_cols * cell.width, most[0])),
              max(fitted.height, min(covers_rows * cell.height, most[1])))
    if canvas != fitted.size:
        padded = Image.new("RGB", canvas, BACKGROUND)
        padded.paste(fitted, (0, 0))
        fitted = padded
    return sixel.encode(fitted, pictures.colours), covers_cols, covers_rows


def encode_kitty(image: PILImage.Image, cols: int, rows: int, playing: bool) -> tuple[str, int, int]:
    """The picture as base64 PNG for kitty's protocol, with the cells kitty scales it into. Worker thread."""
    import base64
    import io

    fitted, covers_cols, covers_rows = _fit(image, cols, rows, playing)
    out = io.BytesIO()
    fitted.save(out, format="PNG", compress_level=1)  # speed over size: a frame lives 40 ms
    return base64.standard_b64encode(out.getvalue()).decode("ascii"), covers_cols, covers_rows

