"""What the keyframe files of a scene hold, as a digest: a picture replaced under the same name makes its scene's
clip stale, as a changed reference does. Hashes are kept per file version (path, mtime, size), so asking again
costs a stat."""

from __future__ import annotations

import hashlib
from pathlib import Path

from scenetui.domain.prompt import input_parts, inputs_digest
from scenetui.domain.script import StoryScene
from scenetui.script.file import LoadedScript

_hashes: dict[tuple[str, int, int], str] = {}


def file_version(path: Path) -> tuple[int, int] | None:
    """(mtime in ns, size): what changes when a file is replaced or rewritten; None when it is not there."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _stamp(path: Path) -> tuple[str, int, int] | None:
    version = file_version(path)
    return None if version is None else (str(path), *version)


def file_digest(path: Path) -> str | None:
    """sha256 of a file's bytes, remembered for this version of it; None when it cannot be read."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    known = _hashes.get(stamp)
    if known is None:
        try:
            with path.open("rb") as fh:
                known = hashlib.file_digest(fh, "sha256").hexdigest()
        except OSError:
            return None
        if len(_hashes) > 10_000:
            _hashes.clear()
        _hashes[stamp] = known
    return known


def keyframe_files(loaded: LoadedScript, scene: StoryScene) -> list[Path]:
    """The scene's keyframes that are files here (local, or fetched copies of bucket objects); URLs are not."""
    refs = [scene.start_keyframe, scene.end_keyframe]
    return [src for ref in refs if ref for src in [loaded.keyframe_source(ref)] if isinstance(src, Path)]


def pictures_digest(loaded: LoadedScript, scene: StoryScene) -> str:
    """The content of the scene's keyframe files as one digest ("" when none can be read)."""
    digests = [file_digest(p) for p in keyframe_files(loaded, scene)]
    if not digests or None in digests:
        return ""
    return hashlib.sha256("\x1f".join(d for d in digests if d).encode()).hexdigest()[:16]


def scene_inputs(loaded: LoadedScript, index: int) -> str:
    """The digest a clip of scene `index` records: its references and settings, and its keyframe files' content."""
    scene = loaded.script.scenes[index]
    return inputs_digest(loaded.script, scene, pictures_digest(loaded, scene))


def scene_input_parts(loaded: LoadedScript, index: int) -> dict[str, str]:
    """The scene's inputs part by part (domain.prompt.input_parts), its keyframe files' content included."""
    scene = loaded.script.scenes[index]
    return input_parts(loaded.script, scene, pictures_digest(loaded, scene))


def keyframe_stamps(loaded: LoadedScript) -> tuple[tuple[str, int, int] | None, ...]:
    """Every keyframe file's version, to notice one replaced in place (the script file itself unchanged)."""
    return tuple(_stamp(p) for scene in loaded.script.scenes for p in keyframe_files(loaded, scene))
