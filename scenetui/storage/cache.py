"""A content-addressed file cache with a size cap: the least recently used files go first."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def default_cache_dir() -> Path:
    """SCENETUI_CACHE_DIR, else the user cache dir (~/.cache/scenetui on Linux)."""
    explicit = os.environ.get("SCENETUI_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("scenetui", appauthor=False))


class DiskCache:
    """Files named by their content hash; a hit refreshes the file's mtime, which orders eviction."""

    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, key: str, suffix: str = "") -> Path:
        return self.root / f"{key}{suffix}"

    def get(self, key: str, suffix: str = "") -> Path | None:
        path = self.path(key, suffix)
        try:
            os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def fill(self, key: str, suffix: str, write: Callable[[Path], None]) -> Path:
        """Return the cached file, making it with `write(temp_path)` when absent; the file is whole or absent."""
        hit = self.get(key, suffix)
        if hit is not None:
            return hit
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".fill-", suffix=".part")
        os.close(fd)
        try:
            write(Path(tmp))
            os.replace(tmp, self.path(key, suffix))
        finally:
            Path(tmp).unlink(missing_ok=True)
        self.evict(keep=self.path(key, suffix))
        return self.path(key, suffix)

    def evict(self, keep: Path | None = None) -> None:
        """Remove the least recently used files until the cache fits its cap (never `keep`, the one just asked for)."""
        entries = []
        stale = time.time() - 3600
        for p in self.root.glob("*"):
            try:  # other threads and processes fill and evict the same folder: files come and go
                st = p.stat()
                if p.name.startswith(".fill-") and st.st_mtime < stale:
                    p.unlink(missing_ok=True)  # a fill killed mid-way an hour ago or more
            except FileNotFoundError:
                continue
            if p.name.startswith(".") or not p.is_file():
                continue
            entries.append((st.st_mtime_ns, st.st_size, p))
        total = sum(size for _, size, _ in entries)
        for _, size, p in sorted(entries):
            if total <= self.max_bytes:
                break
            if p == keep:
                continue
            p.unlink(missing_ok=True)
            total -= size
