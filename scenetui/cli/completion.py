"""Shell completion scripts generated from the command line's own grammar (shtab), so they never drift from it."""

from __future__ import annotations

import argparse
from pathlib import Path

SCRIPT_FILES = {  # script files first: JSON and TOML (firestore:ID is typed by hand)
    "bash": "_shtab_scenetui_script_files",
    "zsh": "_files -g '*.(json|toml)'",
    "fish": "(__fish_complete_suffix .json .toml)",
}
BASH_PREAMBLE = """
_shtab_scenetui_script_files() {
  local f
  compgen -d -S / -- "$1"
  while IFS= read -r f; do
    case "$f" in *.json|*.toml) [ -f "$f" ] && printf '%s\\n' "$f" ;; esac
  done < <(compgen -f -- "$1")
}

_shtab_scenetui_scene_numbers() {
  # the scene numbers of the script file already on the line; "0,2" completes its last part
  local w script="" head="" n
  for w in "${COMP_WORDS[@]:2}"; do
    case "$w" in *.json|*.toml) [ -f "$w" ] && { script=$w; break; } ;; esac
  done
  [ -n "$script" ] || return 0
  case "$1" in *,*) head="${1%,*}," ;; esac
  for n in $("${COMP_WORDS[0]}" completion --scenes-of "$script" 2>/dev/null); do
    case "$head$n" in "$1"*) printf '%s\n' "$head$n" ;; esac
  done
}
"""
SCENE_NUMBERS = {"bash": "_shtab_scenetui_scene_numbers"}  # zsh and fish keep their plain word completion


def _mark(parser: argparse.ArgumentParser, files: dict[str, str], dirs: dict[str, str]) -> None:
    """Tell shtab which arguments are script files, folders or other files."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark(sub, files, dirs)
            continue
        if action.dest in ("script", "target") or (action.dest == "words" and parser.prog.endswith("takes")):
            action.complete = SCRIPT_FILES  # type: ignore[attr-defined]
        elif action.metavar == "LIST" and action.dest in ("scenes", "first", "resubmit"):
            action.complete = SCENE_NUMBERS  # type: ignore[attr-defined]
        elif action.metavar in ("DIR", "WORKSPACE|SCRIPT") or action.dest == "root":
            action.complete = dirs  # type: ignore[attr-defined]
        elif action.metavar in ("FILE", "OUT", "FILE.otio|FILE.edl") or action.dest == "file":
            action.complete = files  # type: ignore[attr-defined]


def completion_script(shell: str) -> str:
    """The completion script for bash, zsh or fish."""
    import shtab

    from scenetui.cli.parsers import build_parser

    parser = build_parser()
    _mark(parser, shtab.FILE, shtab.DIRECTORY)
    return shtab.complete(parser, shell=shell, preamble={"bash": BASH_PREAMBLE})


def scene_numbers(path: Path) -> list[int]:
    """The scene numbers of a script file, read without checking its keyframes; none when it cannot be read."""
    from scenetui.script.file import parse_script

    data, problems = parse_script(path)
    scenes = data.get("scenes") if isinstance(data, dict) and not problems else None
    return list(range(len(scenes))) if isinstance(scenes, list) else []
