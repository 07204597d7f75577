"""Reading a script file (JSON or TOML) and listing every problem in it with its location."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import ValidationError

from scenetui.domain import AIScript
from scenetui.errors import ScriptInvalid
from scenetui.media.images import image_problem

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a script, with where it is."""

    location: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass(frozen=True)
class LoadedScript:
    """A validated script and where its keyframes are: relative to its file, or fetched from a bucket."""

    script: AIScript
    path: Path | None  # the script file; None for a Firestore script
    warnings: tuple[Problem, ...] = ()
    source: str = ""  # how the user named it when not a file: firestore:ID
    fetched: Mapping[str, Path] = field(default_factory=dict)  # keyframe refs fetched from Storage -> local copies
    origins: Mapping[Path, object] = field(default_factory=dict)  # local copy -> the object it came from

    @property
    def base_dir(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    @property
    def name(self) -> str:
        """The script as the user names it on the command line."""
        return self.source or str(self.path)

    def keyframe_source(self, ref: str) -> str | Path:
        """An https URL as given, or the absolute local path of a keyframe."""
        if ref in self.fetched:
            return self.fetched[ref]
        if is_url(ref):
            return ref
        p = Path(ref).expanduser()
        return p if p.is_absolute() else (self.base_dir / p).resolve()


def is_url(ref: str) -> bool:
    """A reference with a scheme (https:, file:, javascript:, data:) is a URL, never a path."""
    return "://" in ref or bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]+:", ref))


def url_problem(ref: str) -> str | None:
    """Why a keyframe URL cannot be used (https, or plain http on loopback for tests and local hosts)."""
    url = urlparse(ref)
    if url.scheme == "https" and url.hostname:
        return None
    if url.scheme == "http" and url.hostname in LOOPBACK_HOSTS:
        return None
    return f"keyframe URL must be https:// (got {ref!r})"


