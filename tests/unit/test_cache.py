"""The content-addressed disk cache: hits refresh, the least recently used go first, the newest always stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from scenetui.storage.cache import DiskCache


def _fill(cache: DiskCache, key: str, size: int) -> Path:
    return cache.fill(key, ".bin", lambda p: p.write_bytes(b"x" * size))


def test_least_recently_used_files_are_evicted_first(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c", max_bytes=250)
    a = _fill(cache, "a", 100)
    os.utime(a, (time.time() - 30, time.time() - 30))
    b = _fill(cache, "b", 100)
    os.utime(b, (time.time() - 20, time.time() - 20))
    assert cache.get("a", ".bin") == a  # a hit makes "a" the most recently used
    _fill(cache, "c", 100)
    assert cache.get("b", ".bin") is None and cache.get("a", ".bin") and cache.get("c", ".bin")


def test_fill_makes_a_file_once_and_keeps_one_larger_than_the_cap(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c", max_bytes=10)
    calls: list[Path] = []

    def write(p: Path) -> None:
        calls.append(p)
        p.write_bytes(b"y" * 50)

    first = cache.fill("big", ".bin", write)
    again = cache.fill("big", ".bin", write)
    assert first == again and first.read_bytes() == b"y" * 50 and len(calls) == 1
    assert not [p for p in (tmp_path / "c").iterdir() if p.name.startswith(".")]


def test_a_failed_fill_leaves_nothing(tmp_path: Path) -> None:
    cache = DiskCache(tmp_path / "c", max_bytes=100)

    def broken(p: Path) -> None:
        p.write_bytes(b"half")
        raise OSError("network gone")

    try:
        cache.fill("k", ".bin", broken)
    except OSError:
        pass
    assert list((tmp_path / "c").iterdir()) == []


def test_many_threads_fill_and_evict_one_folder(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    cache = DiskCache(tmp_path / "c", max_bytes=2_000)
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda i: _fill(cache, f"k{i}", 300), range(64)))
    assert all(p.name == f"k{i}.bin" for i, p in enumerate(paths))
    assert sum(p.stat().st_size for p in (tmp_path / "c").iterdir()) <= 2_000 + 8 * 300
