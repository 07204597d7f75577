"""After an ambiguous create (timeout, reset, 5xx), find out whether Luma stored it before creating again."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from scenetui.backends.luma.client import LumaClient
from scenetui.backends.luma.keyframes import redact_url
from scenetui.backends.luma.models import Generation

CLOCK_SLACK = 600.0  # seconds; Luma's clock and ours may differ, and the id exclusion does the rest
MATCHED_FIELDS = ("model", "prompt", "resolution", "duration", "aspect_ratio", "loop", "concepts")


def redact_request(request: dict[str, Any]) -> dict[str, Any]:
    """The request as the journal keeps it: keyframe URLs without their (signed) query strings."""
    out = json.loads(json.dumps(request))
    for frame in (out.get("keyframes") or {}).values():
        if isinstance(frame, dict) and frame.get("url"):
            frame["url"] = redact_url(frame["url"])
    return out


def request_key(request: dict[str, Any] | None) -> str:
    """What makes two requests the same generation order."""
    r = redact_request(request or {})
    frames = {k: (v.get("type"), v.get("url") or v.get("id")) for k, v in (r.get("keyframes") or {}).items() if isinstance(v, dict)}
    return json.dumps([[f, r.get(f)] for f in MATCHED_FIELDS] + [sorted(frames.items())], sort_keys=True, default=str)


def _epoch(created_at: str | None) -> float | None:
    if not created_at:
        return None
    try:
        return datetime.fromisoformat(created_at.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


async def find_existing(client: LumaClient, request: dict[str, Any], *, since: float, exclude: set[str],
                        pages: int = 5, page_size: int = 100) -> Generation | None:
    """The newest generation matching `request` created after `since` (epoch) whose id we do not already own."""
    want = request_key(request)
    for page in range(pages):
        listing = await client.list(limit=page_size, offset=page * page_size)
        older_seen = False
        for gen in listing.generations:
            ts = _epoch(gen.created_at)
            if ts is not None and ts < since - CLOCK_SLACK:
                older_seen = True
                continue
            if gen.id not in exclude and request_key(gen.request) == want:
                return gen
        if older_seen or not listing.has_more:
            return None
    return None
