"""Text from scripts and servers, made safe to print: no escape or control character reaches the terminal."""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` with control characters (ESC included, so no terminal sequence) shown as `?`; newlines and tabs kept."""
    return _CONTROL.sub("?", text)
