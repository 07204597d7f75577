"""Fetching a finished asset at once: streamed to a temp file, resumed with Range after a cut."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from pathlib import Path

import httpx

from scenetui.backends.luma.tls import tls_context
from scenetui.errors import DiskFull


class DownloadFailed(Exception):
    """The asset could not be fetched whole after every retry."""


async def download(url: str, dest: Path, *, on_bytes: Callable[[int, int | None], None] | None = None,
                   tries: int = 6, timeout: float = 60.0, backoff: float = 0.5) -> int:
    """Download `url` into `dest`, resuming from what is already there; returns the byte count.

    The asset host gets no Authorization header: the API key is for the API only.
    """
    total: int | None = None
    last_error = "no attempt made"
    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=15.0), follow_redirects=True, verify=tls_context()) as http:
        for attempt in range(tries):
            have = dest.stat().st_size if dest.exists() else 0
            if total is not None and have == total:
                return have
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                async with http.stream("GET", url, headers=headers) as resp:
                    if resp.status_code == 416 and total is not None and have >= total:
                        return have
                    if resp.status_code not in (200, 206):
                        last_error = f"asset answered {resp.status_code}"
                        if resp.status_code in (403, 404, 410):
                            raise DownloadFailed(last_error)
                        raise httpx.HTTPError(last_error)
                    if resp.status_code == 200 and have:  # server ignored Range: start again
                        have = 0
                    length = resp.headers.get("content-length")
                    total = have + int(length) if length and length.isdigit() else None
                    mode = "ab" if have else "wb"
                    with open(dest, mode) as fh:
                        done = have
                        async for chunk in resp.aiter_bytes(256 * 1024):
                            fh.write(chunk)
                            done += len(chunk)
                            if on_bytes:
                                on_bytes(done, total)
                    if total is None or done == total:
                        return done
                    last_error = f"connection closed at {done} of {total} bytes"
            except OSError as exc:
                if exc.errno == 28:
                    raise DiskFull("disk full while downloading a clip", hint="free space and run again; the generation is kept and will be downloaded") from exc
                raise
            except httpx.HTTPError as exc:
                last_error = str(exc) or type(exc).__name__
            await asyncio.sleep(backoff * (2**attempt) * random.uniform(0.5, 1.0))
    raise DownloadFailed(f"download failed after {tries} tries: {last_error}")
