"""docs/json.md read as data: which object types each command prints and their fields; every `--json` line the
suite's runs print is held to it."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "json.md"
EVENTS = "events"  # the section of the engine's events, shared by the commands it names
EVERY = "every command"
HEADING = re.compile(r"^## (.+)$")
ITEM = re.compile(r"^- `(\w+)`:(.*)$")
NAME = re.compile(r"`([\w ]+?)`")


@cache
def contract() -> dict[str, dict[str, frozenset[str]]]:
    """Section → object type → documented fields (`v` and `type` on all). A section is a command, or `events`."""
    sections: dict[str, dict[str, frozenset[str]]] = {}
    current: dict[str, dict[str, frozenset[str]]] = {}
    item: tuple[str, str] | None = None

    def close() -> None:
        if item is not None:
            kind, text = item
            head = text.split(" — ", 1)[0]  # fields come before the description
            fields = frozenset(NAME.findall(head)) | {"v", "type"}
            if "the `estimate` fields" in head or "as `render`'s" in head:
                fields |= sections["render"]["estimate"]
            if "the fields of `render`'s `summary`" in head:
                fields |= sections["render"]["summary"]
            for section in current.values():
                section[kind] = section.get(kind, frozenset()) | fields

    for line in DOC.read_text().splitlines():
        if m := HEADING.match(line):
            close()
            item = None
            title = m.group(1)
            if title.startswith("Events"):
                names = [EVENTS]
            elif title == "Every command":
                names = [EVERY]
            else:
                names = NAME.findall(title)
            current = {n: sections.setdefault(n, {}) for n in names}
        elif m := ITEM.match(line):
            close()
            item = (m.group(1), m.group(2))
        elif item is not None and line.startswith("  "):
            item = (item[0], item[1] + " " + line.strip())
        else:
            close()
            item = None
    close()
    return sections


def event_commands() -> set[str]:
    """The commands whose streams carry the engine's events (named in the events section's heading)."""
    for line in DOC.read_text().splitlines():
        if line.startswith("## Events"):
            return set(NAME.findall(line))
    raise AssertionError("docs/json.md has no events section")


def allowed(command: str) -> dict[str, frozenset[str]]:
    """Every object type `command --json` may print, with its fields."""
    c = contract()
    out = {**c[EVERY]}
    if command in event_commands():
        out.update(c[EVENTS])
    for kind, fields in c.get(command, {}).items():
        out[kind] = out.get(kind, frozenset()) | fields
    return out


def check_lines(command: str, stdout: str) -> list[dict[str, Any]]:
    """Each JSON line of a command's stdout: versioned, of a documented type, with documented fields only."""
    kinds = allowed(command)
    objects = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        obj = json.loads(line)
        assert obj.get("v") == 1, f"{command} --json printed an object without v=1: {line[:200]}"
        kind = obj.get("type")
        assert kind in kinds, f"{command} --json printed type {kind!r}, which docs/json.md does not list for it"
        extra = set(obj) - kinds[kind]
        assert not extra, f"{command} --json: {kind} has fields docs/json.md does not list: {sorted(extra)}"
        objects.append(obj)
    return objects


def command_of(args: tuple[str, ...] | list[str]) -> str | None:
    """The command a `scenetui` argument list runs (`config show` for config), when it prints JSON."""
    if "--json" not in args:
        return None
    words = [a for a in args if not a.startswith("-")]
    if not words:
        return None
    if words[0] == "config":
        return "config show"
    return words[0]
