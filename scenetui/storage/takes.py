"""Takes: every clip a scene ever got, kept; the scene's clip is the chosen one.

    videos/scripts/{scriptId}/takes/{sceneIndex}/{n}.mp4    take n of a scene (1, 2, …; never renumbered)
    videos/scripts/{scriptId}/scenes/{sceneIndex}.mp4       the chosen take — a hard link to its file (no second
                                                            copy on disk), a copy where links are not possible

The script's document keeps, per scene, `takes` (each take's number, date and videoMetadata) and `take` (the chosen
number). A file a crash left without its record is still listed (and chosen or deleted like any other); a workspace
from before takes existed has its clip adopted as take 1 the first time a take is added.
"""

from __future__ import annotations

import errno
import os
import shutil
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scenetui.crashpoints import step
from scenetui.domain.video import VideoMetadata

TAKES = "takes"


@dataclass(frozen=True)
class Take:
    """One take of a scene as it stands: its file, whether it is the scene's clip, what made it."""

    scene: int
    number: int
    path: Path
    size: int
    chosen: bool
    metadata: VideoMetadata | None
    created_at: str | None
    draft: bool = False  # made by `render --draft` (cheap settings), waiting to be approved
    approved: bool = False  # `takes approve`: `render --final` makes the final take from it
    source: int | None = None  # a final take: the approved draft it was made from
    sound_of: int | None = None  # a take with Luma's sound: the silent take it was made from

    @property
    def remote_id(self) -> str | None:
        return self.metadata.remote_id if self.metadata else None


def takes_dir(script_dir: Path, index: int) -> Path:
    return script_dir / TAKES / str(index)


def take_path(script_dir: Path, index: int, number: int) -> Path:
    return takes_dir(script_dir, index) / f"{number}.mp4"


def _numbers_on_disk(script_dir: Path, index: int) -> list[int]:
    folder = takes_dir(script_dir, index)
    return sorted(int(p.stem) for p in folder.glob("*.mp4") if p.stem.isdigit()) if folder.is_dir() else []


def records(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """The scene's take records, as the document keeps them (damaged ones dropped)."""
    raw = entry.get(TAKES)
    return [r for r in raw if isinstance(r, dict) and isinstance(r.get("n"), int)] if isinstance(raw, list) else []


def list_takes(script_dir: Path, index: int, entry: dict[str, Any], clip: Path) -> list[Take]:
    """Every take of a scene whose file exists, in order; a clip from before takes existed is shown as take 1."""
    by_number = {r["n"]: r for r in records(entry)}
    chosen = entry.get("take") if isinstance(entry.get("take"), int) else None
    out: list[Take] = []
    for n in _numbers_on_disk(script_dir, index):
        path = take_path(script_dir, index, n)
        rec = by_number.get(n, {})
        meta = rec.get("videoMetadata")
        try:
            metadata = VideoMetadata.model_validate(meta) if isinstance(meta, dict) else None
        except ValueError:
            metadata = None
        out.append(Take(index, n, path, path.stat().st_size, n == chosen and clip.is_file(), metadata,
                        rec.get("createdAt"), draft=rec.get("draft") is True, approved=rec.get("approved") is True,
                        source=rec["from"] if isinstance(rec.get("from"), int) else None,
                        sound_of=rec["soundOf"] if isinstance(rec.get("soundOf"), int) else None))
    if not out and clip.is_file():  # an old workspace: its clip is take 1 until a take is added
        meta = entry.get("videoMetadata")
        out.append(Take(index, 1, clip, clip.stat().st_size, True,
                        VideoMetadata.model_validate(meta) if isinstance(meta, dict) else None, None))
    return out


def link_into_place(source: Path, dest: Path) -> None:
    """Make `dest` the same bytes as `source` in one rename: a hard link, or a copy where links are refused."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.link")
    tmp.unlink(missing_ok=True)
    try:
        os.link(source, tmp)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copyfile(source, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
    # a chosen older take must still look newer than the film made before it (the film checks mtimes)
    now = time.time()
    os.utime(tmp, (now, now))
    os.replace(tmp, dest)
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    step(f"link {dest.name}")


def adopt_old_clip(script_dir: Path, index: int, entry: dict[str, Any], clip: Path) -> list[dict[str, Any]]:
    """The scene's records, with a clip made before takes existed (or before its record) kept as a take first."""
    recs = records(entry)
    if clip.is_file() and not _numbers_on_disk(script_dir, index):
        link_into_place(clip, take_path(script_dir, index, 1))
        recs = [{"n": 1, "createdAt": None, "videoMetadata": entry.get("videoMetadata")}]
        entry["take"] = 1
    return recs


def next_number(script_dir: Path, index: int, entry: dict[str, Any], recs: list[dict[str, Any]]) -> int:
    """Never reused: a deleted take's number stays gone (`lastTake`), so a number always names the same clip."""
    last = entry.get("lastTake") if isinstance(entry.get("lastTake"), int) else 0
    return max([last, *(r["n"] for r in recs), *_numbers_on_disk(script_dir, index)]) + 1


def new_record(number: int, metadata: VideoMetadata, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"n": number, "createdAt": datetime.now(timezone.utc).isoformat(), "videoMetadata": metadata.to_wire(),
            **(extra or {})}
