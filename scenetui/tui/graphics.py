"""Pictures through the terminal's own graphics — kitty's protocol or sixel — where it speaks one; half blocks elsewhere.

The terminal is asked once, before Textual takes it over: textual-image sends its escape-sequence queries when it is
imported, and once Textual's input thread runs it would swallow the answers. Only keyframe pictures and a paused
frame go through a protocol; a playing clip stays in half blocks (a full picture per frame is heavy over SSH).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from PIL import Image as PILImage
    from textual.widget import Widget

Graphics = Literal["kitty", "sixel", "halfblock"]


def detect(setting: str = "auto") -> Graphics:
    """Which graphics this terminal speaks: asked (auto) or taken from the setting; call before `App.run`."""
    if setting == "halfblock":
        return "halfblock"
    stdout, stdin = sys.__stdout__, sys.__stdin__
    if stdout is None or stdin is None or not (stdout.isatty() and stdin.isatty()):
        return "halfblock"  # a pipe (textual-serve, a redirect): nobody there to draw pictures
    if setting == "auto" and os.environ.get("TERM", "") in ("dumb", "linux"):
        return "halfblock"  # the Linux console and dumb terminals answer nothing useful; don't wait on them
    try:
        import textual_image.renderable as renderable  # the import asks the terminal (one round trip or two)
        import textual_image.widget  # noqa: F401 -- measures the cell size in pixels while it still can
    except Exception:  # a terminal that answers garbage must not keep the app from opening
        return "halfblock"
    if setting in ("kitty", "sixel"):
        return setting  # type: ignore[return-value]
    if renderable.Image is renderable.SixelImage:
        return "sixel"
    if renderable.Image is renderable.TGPImage:
        return "kitty"
    return "halfblock"


def picture(graphics: Graphics, image: PILImage.Image, **kwargs: object) -> Widget:
    """A widget drawing `image` through the protocol (fitted to its box, aspect kept by width/height auto)."""
    from textual_image.widget import SixelImage, TGPImage

    cls = SixelImage if graphics == "sixel" else TGPImage
    return cls(image, **kwargs)  # type: ignore[arg-type]


PLAYING_PX = 800  # longest side of a sixel frame while playing: ~40 ms to encode, tens of KB a frame
PAUSED_PX = 1920  # a paused frame may be as sharp as the pane allows


def over_ssh() -> bool:
    """A remote session: a picture per frame would be megabytes a second down the link."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def encode_sixel(image: PILImage.Image, cols: int, rows: int, playing: bool) -> str:
    """`image` fitted into `cols`×`rows` cells (in the terminal's pixels, aspect kept) as sixel data; smaller while
    playing. Runs in the player's worker thread, never the UI's."""
    from PIL import Image
    from textual_image._sixel import image_to_sixels
    from textual_image._terminal import get_cell_size

    cell = get_cell_size()
    scale = min(cols * cell.width / image.width, rows * cell.height / image.height)
    longest = PLAYING_PX if playing else PAUSED_PX
    scale = min(scale, longest / max(image.width, image.height))
    size = max(1, int(image.width * scale)), max(1, int(image.height * scale))
    return image_to_sixels(image.convert("RGB").resize(size, Image.Resampling.BILINEAR))


def sixel_cells(data: str) -> tuple[int, int]:
    """How many cells (columns, rows) a sixel picture covers, from its raster attributes."""
    from textual_image._terminal import get_cell_size

    try:
        attrs = data.split('"', 1)[1].split("#", 1)[0].split(";")
        width, height = int(attrs[2]), int(attrs[3])
    except (IndexError, ValueError):
        return 0, 0
    cell = get_cell_size()
    return -(-width // cell.width), -(-height // cell.height)


def describe(graphics: Graphics) -> str:
    """For help and the log: how pictures are drawn here."""
    return {"kitty": "kitty graphics protocol", "sixel": "sixel", "halfblock": "half blocks"}[graphics]
