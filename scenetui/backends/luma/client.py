"""A small async client for Luma's Dream Machine API on httpx.

Why not the `lumaai` SDK: its default retries re-POST a create after a timeout with no idempotency key (a
duplicate generation is money lost), and the engine needs each failure sorted precisely (rejected / rate
limited / ambiguous) to decide between waiting, reconciling and giving up. Reads (GET, DELETE) are retried
here on transient errors; creates never are.
"""

from __future__ import annotations

import json
import random
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_base

from scenetui import __version__
from scenetui.backends.luma.errors import LumaAuthError, LumaError, LumaNotFound, LumaRateLimited, LumaRejected, LumaUnavailable
from scenetui.backends.luma.models import Credits, Generation, GenerationList
from scenetui.backends.luma.tls import tls_context

DEFAULT_BASE_URL = "https://api.lumalabs.ai/dream-machine/v1"
# An API answer is a few kilobytes (a 100-generation page about 200 KB); anything far larger is not Luma's answer,
# and an endless body must not fill memory.
MAX_BODY_BYTES = 8 * 1024 * 1024
M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], response: httpx.Response, what: str) -> M:
    """The answer as `model`, or LumaUnavailable: a garbled answer (a proxy's page, a new shape) is a blip to wait
    out, and after a create it is ambiguous — the engine reconciles instead of paying again."""
    try:
        return model.model_validate(json.loads(response.content))
    except (ValueError, ValidationError) as exc:
        kind = "not JSON" if not isinstance(exc, ValidationError) else "not in the published shape"
        raise LumaUnavailable(f"{what}: Luma's answer was {kind}", status=response.status_code) from exc


