"""The one way out for `--json`: every object a command prints carries the contract's version (docs/json.md)."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import IO, Any

# Bumped only when a field changes meaning or goes away; new fields and new types keep it (readers ignore extras).
JSON_VERSION = 1


def versioned(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as the contract has it: `v` first, then its own fields."""
    return {"v": JSON_VERSION, **obj}


def emit(obj: Mapping[str, Any], out: IO[str] | None = None) -> None:
    """Print one object as one line of JSON and flush it, so a reader sees it as soon as it happens."""
    stream = out or sys.stdout
    stream.write(json.dumps(versioned(obj)) + "\n")
    stream.flush()
