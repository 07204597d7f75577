"""`scenetui serve`: textual-serve behind a door. On loopback (the default) the view is open to this machine; bound
anywhere else it needs a token — given in the URL once, then kept in a same-site cookie for the websocket.

Open to this machine is not open to every web page this machine's browser visits: without a token the page and the
websocket answer only a loopback `Host` (DNS rebinding names the attacker's domain there), and a websocket whose
`Origin` is not the address it was reached by is refused always (another site's page opening ws://localhost). Each
visitor costs an app process, so their number is capped."""

from __future__ import annotations

import hmac
import logging
import secrets
import re
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server

from scenetui.hosts import is_loopback

COOKIE = "scenetui_token"
MAX_VISITORS = 4


_REMOTE_FONTS = re.compile(rb"<link\b[^>]*fonts\.(?:googleapis|gstatic)\.com[^>]*>", re.IGNORECASE)


def local_fonts_only(page: bytes) -> bytes:
    """textual-serve's page without its link to Google's font service: a visitor's browser would tell Google it is
    watching a render box. The terminal falls back to the browser's own monospace font."""
    return _REMOTE_FONTS.sub(b"", page)


def new_token() -> str:
    return secrets.token_urlsafe(18)


class GuardedServer(Server):
    """textual-serve with a token check on the page, the websocket and downloads; statics stay public (they are
    textual-serve's own files). The page's websocket address follows the address the browser used."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None, title: str = "scenetui",
                 max_visitors: int = MAX_VISITORS) -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token
        self.max_visitors = max_visitors
        self.visitors = 0

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # its lines would carry ?token=…

    def _allowed(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _refusal(self, request: web.Request) -> str | None:
        """Why this request may not come in (a sentence), or None."""
        if self.token is None and not is_loopback(request.url.host or ""):
            return "this view answers only to localhost or 127.0.0.1 (it has no token)"
        origin = request.headers.get("Origin")
        if request.path == "/ws" and origin is not None and urlsplit(origin).netloc.lower() != request.host.lower():
            return "a page from another site may not open this view"
        return None

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()

        @web.middleware
        async def door(request: web.Request, handler: Any) -> web.StreamResponse:
            refusal = self._refusal(request)
            if refusal is not None:
                return web.Response(status=403, text=f"scenetui: {refusal}\n")
            if request.path.startswith("/static/") or self._allowed(request):
                response = await handler(request)
                if isinstance(response, web.Response) and response.content_type == "text/html" and response.body:
                    response.body = local_fonts_only(bytes(response.body))
                if self.token and request.query.get("token") and isinstance(response, web.Response):
                    response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
                return response
            return web.Response(status=401, text="scenetui: this view needs its token — open the full URL that "
                                                 "`scenetui serve` printed (…/?token=…)\n")

        app.middlewares.append(door)
        return app

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]
        if self.visitors >= self.max_visitors:
            return web.Response(status=503, text=f"scenetui: {self.max_visitors} visitors are already watching; "
                                                 "close one of their tabs or start serve with --max-visitors\n")
        self.visitors += 1
        try:
            return await super().handle_websocket(request)
        finally:
            self.visitors -= 1

    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # The page tells the browser where the websocket is: the address it reached us by, not the bind address
        # (0.0.0.0 is not somewhere a browser can connect to).
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)