def error_detail(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or None
    detail = (body.get("detail") or body.get("error") or body.get("message")) if isinstance(body, dict) else None
    if isinstance(detail, dict):  # {"error": {"code", "message"}}
        detail = detail.get("message") or detail.get("code")
    if isinstance(detail, list):  # validation errors: [{loc, msg}]
        return "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail if isinstance(d, dict))
    return str(detail) if detail is not None else None


def retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def raise_for(response: httpx.Response, what: str) -> None:
    """Turn a non-2xx answer into the error class that says what may be done next."""
    if response.is_success:
        return
    status, detail = response.status_code, error_detail(response)
    if status in (401, 403):
        raise LumaAuthError(detail)
    if status == 429:
        raise LumaRateLimited(f"{what}: rate limited", retry_after=retry_after(response), detail=detail)
    if status == 404:
        raise LumaNotFound(f"{what}: not found", status=status, detail=detail)
    if status >= 500:
        raise LumaUnavailable(f"{what}: Luma answered {status}", status=status, detail=detail)
    raise LumaRejected(f"{what}: {detail or status}", status=status, detail=detail)


class _WaitRetryAfter(wait_base):
    """Honour Retry-After when Luma sends one, else exponential backoff with full jitter."""

    def __init__(self, base: float, cap: float) -> None:
        self.base, self.cap = base, cap

    def __call__(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, LumaRateLimited) and exc.retry_after is not None:
            return min(exc.retry_after, self.cap * 4)
        return random.uniform(0, min(self.cap, self.base * 2 ** (retry_state.attempt_number - 1)))


class ApiClient:
    """Authenticated JSON calls to one of Luma's APIs; the key lives in headers only and is never formatted into
    text. Reads are retried on transient errors; a create is sent exactly once (`_once`)."""

    def __init__(self, api_key: SecretStr, base_url: str, *, timeout: float = 30.0,
                 read_retries: int = 5, backoff: float = 1.0, backoff_cap: float = 20.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(
            verify=tls_context(),
            base_url=self.base_url + "/",
            headers={"Authorization": f"Bearer {api_key.get_secret_value()}", "Accept": "application/json",
                     "User-Agent": f"scenetui/{__version__}"},
            timeout=httpx.Timeout(timeout, connect=10.0),
            transport=transport,
            follow_redirects=False,
        )
        self.read_retries, self.backoff, self.backoff_cap = read_retries, backoff, backoff_cap
        self.requests: dict[str, int] = {}  # counts by call name, for tests and benchmarks

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _once(self, method: str, path: str, what: str, **kw: Any) -> httpx.Response:
        self.requests[what] = self.requests.get(what, 0) + 1
        try:
            request = self._http.build_request(method, path.lstrip("/"), **kw)
            response = await self._http.send(request, stream=True)
            try:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BODY_BYTES:
                        raise LumaUnavailable(f"{what}: Luma's answer was over {MAX_BODY_BYTES // 2**20} MB; not read",
                                              status=response.status_code)
            finally:
                await response.aclose()
            headers = [(k, v) for k, v in response.headers.multi_items()
                       if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
            response = httpx.Response(response.status_code, headers=headers, content=bytes(body), request=request)
        except httpx.TimeoutException as exc:
            raise LumaUnavailable(f"{what}: timed out") from exc
        except httpx.TransportError as exc:
            raise LumaUnavailable(f"{what}: connection failed ({type(exc).__name__})") from exc
        self._raise_for(response, what)
        return response

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        raise_for(response, what)

    async def _read(self, method: str, path: str, what: str, **kw: Any) -> httpx.Response:
        """A call that is safe to repeat: retried on 5xx, timeouts, resets and 429."""
        return await self._read_as(None, method, path, what, **kw)

    async def _read_as(self, model: type[M] | None, method: str, path: str, what: str, **kw: Any) -> Any:
        """A repeatable call whose answer must parse as `model`: a garbled answer is retried like a 5xx."""
        async for attempt in AsyncRetrying(
            retry=retry_if_exception_type((LumaUnavailable, LumaRateLimited)),
            stop=stop_after_attempt(self.read_retries) | stop_after_delay(120),
            wait=_WaitRetryAfter(self.backoff, self.backoff_cap), reraise=True,
        ):
            with attempt:
                response = await self._once(method, path, what, **kw)
                return response if model is None else parse(model, response, what)
        raise AssertionError("unreachable")


class LumaClient(ApiClient):
    """Luma's Dream Machine API (ray-2, ray-flash-2, Photon)."""

    def __init__(self, api_key: SecretStr, base_url: str = DEFAULT_BASE_URL, **kw: Any) -> None:
        super().__init__(api_key, base_url, **kw)

    async def create_video(self, request: dict[str, Any]) -> Generation:
        """POST /generations/video exactly once; the caller owns every retry decision."""
        response = await self._once("POST", "generations/video", "create", json=request)
        return parse(Generation, response, "create")

    async def create_image(self, request: dict[str, Any]) -> Generation:
        """POST /generations/image (Photon) exactly once; the caller owns every retry decision."""
        response = await self._once("POST", "generations/image", "create", json=request)
        return parse(Generation, response, "create")

    async def upscale(self, generation_id: str, request: dict[str, Any]) -> Generation:
        """POST /generations/{id}/upscale exactly once: a new generation to poll, the same shot at a higher
        resolution."""
        response = await self._once("POST", f"generations/{generation_id}/upscale", "upscale", json=request)
        return parse(Generation, response, "upscale")

    async def add_audio(self, generation_id: str, request: dict[str, Any]) -> Generation:
        """POST /generations/{id}/audio exactly once: a new generation to poll, the same video with sound."""
        response = await self._once("POST", f"generations/{generation_id}/audio", "audio", json=request)
        return parse(Generation, response, "audio")

    async def get(self, generation_id: str) -> Generation:
        return await self._read_as(Generation, "GET", f"generations/{generation_id}", "get")

    async def list(self, *, limit: int = 100, offset: int = 0) -> GenerationList:
        return await self._read_as(GenerationList, "GET", "generations", "list", params={"limit": limit, "offset": offset})

    async def delete(self, generation_id: str) -> None:
        try:
            await self._read("DELETE", f"generations/{generation_id}", "delete")
        except LumaNotFound:
            pass

    async def credits(self) -> Credits:
        return await self._read_as(Credits, "GET", "credits", "credits")

    async def ping(self) -> None:
        await self._read("GET", "ping", "ping")


__all__ = ["ApiClient", "LumaClient", "LumaError", "DEFAULT_BASE_URL"]
