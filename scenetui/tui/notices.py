"""A render that ended, told the way terminals tell it: the bell, and a desktop notification where the terminal
shows one (OSC 9: iTerm2, WezTerm, Windows Terminal, kitty; OSC 777: foot, Konsole, urxvt; inside tmux wrapped in
its passthrough, which tmux forwards when `allow-passthrough` is on). Terminals that know neither ignore them."""

from __future__ import annotations

import os

from scenetui.domain.events import AssemblyFinished, RenderFinished


def ended_sentence(e: RenderFinished) -> str:
    """`4 rendered, 1 failed` — what the person comes back for."""
    parts = [f"{len(e.completed)} rendered"]
    parts += [f"{len(e.failed)} failed"] if e.failed else []
    parts += [f"{len(e.cancelled)} cancelled"] if e.cancelled else []
    return ", ".join(parts) + (", the film is assembled" if e.final else "")


def assembled_sentence(e: AssemblyFinished) -> str:
    """`the film is assembled (25.0 s)` — an export that ended on its own."""
    return f"the film is assembled ({e.duration:.1f} s)"


def _inert(text: str) -> str:
    """No byte that could end the sequence early or start another (BEL, ESC, any control), and no `;`, OSC 777's
    field separator."""
    return "".join(" " if ord(ch) < 32 or 127 <= ord(ch) < 160 else ch for ch in text).replace(";", ",")[:200]


def desktop_notice(title: str, body: str, *, in_tmux: bool | None = None) -> str:
    """The escape sequences that raise a desktop notification `title: body` (both made inert)."""
    title, body = _inert(title), _inert(body)
    parts = (f"\x1b]9;{title}: {body}\x07", f"\x1b]777;notify;{title};{body}\x07")
    if in_tmux if in_tmux is not None else bool(os.environ.get("TMUX")):
        parts = tuple(f"\x1bPtmux;{part.replace(chr(27), chr(27) * 2)}\x1b\\" for part in parts)
    return "".join(parts)
