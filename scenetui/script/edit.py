"""Changing a script file in place: only the named fields of the named scenes, keeping the file's format (JSON
indentation, TOML layout and comments), key order and every field scenetui does not know; whole or not at all."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from scenetui.errors import UserError
from scenetui.storage.atomic import write_text_atomic


def check_writable(path: Path) -> None:
    """Refuse before any work when the script (or its folder, for the rename) cannot be written."""
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        raise UserError(f"{path} cannot be written", hint="check the file's and its folder's permissions")


def _json_text(text: str, scenes_changes: dict[int, dict[str, Any]]) -> str:
    data = json.loads(text)
    for i, fields in scenes_changes.items():
        scene = data["scenes"][i]
        for key, value in fields.items():
            if value is None:
                scene.pop(key, None)  # a field cleared in an edit goes, rather than becoming null
            else:
                scene[key] = value
    found = re.search(r"\n([ \t]+)\S", text)
    indent: str | int | None = found.group(1) if found else None
    out = json.dumps(data, indent=indent, ensure_ascii=False)
    return out + ("\n" if text.endswith("\n") else "")


def _toml_text(text: str, scenes_changes: dict[int, dict[str, Any]]) -> str:
    import tomlkit

    doc = tomlkit.parse(text)
    scenes = doc["scenes"]
    for i, fields in scenes_changes.items():
        for key, value in fields.items():
            if value is None:
                scenes[i].pop(key, None)  # type: ignore[union-attr]
            else:
                scenes[i][key] = value  # type: ignore[index]
    return tomlkit.dumps(doc)


def set_scene_fields(path: Path, scenes_changes: dict[int, dict[str, Any]]) -> None:
    """Write `scenes_changes` (scene index -> camelCase field -> value) into the script file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
        out = _toml_text(text, scenes_changes) if path.suffix.lower() == ".toml" else _json_text(text, scenes_changes)
    except FileNotFoundError:
        raise UserError(f"{path} is gone", hint="your edit is kept as a draft; put the script back and save again") from None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        # Another editor or a sync tool left the file half-written or changed its shape: the edit waits.
        why = type(exc).__name__ if isinstance(exc, (KeyError, IndexError)) else str(exc).splitlines()[0][:120]
        raise UserError(f"{path.name} is not a script scenetui can change right now ({why})",
                        hint="your edit is kept as a draft; fix the file (or wait for the other editor) and save "
                             "again") from None
    write_text_atomic(path, out, mode=path.stat().st_mode & 0o7777)
