"""A small async client for Luma's current API on httpx.

Not the `luma-agents` SDK: it re-POSTs a create on timeouts (no idempotency key exists), and the engine must sort
each failure itself. Every create carries an X-Request-Id of our own, journaled before it leaves: with no way to
list generations, that id is all a person can quote to Luma about a create whose answer was lost.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import SecretStr

from scenetui.backends.luma.download import asset_url_problem
from scenetui.backends.luma.client import ApiClient, error_detail, parse, raise_for, retry_after
from scenetui.backends.luma.errors import LumaAuthError, LumaRateLimited, LumaUnavailable
from scenetui.backends.luma.tls import tls_context
from scenetui.backends.luma_agents.models import CreatedFile, FileRecord, Generation

DEFAULT_BASE_URL = "https://agents.lumalabs.ai/v1"
KEYS_URL = "https://lumalabs.ai/api/keys"


class AgentsClient(ApiClient):
    """Generations (create once, get) and files (upload, look up) on Luma's current API."""

    def __init__(self, api_key: SecretStr, base_url: str = DEFAULT_BASE_URL, **kw: Any) -> None:
        super().__init__(api_key, base_url, **kw)

    def _raise_for(self, response: httpx.Response, what: str) -> None:
        # 503 here is "image ingestion unavailable": nothing was accepted, so it is waited out like a 429.
        if response.status_code == 503:
            raise LumaRateLimited(f"{what}: Luma is busy (503)", retry_after=retry_after(response),
                                  detail=error_detail(response))
        if response.status_code in (401, 403):
            raise LumaAuthError(error_detail(response), variable="LUMA_AGENTS_API_KEY", keys_url=KEYS_URL)
        raise_for(response, what)

    async def create(self, body: dict[str, Any], request_id: str) -> Generation:
        """POST /generations exactly once; the caller owns every retry decision."""
        response = await self._once("POST", "generations", "create", json=body, headers={"X-Request-Id": request_id})
        return parse(Generation, response, "create")

    async def get(self, generation_id: str) -> Generation:
        return await self._read_as(Generation, "GET", f"generations/{generation_id}", "get")

    async def upload_inline(self, data: bytes, mime_type: str, filename: str) -> CreatedFile:
        """POST /files as multipart with the bytes inside (small files). Repeating it makes a second file, not a
        second charge: uploads are free, so this one is retried like a read."""
        return await self._read_as(CreatedFile, "POST", "files", "upload", files={"file": (filename, data, mime_type)},
                                   data={"purpose": "input"})

    async def upload_presigned(self, data: bytes, mime_type: str, filename: str) -> CreatedFile:
        """POST /files (JSON) for a presigned PUT, PUT the bytes there without our key, then complete the file."""
        created = await self._read_as(CreatedFile, "POST", "files", "upload", json={
            "mime_type": mime_type, "size_bytes": len(data), "filename": filename, "purpose": "input"})
        if created.upload is None:
            raise LumaUnavailable("upload: Luma gave no address to send the picture to")
        problem = asset_url_problem(created.upload.url, self.base_url)
        if problem:  # a server must not steer our bytes at this box's network
            raise LumaUnavailable(f"upload: {problem}")
        async with httpx.AsyncClient(verify=tls_context(), timeout=httpx.Timeout(120.0, connect=10.0),
                                     follow_redirects=False) as plain:
            try:
                put = await plain.request(created.upload.method or "PUT", created.upload.url, content=data,
                                          headers=created.upload.headers or {})
            except httpx.TransportError as exc:
                raise LumaUnavailable(f"upload: sending the picture failed ({type(exc).__name__})") from exc
        if not put.is_success:
            raise LumaUnavailable(f"upload: the upload address answered {put.status_code}", status=put.status_code)
        await self._read("POST", f"files/{created.id}/complete", "complete")
        return created

    async def ping(self) -> None:
        """One page of one file: proves the address and the key, costs nothing."""
        await self._read("GET", "files", "ping", params={"limit": 1})

    async def file(self, file_id: str) -> FileRecord:
        return await self._read_as(FileRecord, "GET", f"files/{file_id}", "file")
