"""A sixel encoder for pictures that change 24 times a second: one quantisation, the whole palette before the first
pixel (xterm draws registers defined on the way in the wrong places), and every sixel of the picture found at once
with array operations — only the (colour, column) pairs a band's pixels use, never a mask per colour and column of
the whole width — then run-length coded together, so a frame costs a few tens of milliseconds, not a hundred.
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
    if not index.size:
        return head + _ST
    band, colour, column, sixel = _sixels(index, used)
    lines, chars, lengths, first_runs = _runs(band, colour, column, sixel)
    return head + _picture_bytes(chars, lengths, first_runs, band[lines], colour[lines]).decode("ascii") + _ST


def _sixels(index: np.ndarray, used: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every sixel the picture needs, as (band, colour, column, bits), ordered by band, colour, column: for each
    column of a band, one per distinct colour among its six pixels, with the bits of the rows of that colour."""
    height, width = index.shape
    bands = -(-height // 6)
    padded = np.full((bands * 6, width), used, dtype=np.int16)  # rows past the picture: a colour never drawn
    padded[:height] = index
    six = padded.reshape(bands, 6, width).transpose(0, 2, 1)  # band, column, row
    bits = np.zeros(six.shape, dtype=np.uint8)
    first = six != used  # the first row of each colour in its column carries that colour's sixel
    for row in range(6):
        for other in range(6):
            same = six[..., other] == six[..., row]
            bits[..., row] |= same.astype(np.uint8) << other
            if other < row:
                first[..., row] &= ~same
    b, x, r = np.nonzero(first)  # in band, column, row order
    colour = six[b, x, r].astype(np.uint8)
    sixel = bits[b, x, r]
    # by band, then colour, columns kept in order: two stable (radix) sorts of small integers
    by_colour = np.argsort(colour, kind="stable")
    by_band = by_colour[np.argsort(b[by_colour].astype(np.uint16), kind="stable")]
    return b[by_band], colour[by_band], x[by_band], sixel[by_band]


def _runs(band: np.ndarray, colour: np.ndarray, column: np.ndarray,
          sixel: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The runs of each (band, colour) line: the empty columns before each stretch, then each stretch of one sixel.
    Returns each line's first sixel (an index into the inputs), every run's byte and length line after line, and
    each line's first run."""
    n = band.size
    new_line = np.ones(n, dtype=bool)
    new_line[1:] = (band[1:] != band[:-1]) | (colour[1:] != colour[:-1])
    before = np.empty(n, dtype=np.int64)
    before[0] = -1
    before[1:] = column[:-1]
    gap = np.where(new_line, column, column - before - 1)  # empty columns since the last sixel of the line
    starts = np.flatnonzero(new_line | (gap > 0) | np.r_[True, sixel[1:] != sixel[:-1]])
    counts = np.diff(np.append(starts, n))
    gaps = gap[starts]
    has_gap = gaps > 0
    slot = np.arange(starts.size) + np.cumsum(has_gap)  # a gap's run goes just before its stretch
    chars = np.empty(starts.size + int(has_gap.sum()), dtype=np.uint8)
    lengths = np.empty(chars.size, dtype=np.int64)
    chars[slot] = _EMPTY + sixel[starts]
    lengths[slot] = counts
    chars[slot[has_gap] - 1] = _EMPTY
    lengths[slot[has_gap] - 1] = gaps[has_gap]
    lines = np.flatnonzero(new_line)
    at = np.searchsorted(starts, lines)
    return lines, chars, lengths, slot[at] - has_gap[at]


def _picture_bytes(chars: np.ndarray, lengths: np.ndarray, first_runs: np.ndarray, line_band: np.ndarray,
                   line_colour: np.ndarray) -> bytes:
    """The picture's body: each line as `#colour` and its runs (four or more alike as !count and the sixel), lines
    of one band joined by `$`, bands by `-` — all at once, no loop over lines."""
    long = lengths >= 4
    digits = np.where(long, 1 + (lengths >= 10) + (lengths >= 100) + (lengths >= 1000) + (lengths >= 10000), 0)
    sizes = np.where(long, digits + 2, lengths)
    # each line's own bytes come after its prefix: "$" or "-" (not before the first line), "#", the colour
    separator = np.ones(line_band.size, dtype=np.int64)
    separator[0] = 0
    colour_digits = 1 + (line_colour >= 10).astype(np.int64) + (line_colour >= 100)
    prefix = separator + 1 + colour_digits
    run_line = np.repeat(np.arange(line_band.size), np.diff(np.append(first_runs, chars.size)))
    out_starts = np.concatenate(([0], np.cumsum(sizes)[:-1])) + np.cumsum(prefix)[run_line]
    line_starts = out_starts[first_runs] - prefix  # where each line's prefix begins
    out = np.empty(int(sizes.sum() + prefix.sum()), dtype=np.uint8)
    has = separator == 1
    out[line_starts[has]] = np.where(line_band[has] != np.r_[-1, line_band[:-1]][has], ord("-"), ord("$"))
    hash_at = line_starts + separator
    out[hash_at] = ord("#")
    _write_numbers(out, hash_at + 1, line_colour.astype(np.int64), colour_digits)
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
        _write_numbers(out, at + 1, count, width_of)
    return out.tobytes()


def _write_numbers(out: np.ndarray, at: np.ndarray, numbers: np.ndarray, digits: np.ndarray) -> None:
    """Write each of `numbers` in decimal, `digits` long, into `out` from `at` — all of them at once."""
    for place in range(int(digits.max(initial=0))):
        has = digits > place
        power = 10 ** (digits[has] - 1 - place)
        out[at[has] + place] = 48 + (numbers[has] // power) % 10
