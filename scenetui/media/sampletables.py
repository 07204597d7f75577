"""A look at an MP4's sample tables before libavformat builds its index from them.

libavformat trusts the counts in `stsz`/`trun`: a 12 kB file claiming 50 million samples makes it allocate an index
of gigabytes and decode through millions of empty packets (minutes, with the app frozen). Every sample is bytes in
the file, so the claims are checked against the file's size first — box headers only, no decoding.
"""

from __future__ import annotations

import os
import stat
import struct
from array import array
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"moof", b"traf", b"edts", b"mvex"}
_MOOV_LIMIT = 256 * 1024 * 1024  # a moov box this big is no clip's: refuse rather than read it
# A sample whose size is not written out (a trun without sizes, a default size) counts at least this many bytes:
# a video frame is a length prefix and a NAL header at the least.
_MIN_SAMPLE_BYTES = 4


class ImplausibleClip(ValueError):
    """The file's tables claim more samples than its bytes could hold."""


def check_sample_tables(path: Path) -> None:
    """Raise ImplausibleClip when an MP4/MOV's sample tables claim more samples (or sample bytes) than the file
    holds; files that are not ISO media are left to the decoder."""
    # Not open(): on a FIFO that blocks until someone writes, in a thread no Ctrl-C can end.
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ImplausibleClip("it is not a regular file (a folder, pipe, device or socket)")
    os.set_blocking(fd, True)
    with os.fdopen(fd, "rb") as fh:
        size = fh.seek(0, 2)
        fh.seek(0)
        head = fh.read(8)
        if len(head) < 8 or head[4:8] not in (b"ftyp", b"moov", b"mdat", b"free", b"wide", b"skip", b"moof"):
            return
        claimed = 0
        for kind, start, length in _top_boxes(fh, size):
            if kind not in (b"moov", b"moof"):
                continue
            if length > _MOOV_LIMIT:
                raise ImplausibleClip(f"its {kind.decode()} box is {length:,} bytes")
            fh.seek(start)
            claimed += _samples(fh.read(length), size)
        if claimed * _MIN_SAMPLE_BYTES > size + 4096:
            raise ImplausibleClip(f"its tables claim {claimed:,} samples in {size:,} bytes")


def _header(buf: bytes, at: int, stop: int, to_end: int) -> tuple[bytes, int, int] | None:
    """The box header at buf[at:stop]: (kind, header length, box length; `to_end` when it says "to the end"), or
    None when no whole header is there or it is nonsense."""
    if at + 8 > stop:
        return None
    box, kind = struct.unpack_from(">I4s", buf, at)
    skip = 8
    if box == 1:
        if at + 16 > stop:
            return None
        box, skip = struct.unpack_from(">Q", buf, at + 8)[0], 16
    elif box == 0:
        box = to_end
    return (kind, skip, box) if box >= skip else None


def _top_boxes(fh: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, payload start, payload length) of each top-level box, read from headers only."""
    at = 0
    while at + 8 <= size:
        fh.seek(at)
        head = fh.read(16)
        found = _header(head, 0, len(head), size - at)
        if found is None:
            return
        kind, skip, box = found
        yield kind, at + skip, min(box, size - at) - skip
        at += box


def _children(data: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, payload start, box end) of each box inside data[start:end]."""
    at = start
    while True:
        found = _header(data, at, end, end - at)
        if found is None or at + found[2] > end:
            return
        kind, skip, box = found
        yield kind, at + skip, at + box
        at += box


def _samples(data: bytes, file_size: int) -> int:
    """Samples claimed inside one moov/moof payload; raises when one table alone is impossible."""
    total = 0
    stack = [(0, len(data))]
    while stack:
        start, end = stack.pop()
        for kind, body, stop in _children(data, start, end):
            if kind in _CONTAINERS:
                stack.append((body, stop))
            elif kind == b"stsz" and stop - body >= 12:
                fixed, count = struct.unpack_from(">II", data, body + 4)
                if fixed:
                    if fixed * count > file_size:
                        raise ImplausibleClip(f"its stsz claims {count:,} samples of {fixed:,} bytes in a "
                                              f"{file_size:,}-byte file")
                    if fixed < _MIN_SAMPLE_BYTES:  # PCM audio: bounded by the product above, indexed by chunk
                        continue
                else:
                    if 4 * count > stop - body - 12:
                        raise ImplausibleClip(f"its stsz lists {count:,} samples but has room for "
                                              f"{(stop - body - 12) // 4:,}")
                    sizes = array("I", data[body + 12:body + 12 + 4 * count])
                    sizes.byteswap()  # big-endian on disk
                    held = sum(sizes)
                    if held > file_size:
                        raise ImplausibleClip(f"its samples add up to {held:,} bytes in a {file_size:,}-byte file")
                total += count
            elif kind == b"trun" and stop - body >= 8:
                flags = int.from_bytes(data[body + 1:body + 4], "big")
                count = struct.unpack_from(">I", data, body + 4)[0]
                per_sample = 4 * sum(1 for bit in (0x100, 0x200, 0x400, 0x800) if flags & bit)
                if per_sample and per_sample * count > stop - body:
                    raise ImplausibleClip(f"its trun lists {count:,} samples but has room for fewer")
                if not flags & 0x200 and count * _MIN_SAMPLE_BYTES > file_size:
                    raise ImplausibleClip(f"its trun claims {count:,} samples in a {file_size:,}-byte file")
                total += count
    return total
