"""What can go wrong talking to Luma, sorted by what the engine may safely do next."""

from __future__ import annotations

from scenetui.errors import UserError


class LumaError(Exception):
    """Base of every Luma client error; `detail` is the server's own words when it gave any."""

    def __init__(self, message: str, *, status: int | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class LumaAuthError(LumaError, UserError):
    """401/403: the key is missing or wrong. Nothing was created."""

    exit_code = 2

    def __init__(self, detail: str | None = None, *, variable: str = "LUMAAI_API_KEY",
                 keys_url: str = "https://lumalabs.ai/dream-machine/api/keys") -> None:
        LumaError.__init__(self, "Luma refused the API key", status=401, detail=detail)
        UserError.__init__(self, f"Luma refused the API key in {variable} ({detail or 'unauthorised'})",
                           hint=f"set {variable} to a key from {keys_url}")


class LumaRejected(LumaError):
    """4xx other than 401/429: the request itself is wrong. Nothing was created; retrying cannot help."""


class LumaRateLimited(LumaError):
    """429: over a limit. Nothing was created; wait `retry_after` (when Luma says) and try again."""

    def __init__(self, message: str, *, retry_after: float | None, detail: str | None = None) -> None:
        super().__init__(message, status=429, detail=detail)
        self.retry_after = retry_after


class LumaUnavailable(LumaError):
    """5xx, a timeout or a dropped connection. For a create this is *ambiguous*: it may have been stored."""


class LumaNotFound(LumaError):
    """404 on a generation id."""
