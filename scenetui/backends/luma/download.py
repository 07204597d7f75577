"""Fetching a finished asset at once: streamed to a temp file, resumed with Range after a cut."""

from __future__ import annotations

import asyncio
import ipaddress
import random
import socket
from collections.abc import Callable
from pathlib import Path

import httpx

from scenetui.backends.luma.tls import tls_context
from scenetui.errors import DiskFull


DEFAULT_MAX_BYTES = 2 * 1024**3  # a 10 s 4K clip is a few hundred MB; an endless body stops here


class DownloadFailed(Exception):
    """The asset could not be fetched whole after every retry."""


class AssetRefused(DownloadFailed):
    """The asset's address (or a redirect) points where scenetui will not go."""


def _same_origin(url: httpx.URL, api_base: str | None) -> bool:
    if not api_base:
        return False
    api = httpx.URL(api_base)
    return (url.scheme, url.host, url.port) == (api.scheme, api.host, api.port)


def asset_url_problem(url: str | httpx.URL, api_base: str | None) -> str | None:
    """Why an asset URL a server sent will not be fetched, or None: https to a public host, or the API's own origin
    (a local Luma stand-in serves both). A server must not steer the download at this box's network."""
    try:
        parsed = httpx.URL(str(url))
    except (httpx.InvalidURL, ValueError):
        return "the address is not a URL"
    if _same_origin(parsed, api_base):
        return None
    if parsed.scheme != "https":
        return f"the address is not https ({parsed.scheme or 'no scheme'}://)"
    host = parsed.host
    if not host:
        return "the address has no host"
    if host == "localhost" or host.endswith(".localhost"):
        return "the address points at this machine"
    ip = _ip(host)
    return None if ip is None or ip.is_global else f"the address points at a private or local network ({host})"


async def asset_refusal(url: httpx.URL, api_base: str | None) -> str | None:
    """`asset_url_problem`, and a host name that resolves to a private or local address is refused as well."""
    problem = asset_url_problem(url, api_base)
    if problem or _same_origin(url, api_base) or _ip(url.host) is not None:
        return problem
    host = url.host
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except OSError:
        return None  # unresolvable: the download itself fails with that
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%")[0])
        if not ip.is_global:
            return f"the address's host {host} resolves to a private or local address ({ip})"
    return None


async def download(url: str, dest: Path, *, on_bytes: Callable[[int, int | None], None] | None = None,
                   tries: int = 6, timeout: float = 60.0, backoff: float = 0.5, api_base: str | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> int:
    """Download `url` into `dest`, resuming from what is already there; returns the byte count.

    The asset host gets no Authorization header: the API key is for the API only. Every address, redirects
    included, must pass `asset_refusal`; a body over `max_bytes` is refused.
    """
    total: int | None = None
    last_error = "no attempt made"

    async def check(request: httpx.Request) -> None:
        problem = await asset_refusal(request.url, api_base)
        if problem:
            raise AssetRefused(f"refused to fetch the asset: {problem}")

    async with httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=15.0), follow_redirects=True, verify=tls_context(),
                                 event_hooks={"request": [check]}) as http:
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
                    if total is not None and total > max_bytes:
                        raise AssetRefused(f"the asset is {total / 2**20:.0f} MB, over the {max_bytes / 2**20:.0f} MB limit")
                    mode = "ab" if have else "wb"
                    with open(dest, mode) as fh:
                        done = have
                        async for chunk in resp.aiter_bytes(256 * 1024):
                            fh.write(chunk)
                            done += len(chunk)
                            if done > max_bytes:
                                raise AssetRefused(f"the asset went on past the {max_bytes / 2**20:.0f} MB limit")
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


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address a host literally is, or None for a name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
