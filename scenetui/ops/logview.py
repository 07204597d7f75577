"""`scenetui logs`: the workspace's structured log (and its rotated parts) as lines a person reads."""

from __future__ import annotations

import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from scenetui.headless.text import clean
from scenetui.logsetup import LOG_BACKUPS

LEVELS = {"debug": 10, "info": 20, "warning": 30, "error": 40, "critical": 50}


def shown(raw: str, min_level: int = 0) -> str | None:
    """One log line for a person — a JSON record as `2026-11-30 09:20:37 INFO    luma: message`, anything else as it
    is (cleaned) — or None when it is blank or below `min_level`."""
    raw = raw.rstrip("\n")
    if not raw.strip():
        return None
    try:
        rec = json.loads(raw)
        if not isinstance(rec, dict):
            raise ValueError
    except ValueError:
        return clean(raw) if min_level <= LEVELS["info"] else None
    if LEVELS.get(str(rec.get("level", "info")).lower(), LEVELS["info"]) < min_level:
        return None
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(rec.get("ts", 0) or 0)))
    name = str(rec.get("logger", "")).removeprefix("scenetui.").removeprefix("scenetui")
    line = f"{stamp} {str(rec.get('level', '')):<7} {name or 'scenetui'}: {rec.get('msg', '')}"
    if rec.get("exc"):
        line += "\n    " + str(rec["exc"]).replace("\n", "\n    ")
    return clean(line)


def log_files(log_path: Path) -> list[Path]:
    """The rotated parts oldest first, then the current file."""
    parts = [log_path.with_name(f"{log_path.name}.{i}") for i in range(LOG_BACKUPS, 0, -1)]
    return [p for p in (*parts, log_path) if p.is_file()]


def _lines(paths: Iterable[Path]) -> Iterator[str]:
    for p in paths:
        with p.open(encoding="utf-8", errors="replace") as f:
            yield from f


def tail(log_path: Path, lines: int, min_level: int = 0) -> list[str]:
    """The last `lines` records at `min_level` or above, human form."""
    kept: deque[str] = deque(maxlen=max(0, lines))
    for raw in _lines(log_files(log_path)):
        if (text := shown(raw, min_level)) is not None:
            kept.append(text)
    return list(kept)


def follow(log_path: Path, emit: Callable[[str], None], min_level: int = 0, *, poll: float = 0.5,
           stop: Callable[[], bool] = lambda: False) -> None:
    """Print records as they are appended, across rotations (the file is reopened when it is replaced)."""
    handle = None
    inode = None
    while not stop():
        if handle is None and log_path.is_file():
            handle = log_path.open(encoding="utf-8", errors="replace")
            inode = os.fstat(handle.fileno()).st_ino
            handle.seek(0, os.SEEK_END)
        if handle is not None:
            before = handle.tell()
            raw = handle.readline()
            if raw.endswith("\n"):
                if (text := shown(raw, min_level)) is not None:
                    emit(text)
                continue
            if raw:  # half a line: the writer is mid-record; read it again whole
                handle.seek(before)
            try:
                rotated = os.stat(log_path).st_ino != inode
            except FileNotFoundError:
                rotated = True
            if rotated:
                rest = handle.read()
                for line in rest.splitlines():
                    if (text := shown(line, min_level)) is not None:
                        emit(text)
                handle.close()
                handle = None
                continue
        time.sleep(poll)
    if handle is not None:
        handle.close()
