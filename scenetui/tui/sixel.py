"""A sixel encoder for pictures that change 24 times a second: one quantisation, the whole palette before the first
pixel (xterm draws registers defined on the way in the wrong places), and the six-row bands built and
run-length coded with array operations — a bit mask per colour and column, every run of the picture found at
once — so a frame costs a few tens of milliseconds, not a hundred.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

_ST = "\x1b\\"
_EMPTY = 63  # "?": a sixel with no pixel set; sixel n is the byte 63 + n


def encode(image: Image.Image, colours: int = 256) -> str:
    """`image` as a sixel picture of at most `colours` registers (2-256), its own size in pixels."""
    rgb = image.convert("RGB")
    width, height = rgb.size
    quantised = rgb.quantize(colors=max(2, min(256, colours)), method=Image.Quantize.FASTOCTREE,
                             dither=Image.Dither.NONE)
    index = np.asarray(quantised, dtype=np.uint8)
    used = int(index.max()) + 1 if index.size else 1
    palette = (quantised.getpalette() or [])[:3 * used]
    palette += [0] * (3 * used - len(palette))
    percent = [(value * 100 + 127) // 255 for value in palette]
    head = f'\x1bP0;0;0q"1;1;{width};{height}' + "".join(
        f"#{n};2;{percent[3 * n]};{percent[3 * n + 1]};{percent[3 * n + 2]}" for n in range(used))
    # where each pixel's bit goes in a colour × column mask, flattened (1-D indexing is the cheaper kind)
    keys = index.astype(np.intp) * width + np.arange(width)
    masks = np.zeros((used, width), dtype=np.uint8)
    flat = masks.reshape(-1)
    rows: list[np.ndarray] = []  # the sixels of each colour present in each band, band after band
    colours_of: list[list[int]] = []
    for top in range(0, height, 6):
        band = keys[top:top + 6]
        for row in range(band.shape[0]):
            flat[band[row]] |= np.uint8(1 << row)  # each (colour, column) once per row: no bit lost
        # the band's colours from its own pixels (not a pass over every colour's mask), and only their masks
        # cleared for the next band
        present = np.flatnonzero(np.bincount(index[top:top + 6].ravel(), minlength=used))
        rows.append(masks[present])
        masks[present] = 0
        colours_of.append(present.tolist())
    every = np.concatenate(rows) if rows else np.zeros((0, width), dtype=np.uint8)
    lines = _run_length(every + _EMPTY, width)
    out: list[bytes] = []
    at = 0
    for present in colours_of:
        out.append(b"$".join(b"#%d%s" % (colour, lines[at + n]) for n, colour in enumerate(present)))
        at += len(present)
    return head + b"-".join(out).decode("ascii") + _ST


def _run_length(sixels: np.ndarray, width: int) -> list[bytes]:
    """Each row of `sixels` (bytes 63-126) with its trailing empty sixels dropped and every run of four or more
    written as !count and the sixel — all rows at once."""
    if sixels.size == 0:
        return []
    filled = sixels != _EMPTY
    ends = width - filled[:, ::-1].argmax(axis=1)  # a row holds at least one pixel of its colour
    keep = np.arange(width)[None, :] < ends[:, None]
    data = sixels[keep]  # the rows one after another, each up to its last pixel
    row_starts = np.concatenate(([0], np.cumsum(ends)[:-1]))
    new_run = np.empty(data.size, dtype=bool)
    new_run[0] = True
    new_run[1:] = data[1:] != data[:-1]
    new_run[row_starts] = True  # no run crosses a row
    run_starts = np.flatnonzero(new_run)
    lengths = np.diff(np.append(run_starts, data.size))
    chars = data[run_starts]
    long = lengths >= 4
    digits = np.where(long, 1 + (lengths >= 10) + (lengths >= 100) + (lengths >= 1000) + (lengths >= 10000), 0)
    sizes = np.where(long, digits + 2, lengths)
    out_starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    out = np.empty(int(sizes.sum()), dtype=np.uint8)
    short = ~long
    if short.any():
        spans = lengths[short]
        firsts = np.repeat(out_starts[short], spans)
        within = np.arange(int(spans.sum())) - np.repeat(np.cumsum(spans) - spans, spans)
        out[firsts + within] = np.repeat(chars[short], spans)
    if long.any():
        at, count, width_of = out_starts[long], lengths[long], digits[long]
        out[at] = ord("!")
        out[at + width_of + 1] = chars[long]
        for place in range(int(width_of.max())):
            has = width_of > place
            power = 10 ** (width_of[has] - 1 - place)
            out[at[has] + 1 + place] = 48 + (count[has] // power) % 10
    row_out = out_starts[np.searchsorted(run_starts, row_starts)]
    bounds = np.append(row_out, out.size).tolist()
    buffer = out.tobytes()
    return [buffer[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
