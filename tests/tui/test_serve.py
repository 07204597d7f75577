"""`scenetui serve`: a browser's websocket gets the live app (textual-serve runs `scenetui watch` per visitor)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import run_cli, write_script


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_serve_gives_a_browser_the_watch_view(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "scenetui", "serve", str(ws), "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):  # wait for the server to listen
                try:
                    async with http.get(f"http://127.0.0.1:{port}/") as page:
                        html = await page.text()
                        assert page.status == 200 and "textual" in html.lower()
                        assert "googleapis" not in html and "gstatic" not in html  # no font from Google
                        break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=36") as sock:
                seen = b""
                async with asyncio.timeout(30):
                    while b"2/2 done" not in seen:
                        msg = await sock.receive()
                        if msg.type == aiohttp.WSMsgType.BINARY:
                            seen += msg.data
                        elif msg.type == aiohttp.WSMsgType.TEXT:
                            seen += msg.data.encode()
                        elif msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                            raise AssertionError(f"the app closed: {seen[-500:]!r}")
                assert b"watching" in seen
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _listening(http: aiohttp.ClientSession, port: int) -> None:
    for _ in range(300):
        try:
            async with http.get(f"http://127.0.0.1:{port}/") as page:
                assert page.status == 200
                return
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.1)
    raise AssertionError("the server never listened")


async def test_another_site_cannot_drive_the_loopback_view(tmp_path: Path) -> None:
    """A page the user visits may open ws://localhost:PORT (its Origin says so) or rebind its own name to 127.0.0.1
    (its Host says so): without a token both are refused; the same machine's own page and websocket still work."""
    script = write_script(tmp_path / "s", 1)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "scenetui", "serve", str(script), "--workspace",
                               str(tmp_path / "ws"), "--port", str(port), "--max-visitors", "1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            await _listening(http, port)
            async with http.get(f"{url}/", headers={"Host": f"rebound.example:{port}"}) as page:
                assert page.status == 403 and "localhost" in await page.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                async with http.ws_connect(f"{url}/ws", headers={"Origin": "http://evil.example"}):
                    pass
            assert refused.value.status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError):
                async with http.ws_connect(f"{url}/ws", headers={"Origin": "null"}):
                    pass
            async with http.ws_connect(f"{url}/ws?width=80&height=24",
                                       headers={"Origin": f"http://127.0.0.1:{port}"}) as first:
                assert not first.closed  # the view's own page may
                with pytest.raises(aiohttp.WSServerHandshakeError) as full:  # one visitor is the cap here
                    async with http.ws_connect(f"{url}/ws?width=80&height=24"):
                        pass
                assert full.value.status == 503
    finally:
        server.terminate()
        server.wait(timeout=15)
