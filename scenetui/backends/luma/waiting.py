"""Waiting for a paid generation and fetching its clip, the same way on both Luma APIs: poll on the learned
schedule until it is done, then download at once (a fresh poll mints a new address if the first one fails)."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn, Protocol, TypeVar

from scenetui.backends.luma.download import DownloadFailed, download
from scenetui.backends.luma.errors import LumaNotFound, LumaRateLimited, LumaUnavailable
from scenetui.backends.luma.poll import FIRST, FinishWindows, next_delay
from scenetui.engine.pipeline import GenerationFailed
from scenetui.engine.ports import GenerationSession


class _Remote(Protocol):
    id: str
    state: str


G = TypeVar("G", bound=_Remote)


def rate_limit_delay(exc: LumaRateLimited, tries: int) -> float:
    """How long to wait before sending a refused create again: as long as Luma asks (Retry-After), else a jittered
    backoff on `tries`."""
    return exc.retry_after if exc.retry_after is not None else min(60.0, 2.0 * 2 ** min(tries, 5)) * random.uniform(0.5, 1.0)


async def wait_out_rate_limit(exc: LumaRateLimited, session: GenerationSession, *, tries: int, waited: float,
                              patience: float, what: str) -> float:
    """Sleep `rate_limit_delay` and return the time waited so far; past `patience` the create gives up instead.
    Nothing was accepted, so the caller sends it again."""
    delay = rate_limit_delay(exc, tries)
    if waited + delay > patience:
        raise GenerationFailed("Luma kept answering 'too many requests'", hint="run again later", retryable=False) from exc
    session.stage("waiting", f"{what}; trying again in {delay:.0f}s")
    await asyncio.sleep(delay)
    return waited + delay


async def wait_done(get: Callable[[str], Awaitable[G]], gen_id: str, session: GenerationSession, *,
                    windows: FinishWindows, poll_timeout: float, fresh: bool, stages: dict[str, tuple[str, str]],
                    failed: Callable[[G], Awaitable[NoReturn]], first_look: float = FIRST) -> G:
    """Poll until "completed" (returned) or "failed" (`failed` raises); `stages` maps the API's known states to the
    stage shown; `fresh` generations (created just now) teach the schedule when clips finish."""
    started = time.monotonic()
    window = windows.typical() if fresh else None
    expected = window[1] if window else None
    state, still_running_at = None, 0.0
    while True:
        elapsed = time.monotonic() - started
        try:
            generation: G | None = await get(gen_id)
        except LumaNotFound as exc:
            raise GenerationFailed(f"generation {gen_id} is not known to Luma (deleted?)", hint="render the scene again",
                                   retryable=False) from exc
        except (LumaUnavailable, LumaRateLimited):
            generation = None
        if generation is not None:
            if generation.state != state:
                state = generation.state
                if state in stages:
                    session.stage(*stages[state])
                else:  # a state the contract does not name: keep polling, up to the poll timeout
                    session.stage("waiting", f"Luma reports state {state[:40]!r}; still waiting")
            if state == "completed":
                if fresh:
                    windows.add(still_running_at, elapsed)
                session.finished_remotely(elapsed)
                return generation
            if state == "failed":
                await failed(generation)
            still_running_at = elapsed
            session.progress(min(0.95, elapsed / expected) if expected else None)
        if elapsed > poll_timeout:
            raise GenerationFailed(f"generation {gen_id} still not finished after {elapsed / 60:.0f} min",
                                   hint="run the same command later; it will be picked up, not paid again",
                                   keep_open=True)
        await asyncio.sleep(next_delay(time.monotonic() - started, window, first_look))


async def fetch_clip(generation: Any, video_url: Callable[[Any], str | None], refresh: Callable[[], Awaitable[Any]],
                     dest: Path, session: GenerationSession, *, api_base: str, max_bytes: int) -> None:
    """Download the finished clip to `dest`; after a failed try, `refresh` polls again for a fresh address."""
    for attempt in range(2):
        url = video_url(generation)
        if not url:
            raise GenerationFailed(f"generation {generation.id} finished without a video",
                                   hint="run again; the download will be retried", keep_open=True)
        session.stage("downloading", "fetching the clip")
        try:
            await download(url, dest, api_base=api_base, max_bytes=max_bytes,
                           on_bytes=lambda done, total: session.progress(
                               done / total if total else None, done_bytes=done, total_bytes=total))
            return
        except DownloadFailed as exc:
            if attempt == 1:
                raise GenerationFailed(f"the clip could not be downloaded ({exc})",
                                       hint="run again; it will be downloaded, not paid again", keep_open=True) from exc
            dest.unlink(missing_ok=True)
            generation = await refresh()
