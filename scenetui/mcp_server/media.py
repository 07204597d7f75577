"""The film and the clips as an agent reads them: paths and metadata from `status`, never the bytes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenetui.mcp_server.tools import Tools


async def clips_of(tools: Tools, script: str) -> dict[str, Any]:
    """Each scene's clip with the metadata the render recorded."""
    found = await tools.status(script)
    return {"scriptId": found.get("scriptId"), "clips": [
        {"scene": row["index"], "title": row.get("title"), "status": row.get("status"), "path": row.get("clip"),
         "take": row.get("take"), **{k: (row.get("metadata") or {}).get(k) for k in ("duration", "resolution", "size")}}
        for row in found.get("scenes", [])]}


async def film_of(tools: Tools, script: str) -> dict[str, Any]:
    """The assembled film, its size and the caption files beside it (None when not assembled yet)."""
    found = await tools.status(script)
    final = found.get("final")
    out: dict[str, Any] = {"scriptId": found.get("scriptId"), "path": final, "sizeBytes": None, "captions": []}
    if final:
        path = Path(final)
        out["sizeBytes"] = path.stat().st_size if path.is_file() else None
        out["captions"] = [str(p) for p in (path.with_suffix(".srt"), path.with_suffix(".vtt")) if p.is_file()]
    return out
