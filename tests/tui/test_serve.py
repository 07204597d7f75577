"""`scenetui serve`: a browser's websocket gets the live app (textual-serve runs `scenetui watch` per visitor)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

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
                        assert page.status == 200 and "textual" in (await page.text()).lower()
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
