"""Text from scripts and servers made inert: no control or escape character survives to reach a terminal."""

from __future__ import annotations

import re
from typing import Any

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """`text` with control characters (ESC included, so no terminal sequence) shown as `?`; newlines and tabs kept."""
    return _CONTROL.sub("?", text)


def strip_controls(cls: Any, value: Any) -> Any:
    """A pydantic field validator: strings (and lists of strings) cleaned of control characters."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean(v) if isinstance(v, str) else v for v in value]
    return value
