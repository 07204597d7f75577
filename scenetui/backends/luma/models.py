"""The parts of Luma's published contract (OpenAPI v1.1.0) scenetui reads and writes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

KNOWN_STATES: frozenset[str] = frozenset({"queued", "dreaming", "completed", "failed"})  # the published contract's
TERMINAL: frozenset[str] = frozenset({"completed", "failed"})


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Assets(_Open):
    video: str | None = None
    image: str | None = None
    progress_video: str | None = None


class Generation(_Open):
    """A generation as Luma returns it; `request` echoes what was sent."""

    id: str
    generation_type: str | None = "video"
    # Any string, not KNOWN_STATES: a state the contract does not name yet is shown and polled on, not a crash.
    state: str
    failure_reason: str | None = None
    created_at: str | None = None
    assets: Assets | None = None
    model: str | None = None
    request: dict[str, Any] | None = None


class GenerationList(_Open):
    generations: list[Generation]
    count: int | None = None
    has_more: bool = False
    limit: int | None = None
    offset: int | None = None


class Credits(_Open):
    credit_balance: float  # USD cents


def image_keyframe(url: str) -> dict[str, str]:
    return {"type": "image", "url": url}
