"""`scenetui serve` in a real browser: Debian's chromium, driven headless by Playwright, opens the page with its
token, sees the scene tree, types `g`, confirms, and the clips appear. A screenshot is kept as an artefact
(tests/artifacts/serve-browser.png). The door is checked too: no token, no page and no websocket."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import pytest

from tests.conftest import write_script

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
IN_CI = bool(os.environ.get("CI"))
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

# Everything the server sends the page, as text: the terminal itself draws into a canvas, so this is how the test
# reads what the browser was given to draw.
CAPTURE = """
(() => {
  const Original = window.WebSocket;
  window.__scenetui = "";
  window.WebSocket = class extends Original {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", async (event) => {
        let data = event.data;
        if (data instanceof Blob) data = await data.arrayBuffer();
        if (data instanceof ArrayBuffer) data = new TextDecoder("utf-8").decode(data);
        window.__scenetui = (window.__scenetui + data).slice(-2000000);
      });
    }
  };
})();
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, ws: Path, port: int, *extra: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "scenetui", "serve", str(script), "--workspace", str(ws),
                             "--port", str(port), *extra], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, 15)
        server.wait(timeout=15)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(server.pid, 9)
        server.wait(timeout=5)


async def wait_listening(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise AssertionError("the server never listened")


@pytest.mark.skipif(CHROMIUM is None and not IN_CI, reason="chromium is not installed (CI installs it)")
async def test_a_browser_starts_the_render_and_sees_the_clips(tmp_path: Path) -> None:
    from playwright.async_api import async_playwright

    assert CHROMIUM is not None, "CI must have chromium (apt install chromium)"
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    port = free_port()
    token = "browser-test-token-0123"
    server = start_server(script, ws, port, "--host", "0.0.0.0", "--token", token)
    clips = [ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4" for i in range(2)]
    try:
        await wait_listening(port)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            try:
                page = await browser.new_page(viewport={"width": 1400, "height": 900})
                await page.add_init_script(CAPTURE)
                await page.goto(f"http://127.0.0.1:{port}/?token={token}")

                async def seen(text: str, timeout: float = 60) -> None:
                    await page.wait_for_function(f"window.__scenetui.includes({text!r})", timeout=timeout * 1000)

                await seen("0/2 done")  # the tree, drawn in the page's terminal
                await seen("Scene 1")
                await page.locator(".textual-terminal").click()
                await page.keyboard.press("g")
                await seen("Create videos")  # the question, before anything is started
                await page.keyboard.press("y")
                deadline = time.monotonic() + 120
                while not all(c.is_file() for c in clips) and time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                assert all(c.is_file() for c in clips), "the render started from the browser made no clips"
                await seen("2/2 done", timeout=60)  # and the page shows them done
                ARTIFACTS.mkdir(exist_ok=True)
                shot = ARTIFACTS / "serve-browser.png"
                await page.screenshot(path=str(shot))
                assert shot.stat().st_size > 10_000
            finally:
                await browser.close()
    finally:
        stop_server(server)
    assert token.encode() not in b"".join(p.read_bytes() for p in ws.rglob("*") if p.is_file())


async def test_bound_beyond_loopback_the_view_needs_its_token(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    port = free_port()
    server = start_server(script, tmp_path / "ws", port, "--host", "0.0.0.0")
    try:
        await wait_listening(port)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{port}/") as page:
                assert page.status == 401 and "needs its token" in await page.text()
            with pytest.raises(aiohttp.WSServerHandshakeError):
                async with http.ws_connect(f"http://127.0.0.1:{port}/ws?width=80&height=24"):
                    pass
            async with http.get(f"http://127.0.0.1:{port}/?token=wrong") as page:
                assert page.status == 401
            async with http.get(f"http://127.0.0.1:{port}/static/js/textual.js") as asset:
                assert asset.status == 200  # textual-serve's own files are not secret
    finally:
        stop_server(server)
        err = server.stderr.read().decode() if server.stderr else ""
    printed = [w for w in err.split() if "token=" in w]
    assert printed and "anyone with the token" in err  # a token was made and printed with the URL
    assert "GET /" not in err  # no access log lines (they would carry the token)
