"""Getting keyframes to Luma: it only takes public image URLs, so local files must be hosted first."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlparse, urlunparse

import httpx

from scenetui.backends.luma.tls import tls_context
from scenetui.errors import UserError

MAX_BYTES = 10 * 1024 * 1024
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
CHECKS_AT_ONCE = 8  # a keyframe host (or a small self-hosted one) should not see a hundred connections at once


class KeyframeHost(Protocol):
    """Turns a local keyframe file into a URL Luma can fetch anonymously."""

    async def url_for(self, path: Path) -> str: ...


class PublishedFolderHost:
    """Keyframes already published under a base URL, mirroring the folder the script sits in."""

    def __init__(self, base_url: str, root: Path) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.root = root.resolve()

    async def url_for(self, path: Path) -> str:
        try:
            rel = path.resolve().relative_to(self.root)
        except ValueError:
            raise UserError(f"keyframe {path} is outside {self.root}, which --keyframe-base-url publishes",
                            hint="keep keyframes beside the script, or give them as https URLs") from None
        return self.base_url + quote(rel.as_posix())


class NoKeyframeHost:
    """What is used until a host is configured: a clear error instead of a failed (paid) generation."""

    async def url_for(self, path: Path) -> str:
        raise UserError(
            f"keyframe {path.name} is a local file, and Luma only accepts public image URLs",
            hint="publish the keyframes folder and pass --keyframe-base-url URL, or use https keyframe URLs in the script",
        )


def redact_url(url: str) -> str:
    """Drop the query (signed-URL signatures) so the journal and logs never hold a capability."""
    p = urlparse(url)
    return urlunparse(p._replace(query="", fragment=""))


async def check_public(urls: list[str], *, timeout: float = 20.0) -> list[str]:
    """Fetch each URL anonymously as Luma will; returns one problem line per URL that would fail."""
    problems: list[str] = []
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=True, verify=tls_context(), headers={"User-Agent": "scenetui-keyframe-check"}) as http:

        async def one(url: str) -> None:
            parsed = urlparse(url)
            if parsed.scheme != "https" and not (parsed.scheme == "http" and parsed.hostname in LOOPBACK):
                problems.append(f"{redact_url(url)}: Luma needs an https URL")
                return
            try:
                async with http.stream("GET", url) as resp:
                    if resp.status_code != 200:
                        problems.append(f"{redact_url(url)}: answered {resp.status_code} to an anonymous GET")
                        return
                    head = b""
                    size = 0
                    async for chunk in resp.aiter_bytes():
                        head = head or chunk[:16]
                        size += len(chunk)
                        if size > MAX_BYTES:
                            problems.append(f"{redact_url(url)}: larger than 10 MB")
                            return
            except httpx.HTTPError as exc:
                problems.append(f"{redact_url(url)}: cannot be fetched ({type(exc).__name__})")
                return
            if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
                problems.append(f"{redact_url(url)}: is not a PNG or JPEG image")

        gate = asyncio.Semaphore(CHECKS_AT_ONCE)

        async def gated(url: str) -> None:
            async with gate:
                await one(url)

        await asyncio.gather(*(gated(u) for u in dict.fromkeys(urls)))
    return problems
