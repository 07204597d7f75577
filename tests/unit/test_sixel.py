"""The sixel encoder: what a terminal would decode is the picture, pixel for pixel in its palette; every register
is defined before the first pixel; runs are compressed."""

from __future__ import annotations

import re

import numpy as np
from PIL import Image

from scenetui.tui.sixel import encode


def decode(sixel: str) -> np.ndarray:
    """A small sixel reader (as a terminal reads one): the RGB pixels, from percent colours."""
    body = sixel[sixel.index("q") + 1:sixel.rindex("\x1b\\")]
    raster = re.match(r'"1;1;(\d+);(\d+)', body)
    assert raster, body[:40]
    width, height = int(raster.group(1)), int(raster.group(2))
    out = np.zeros((height + 6, width, 3), dtype=np.int32)
    registers: dict[int, tuple[int, int, int]] = {}
    x = y = 0
    colour = (0, 0, 0)
    for token in re.finditer(r"#(\d+)(?:;2;(\d+);(\d+);(\d+))?|!(\d+)([?-~])|([?-~])|(\$)|(-)", body[raster.end():]):
        select, r, g, b, count, repeated, single, cr, nl = token.groups()
        if select is not None:
            if r is not None:
                registers[int(select)] = (int(r), int(g), int(b))
            colour = registers[int(select)]
        elif repeated or single:
            bits = ord(repeated or single) - 63
            for _ in range(int(count) if count else 1):
                for row in range(6):
                    if bits >> row & 1:
                        out[y + row, x] = colour
                x += 1
        elif cr:
            x = 0
        elif nl:
            x, y = 0, y + 6
    return out[:height]


def test_decoded_is_the_quantised_picture() -> None:
    rng = np.random.default_rng(7)
    gradient = np.zeros((45, 80, 3), dtype=np.uint8)
    gradient[..., 0] = np.linspace(0, 255, 80)[None, :]
    gradient[..., 1] = np.linspace(255, 0, 45)[:, None]
    gradient[20:30, 10:70, 2] = rng.integers(0, 255, (10, 60))  # a noisy stripe: many colours in a band
    image = Image.fromarray(gradient)
    for colours in (256, 16):
        sixel = encode(image, colours)
        defined = re.findall(r"#(\d+);2;", sixel)
        assert len(defined) <= colours and len(set(defined)) == len(defined)
        first_pixel = re.search(r"#\d+(?!\d|;)", sixel)
        assert first_pixel and all(m.start() < first_pixel.start() for m in re.finditer(r"#\d+;2;", sixel))
        quantised = image.quantize(colors=colours, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        want = np.asarray(quantised.convert("RGB"), dtype=np.int32) * 100 // 255  # percent, as registers hold
        got = decode(sixel)
        assert got.shape == want.shape
        assert np.abs(got - want).max() <= 1  # the percent rounding, nothing else


def test_flat_runs_are_compressed() -> None:
    sixel = encode(Image.new("RGB", (300, 12), (10, 200, 30)))
    assert "!300~" in sixel and len(sixel) < 80, sixel
    assert decode(sixel).shape == (12, 300, 3)


def test_a_large_picture_of_every_kind_of_line_decodes_to_itself() -> None:
    """Hundreds of colours (three-digit registers), thousand-column runs, gaps inside a line, a last band of fewer
    than six rows, a colour in only some columns of a band."""
    rng = np.random.default_rng(3)
    w, h = 1200, 83
    pixels = np.zeros((h, w, 3), dtype=np.uint8)
    pixels[..., 0] = np.linspace(0, 255, w)[None, :]
    pixels[..., 2] = np.linspace(0, 255, h)[:, None]
    pixels[12:18] = (250, 250, 250)  # a band of one colour across the whole width: !1200
    pixels[30:50, 100:900:3] = rng.integers(0, 255, (20, 267, 3))  # speckle: many colours, gaps within lines
    pixels[80:] = (0, 0, 0)  # the last band: three rows
    image = Image.fromarray(pixels)
    sixel = encode(image)
    assert "!1200~" in sixel and len(re.findall(r"#(\d{3})(?!;|\d)", sixel)) > 0
    quantised = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    want = np.asarray(quantised.convert("RGB"), dtype=np.int32) * 100 // 255
    assert np.abs(decode(sixel) - want).max() <= 1
