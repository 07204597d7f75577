"""`scenetui serve`: textual-serve behind a door. On loopback (the default) the view is open to this machine; bound
anywhere else it needs a token — given in the URL once, then kept in a same-site cookie for the websocket."""

from __future__ import annotations

import hmac
import logging
import ipaddress
import secrets
from typing import Any

from aiohttp import web
from textual_serve.server import Server

COOKIE = "scenetui_token"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def new_token() -> str:
    return secrets.token_urlsafe(18)


class GuardedServer(Server):
    """textual-serve with a token check on the page, the websocket and downloads; statics stay public (they are
    textual-serve's own files). The page's websocket address follows the address the browser used."""

    def __init__(self, command: str, *, host: str, port: int, token: str | None, title: str = "scenetui") -> None:
        super().__init__(command, host=host, port=port, title=title)
        self.token = token

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # its lines would carry ?token=…

    def _allowed(self, request: web.Request) -> bool:
        if self.token is None:
            return True
        given = request.query.get("token") or request.cookies.get(COOKIE) or ""
        return hmac.compare_digest(given.encode(), self.token.encode())

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()

        @web.middleware
        async def door(request: web.Request, handler: Any) -> web.StreamResponse:
            if request.path.startswith("/static/") or self._allowed(request):
                response = await handler(request)
                if self.token and request.query.get("token") and isinstance(response, web.Response):
                    response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict", path="/")
                return response
            return web.Response(status=401, text="scenetui: this view needs its token — open the full URL that "
                                                 "`scenetui serve` printed (…/?token=…)\n")

        app.middlewares.append(door)
        return app

    async def handle_index(self, request: web.Request) -> dict[str, Any]:
        # The page tells the browser where the websocket is: the address it reached us by, not the bind address
        # (0.0.0.0 is not somewhere a browser can connect to).
        self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)
