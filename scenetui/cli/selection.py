"""Parsing scene selections like `0,2-3`."""

from __future__ import annotations

from scenetui.errors import UserError

MAX_TAKES = 20  # takes of one scene asked for at once: more is a typo, not a plan


def check_takes(n: int) -> int:
    """The number of takes `--takes` may ask for, or a clear refusal."""
    if not 1 <= n <= MAX_TAKES:
        raise UserError(f"--takes {n}: a render makes 1 to {MAX_TAKES} takes of a scene at once",
                        hint="e.g. render SCRIPT --scenes 4 --takes 3")
    return n


def parse_scenes(text: str, count: int) -> list[int]:
    """Indices named by `text` (comma-separated numbers and inclusive ranges), checked against `count` scenes."""
    out: list[int] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        lo, sep, hi = part.partition("-")
        try:
            a = int(lo)
            b = int(hi) if sep else a
        except ValueError:
            raise UserError(f"--scenes: {part!r} is not a scene number or range", hint="use e.g. 0,2-3") from None
        if a > b:
            raise UserError(f"--scenes: range {part!r} runs backwards", hint="write the smaller number first")
        for i in range(a, b + 1):
            if not 0 <= i < count:
                raise UserError(f"--scenes: scene {i} does not exist", hint=f"the script has scenes 0 to {count - 1}")
            if i not in out:
                out.append(i)
    if not out:
        raise UserError("--scenes selects nothing", hint="use e.g. 0,2-3")
    return out
