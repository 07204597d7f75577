"""Telling someone a long render ended: a command given the summary on stdin (`--notify-cmd`), and/or the summary
POSTed to a URL (`--notify-url`, https). A notification never fails or holds up the render it reports: each
is bounded in time, and what went wrong is one warning line."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shlex
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from scenetui import __version__
from scenetui.errors import UserError
from scenetui.hosts import is_loopback
from scenetui.headless.jsonout import versioned

log = logging.getLogger("scenetui.notify")
COMMAND_TIMEOUT = 30.0  # seconds a notify command may take before it is stopped
URL_TIMEOUT = 10.0  # per POST; three tries at most
# Tests run a plain-HTTP receiver on loopback; everywhere else a summary (what was spent, on what) goes by https only.
ALLOW_LOOPBACK_HTTP = "SCENETUI_NOTIFY_LOOPBACK_HTTP"


@dataclass(frozen=True)
class Notify:
    """Where the end of a render is told: argv of a command, a URL, both or neither."""

    command: list[str] = field(default_factory=list)
    url: str | None = None

    @property
    def wanted(self) -> bool:
        return bool(self.command or self.url)


def check_notify(command: str | None, url: str | None) -> Notify:
    """The flags, checked before the render starts: a command that parses, a URL that is https (one line if not)."""
    argv: list[str] = []
    if command is not None:
        try:
            argv = shlex.split(command)
        except ValueError as exc:
            raise UserError(f"--notify-cmd cannot be read ({exc})", hint='quote it like a shell would: "notify-send done"') from None
        if not argv:
            raise UserError("--notify-cmd is empty", hint="give the command to run, e.g. --notify-cmd 'mail -s render me@x'")
    if url is not None:
        parts = urlsplit(url)
        loopback = is_loopback(parts.hostname or "")
        if parts.scheme != "https" and not (parts.scheme == "http" and loopback and os.environ.get(ALLOW_LOOPBACK_HTTP)):
            raise UserError(f"--notify-url must be https ({shown_url(url)})",
                            hint="the summary says what was spent and on what: send it encrypted")
        if not parts.hostname:
            raise UserError(f"--notify-url has no host ({shown_url(url)})", hint="e.g. https://hooks.example.com/render")
    return Notify(argv, url)


def shown_url(url: str) -> str:
    """A URL as logs and errors show it: scheme and host only (a webhook's path and query are its secret)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or '?'}/…" if parts.path or parts.query else f"{parts.scheme}://{parts.hostname}"


async def send(notify: Notify, summary: dict[str, Any]) -> list[str]:
    """Run the command and POST the summary, side by side; returns a warning sentence for each that failed."""
    body = json.dumps(versioned(summary)).encode()
    jobs = ([_run_command(notify.command, body)] if notify.command else []) + ([_post(notify.url, body)] if notify.url else [])
    return [w for w in await asyncio.gather(*jobs) if w]


async def _run_command(argv: list[str], body: bytes) -> str | None:
    name = os.path.basename(argv[0])
    try:
        proc = await asyncio.create_subprocess_exec(*argv, stdin=asyncio.subprocess.PIPE,
                                                    stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    except OSError as exc:
        return f"--notify-cmd {name} could not start ({exc.strerror})"
    try:
        _, err = await asyncio.wait_for(proc.communicate(body), COMMAND_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return f"--notify-cmd {name} took over {COMMAND_TIMEOUT:g} s and was stopped"
    if proc.returncode != 0:
        tail = " ".join(err.decode(errors="replace").split())[:160]
        return f"--notify-cmd {name} exited {proc.returncode}" + (f" ({tail})" if tail else "")
    log.info("notified: command %s", name)
    return None


async def _post(url: str, body: bytes) -> str | None:
    import httpx  # here: every render's process would load it (a tenth of a second) for a URL few renders have

    headers = {"Content-Type": "application/json", "User-Agent": f"scenetui/{__version__}"}
    try:
        async with httpx.AsyncClient(timeout=URL_TIMEOUT, follow_redirects=False) as client:
            async for attempt in AsyncRetrying(retry=retry_if_exception_type((httpx.TransportError, _Again)),
                                               stop=stop_after_attempt(3), wait=wait_exponential(0.5, max=4),
                                               reraise=True):
                with attempt:
                    response = await client.post(url, content=body, headers=headers)
                    if response.status_code >= 500 or response.status_code == 429:
                        raise _Again(response.status_code)
                    if not response.is_success:
                        return f"--notify-url {shown_url(url)} answered {response.status_code}"
    except _Again as exc:
        return f"--notify-url {shown_url(url)} answered {exc.status} three times"
    except httpx.HTTPError as exc:
        return f"--notify-url {shown_url(url)} could not be reached ({type(exc).__name__})"
    log.info("notified: %s", shown_url(url))
    return None


class _Again(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
