"""Pictures drawn with text: two pixels per cell using the upper-half block, foreground over background."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from PIL import Image
from rich.color import Color
from rich.style import Style
from rich.text import Text

from scenetui.media.probe import open_media


def image_cells(img: Image.Image, width: int, height: int) -> Text:
    """The image fitted (aspect kept) into `width` columns × `height` rows of half blocks."""
    img = img.convert("RGB")
    scale = min(width / img.width, (height * 2) / img.height)
    w, h = max(1, int(img.width * scale)), max(2, int(img.height * scale) // 2 * 2)
    small = img.resize((w, h), Image.Resampling.BILINEAR)
    px = small.load()
    out = Text(no_wrap=True, overflow="crop")  # a picture never wraps into a mess when the pane is narrow
    styles: dict[tuple[tuple[int, int, int], tuple[int, int, int]], Style] = {}
    for y in range(0, h, 2):
        for x in range(w):
            key = (px[x, y], px[x, y + 1])
            style = styles.get(key)
            if style is None:
                style = styles[key] = Style(color=Color.from_rgb(*key[0]), bgcolor=Color.from_rgb(*key[1]))
            out.append("▀", style)
        if y + 2 < h:
            out.append("\n")
    return out


def file_cells(path: Path, width: int, height: int) -> Text:
    """A keyframe file as half-block cells; a line of text when it cannot be read."""
    try:
        with Image.open(path) as img:
            return image_cells(img, width, height)
    except (OSError, ValueError) as exc:
        return Text(f"(cannot show {path.name}: {exc})", style="dim")


def file_still(path: Path, longest: int = 960) -> Image.Image | Text:
    """A keyframe file as a picture for the terminal's graphics protocol (at most `longest` px a side); a line of
    text when it cannot be read."""
    try:
        with Image.open(path) as img:
            img = img.convert("RGB")
            img.thumbnail((longest, longest))
            return img
    except (OSError, ValueError) as exc:
        return Text(f"(cannot show {path.name}: {exc})", style="dim")


def video_frames(path: Path, count: int) -> list[tuple[float, Image.Image]]:
    """`count` frames spread evenly through a clip, with their times, decoded in-process (no ffmpeg binary)."""
    frames: list[tuple[float, Image.Image]] = []
    with open_media(path) as container:
        stream = container.streams.video[0]
        duration = float(container.duration / av.time_base) if container.duration else 0.0
        targets = [duration * (i + 0.5) / count for i in range(count)] if duration else [0.0]
        wanted = iter(targets)
        target = next(wanted)
        tb = stream.time_base or Fraction(1, 1000)
        for frame in container.decode(stream):
            t = float(frame.pts * tb) if frame.pts is not None else 0.0
            if t + 1e-6 >= target:
                img = frame.to_image()
                img.thumbnail((320, 180))
                frames.append((t, img))
                try:
                    target = next(wanted)
                except StopIteration:
                    break
    return frames
