"""Pictures through the terminal's own graphics — kitty's protocol or sixel — where it speaks one; half blocks elsewhere.

The terminal is asked once, before Textual takes it over: textual-image sends its escape-sequence queries when it is
imported, and once Textual's input thread runs it would swallow the answers. Keyframes and the preview's frames
are encoded here, off the UI thread (textual-image's sixel encoder, or PNG for kitty), and placed by the
GraphicFrame widgets (tui/widgets/video.py), which write through Textual's own output. Over SSH a playing clip
defaults to half blocks: a picture per frame is megabytes a second down the link.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from PIL import Image as PILImage

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


PLAYING_PX = 800  # longest side of a frame while playing: ~40 ms to encode as sixel, 65-500 KB a frame
PAUSED_PX = 1920  # a paused frame may be as sharp as the pane allows


def over_ssh() -> bool:
    """A remote session: a picture per frame would be megabytes a second down the link."""
    return bool(os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"))


def _fit(image: PILImage.Image, cols: int, rows: int, playing: bool) -> tuple[PILImage.Image, int, int]:
    """`image` fitted into `cols`×`rows` cells in the terminal's pixels (aspect kept, at most PLAYING_PX a side
    while playing), with the cells it covers."""
    from PIL import Image
    from textual_image._terminal import get_cell_size

    cell = get_cell_size()
    fit = min(cols * cell.width / image.width, rows * cell.height / image.height)
    width, height = max(1, int(image.width * fit)), max(1, int(image.height * fit))
    covers = max(1, min(cols, -(-width // cell.width))), max(1, min(rows, -(-height // cell.height)))
    scale = min(fit, (PLAYING_PX if playing else PAUSED_PX) / max(image.width, image.height))
    size = max(1, int(image.width * scale)), max(1, int(image.height * scale))
    return image.convert("RGB").resize(size, Image.Resampling.BILINEAR), *covers


def encode_sixel(image: PILImage.Image, cols: int, rows: int, playing: bool) -> tuple[str, int, int]:
    """The picture as sixel data, with the cells it covers. Runs in the player's worker thread, never the UI's."""
    from textual_image._sixel import image_to_sixels

    fitted, covers_cols, covers_rows = _fit(image, cols, rows, playing)
    return image_to_sixels(fitted), covers_cols, covers_rows


def encode_kitty(image: PILImage.Image, cols: int, rows: int, playing: bool) -> tuple[str, int, int]:
    """The picture as base64 PNG for kitty's protocol, with the cells kitty scales it into. Worker thread."""
    import base64
    import io

    fitted, covers_cols, covers_rows = _fit(image, cols, rows, playing)
    out = io.BytesIO()
    fitted.save(out, format="PNG", compress_level=1)  # speed over size: a frame lives 40 ms
    return base64.standard_b64encode(out.getvalue()).decode("ascii"), covers_cols, covers_rows


# The encoder for each protocol (the preview's frames and the details' keyframes).
ENCODERS = {"sixel": encode_sixel, "kitty": encode_kitty}


def describe(graphics: Graphics) -> str:
    """For help and the log: how pictures are drawn here."""
    return {"kitty": "kitty graphics protocol", "sixel": "sixel", "halfblock": "half blocks"}[graphics]