def _loc(parts: tuple[Any, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(script)"


MAX_SCRIPT_BYTES = 16 * 1024 * 1024  # a long script is a few hundred KB; anything near this is not a script


class _Duplicate(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number a script may hold")


def _non_finite(data: Any, where: str = "") -> str | None:
    """The location of a NaN or infinite float anywhere in `data` (TOML allows them; scripts may not)."""
    stack = [(data, where)]
    while stack:
        item, loc = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return loc or "(script)"
        if isinstance(item, dict):
            stack.extend((v, f"{loc}.{k}" if loc else str(k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, f"{loc}[{i}]") for i, v in enumerate(item))
    return None


def _read_script_bytes(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The file's bytes when it is a regular file of sane size (a FIFO or a device would block or never end)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None, [Problem(str(path), "file not found")]
    except OSError as exc:
        return None, [Problem(str(path), f"cannot read: {exc.strerror}")]
    if stat.S_ISDIR(st.st_mode):
        return None, [Problem(str(path), "is a directory, not a script file")]
    if not stat.S_ISREG(st.st_mode):
        return None, [Problem(str(path), "is not a regular file (a FIFO, socket or device is not a script)")]
    if st.st_size > MAX_SCRIPT_BYTES:
        return None, [Problem(str(path), f"is too large for a script ({st.st_size // (1024 * 1024)} MB; at most "
                                         f"{MAX_SCRIPT_BYTES // (1024 * 1024)} MB)")]
    try:
        with path.open("rb") as f:
            return f.read(MAX_SCRIPT_BYTES + 1), []
    except OSError as exc:
        return None, [Problem(str(path), f"cannot read: {exc.strerror}")]


def _parse(path: Path) -> tuple[Any, list[Problem]]:
    raw, problems = _read_script_bytes(path)
    if raw is None:
        return None, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(str(path), f"not UTF-8 text (byte {exc.start})")]
    try:
        if path.suffix.lower() == ".toml":
            try:
                data = tomllib.loads(text)
            except tomllib.TOMLDecodeError as exc:
                return None, [Problem(str(path), f"malformed TOML: {exc}")]
        else:
            try:
                data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
            except json.JSONDecodeError as exc:
                return None, [Problem(f"{path}:{exc.lineno}:{exc.colno}", f"malformed JSON: {exc.msg}")]
            except _Duplicate as exc:
                return None, [Problem(str(path), f"duplicate key {exc.args[0]!r} in an object (which one is meant?)")]
            except ValueError as exc:
                return None, [Problem(str(path), str(exc))]
    except RecursionError:
        return None, [Problem(str(path), "nested too deeply to be a script")]
    where = _non_finite(data)
    if where:
        return None, [Problem(where, "NaN or Infinity is not a number a script may hold")]
    return data, []


def keyframe_refs(script: AIScript) -> Iterator[tuple[str, str]]:
    """(location, reference) of every keyframe the script names, e.g. ("scenes[2].endKeyframe", "kf/2-b.png")."""
    for i, scene in enumerate(script.scenes):
        for name, ref in (("startKeyframe", scene.start_keyframe), ("endKeyframe", scene.end_keyframe)):
            if ref:
                yield f"scenes[{i}].{name}", ref


def _keyframe_problems(script: AIScript, base: Path) -> list[Problem]:
    problems: list[Problem] = []
    for loc, ref in keyframe_refs(script):
        if is_url(ref):
            why = url_problem(ref)
        else:
            why = outside_problem(ref, base) or image_problem(_local(ref, base))
        if why:
            problems.append(Problem(loc, why))
    return problems


def _local(ref: str, base: Path) -> Path:
    p = Path(ref).expanduser()
    return p if p.is_absolute() else base / p


def outside_problem(ref: str, base: Path) -> str | None:
    """A keyframe reference must name a file in the script's folder or below it: `..` out of it or an absolute
    path elsewhere is refused, so a script from someone else cannot make scenetui read, upload or send files from
    anywhere on this machine. (A symlink the folder's owner put there is their choice; what it points at must
    still be a regular image file.)"""
    target = Path(os.path.normpath(_local(ref, base.absolute())))
    try:
        target.relative_to(Path(os.path.normpath(base.absolute())))
    except ValueError:
        return f"keyframe {ref!r} is outside the script's folder (copy the image into {base} or below it)"
    return None


def scene_problems(script: AIScript) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[tuple[str, ...], int] = {}
    known = {c.name for c in script.characters}
    for i, s in enumerate(script.scenes):
        key = (s.title, s.description, s.visual_description, s.start_keyframe or "", s.end_keyframe or "")
        if key in seen:
            problems.append(Problem(f"scenes[{i}]", f"duplicates scenes[{seen[key]}] (same text and keyframes)"))
        else:
            seen[key] = i
        for name in s.characters:
            if known and name not in known:
                problems.append(Problem(f"scenes[{i}].characters", f"unknown character {name!r}", "warning"))
    return problems


def validate_data(data: Any, context: dict[str, Any] | None = None) -> tuple[AIScript | None, list[Problem]]:
    """The script model from parsed data, or every validation problem with its location."""
    if not isinstance(data, dict):
        return None, [Problem("(script)", "must be a JSON object with id and scenes")]
    try:
        return AIScript.model_validate(data, context=context), []
    except ValidationError as exc:
        return None, [Problem(_loc(err["loc"]), err["msg"].removeprefix("Value error, ")) for err in exc.errors()]


def check_data(data: Any, keyframe_problems: Callable[[AIScript], list[Problem]], *, keyframes_optional: bool = False
               ) -> tuple[AIScript | None, list[Problem]]:
    """Validate parsed script data; `keyframe_problems` checks the keyframes where they live (files, a bucket).
    `keyframes_optional`: a scene with none yet is allowed (the app opens it so `k` can make them)."""
    script, problems = validate_data(data, {"keyframes_optional": True} if keyframes_optional else None)
    if script is None:
        return None, problems
    return script, keyframe_problems(script) + scene_problems(script)


def parse_script(path: Path) -> tuple[Any, list[Problem]]:
    """The file's data (JSON or TOML) with the same limits as every load, or the problems that stop it."""
    return _parse(path)


def check_script(path: Path, *, keyframes_optional: bool = False) -> tuple[AIScript | None, list[Problem]]:
    """Parse and validate; returns the script (None when unusable) and every problem found."""
    data, problems = _parse(path)
    if problems:
        return None, problems
    return check_data(data, lambda script: _keyframe_problems(script, path.parent), keyframes_optional=keyframes_optional)


def load_script(path: Path, *, keyframes_optional: bool = False) -> LoadedScript:
    """A validated script, or ScriptInvalid carrying every error."""
    script, problems = check_script(path, keyframes_optional=keyframes_optional)
    return loaded_or_invalid(str(path), script, problems, lambda s, warnings: LoadedScript(s, path.resolve(), warnings))


def loaded_or_invalid(name: str, script: AIScript | None, problems: list[Problem],
                      make: Callable[[AIScript, tuple[Problem, ...]], LoadedScript]) -> LoadedScript:
    """The loaded script when no problem is an error; else ScriptInvalid naming every error."""
    errors = [p for p in problems if p.severity == "error"]
    if script is None or errors:
        raise ScriptInvalid(name, errors or problems)
    return make(script, tuple(p for p in problems if p.severity == "warning"))
