"""Quantities in the words every screen uses."""

from __future__ import annotations


def human_size(n: int | None) -> str:
    """`3.2 MB`, `77.1 kB`; empty when unknown."""
    if n is None:
        return ""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def usd(cents: float | None, unknown: str = "—") -> str:
    """`$1,234.56` from cents: the one money format of every screen, log line and report; `unknown` when not known."""
    return unknown if cents is None else f"${cents / 100:,.2f}"
