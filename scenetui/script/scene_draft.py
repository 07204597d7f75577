"""Editing one scene's words in the person's own editor: the draft it is given, what came back, and whether it may
be saved. The draft is TOML (multi-line strings read naturally); only the fields that changed are saved."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from typing import Any

from scenetui.domain.prompt import build_prompt
from scenetui.domain.script import AIScript
from scenetui.script.file import Problem, scene_problems, validate_data

# camelCase field as stored -> what the draft calls it (the same) and its kind
FIELDS: dict[str, type] = {"title": str, "description": str, "visualDescription": str, "camera": str,
                           "characters": list}


@dataclass(frozen=True)
class EditOutcome:
    """What the editor's text means: the changed fields, or the problems that stop it being saved."""

    changes: dict[str, Any]
    problems: list[Problem]
    prompt: str = ""  # the scene's new prompt, for the regenerate question

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def _escape(ch: str, multiline: bool) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == "\t" or (ch == "\n" and multiline):
        return ch
    if ch == "\n":
        return "\\n"
    if ord(ch) < 0x20 or ord(ch) == 0x7F:  # TOML allows no other control character in a string, even multi-line
        return f"\\u{ord(ch):04x}"
    return ch


def _toml_string(value: str) -> str:
    """`value` as a TOML string that reads back exactly (an untouched draft must change nothing)."""
    if "\n" not in value:
        return '"' + "".join('\\"' if ch == '"' else _escape(ch, False) for ch in value) + '"'
    out = []
    for i, ch in enumerate(value):
        # A quote is escaped only where it could close the string: before another quote, or last.
        out.append('\\"' if ch == '"' and (i == len(value) - 1 or value[i + 1] == '"') else _escape(ch, True))
    return '"""\n' + "".join(out) + '"""'


def draft_text(script: AIScript, index: int) -> str:
    """The scene's editable fields as a commented TOML document."""
    scene = script.scenes[index]
    names = ", ".join(c.name for c in script.characters) or "(the script names none)"
    lines = [
        f"# Scene {index} of {script.title or script.id!r}: edit the fields, save and quit the editor.",
        "# Lines starting with # are ignored. Nothing is saved if the file is invalid or the editor fails.",
        f"# characters: names from the script ({names}). camera: e.g. push_in, pan_left, orbit_right, static.",
        "",
        f"title = {_toml_string(scene.title)}",
        f"description = {_toml_string(scene.description)}",
        f"visualDescription = {_toml_string(scene.visual_description)}",
        f"camera = {_toml_string(scene.camera or '')}",
        "characters = [" + ", ".join(_toml_string(c) for c in scene.characters) + "]",
        "",
    ]
    return "\n".join(lines)


def read_draft(script: AIScript, index: int, text: str) -> EditOutcome:
    """Parse and validate what the editor left; the script as a whole must still validate with the change."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return EditOutcome({}, [Problem("(edit)", f"not valid TOML: {exc}")])
    problems: list[Problem] = []
    for key in data:
        if key not in FIELDS:
            problems.append(Problem(f"(edit).{key}", f"not an editable field (these are: {', '.join(FIELDS)})"))
    for key, kind in FIELDS.items():
        if key in data and not isinstance(data[key], kind):
            problems.append(Problem(f"(edit).{key}", f"must be a {'list of names' if kind is list else 'string'}"))
    if problems:
        return EditOutcome({}, problems)
    current = script.scenes[index].model_dump(by_alias=True, mode="json")
    wanted = {k: (v or None) if k == "camera" else v for k, v in data.items()}
    changes = {k: v for k, v in wanted.items() if current.get(k) != v}
    if not changes:
        return EditOutcome({}, [])
    whole = script.model_dump(by_alias=True, mode="json", exclude_none=True)
    whole["scenes"][index].update(changes)
    if changes.get("camera") is None and "camera" in changes:
        whole["scenes"][index].pop("camera", None)
    edited, problems = validate_data(whole, context={"keyframes_optional": True})
    if edited is None:
        return EditOutcome(changes, problems)
    problems = [p for p in scene_problems(edited) if p.location.startswith(f"scenes[{index}]")]
    return EditOutcome(changes, problems, build_prompt(edited, edited.scenes[index]))
