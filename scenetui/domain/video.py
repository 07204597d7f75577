"""What a generated scene video is and how far its generation got (the seed's names)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum
from typing import Literal

from pydantic import Field

from scenetui.domain.base import WireModel


class VideoStatus(str, Enum):
    """Per-scene `videoStatus` as the app stores it."""

    NOT_STARTED = "notStarted"
    IN_PROGRESS = "inProgress"
    COMPLETED = "completed"
    FAILED = "failed"


class VideoMetadata(WireModel):
    """`videoMetadata {duration, resolution, size, timestamp}` of a stored clip."""

    duration: float
    resolution: str
    size: int
    timestamp: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    fps: float | None = None
    codec: str | None = None
    backend: str | None = None
    model: str | None = None  # the generator's model (ray-3.2, ray-2…) for a paid clip
    remote_id: str | None = None
    inputs: str | None = None  # domain.prompt.inputs_digest of the scene it was made from
    input_parts: dict[str, str] | None = None  # the same, part by part (domain.prompt.input_parts): why it is stale
    audio: bool | None = None  # the clip has a sound track (None: recorded before this was kept)


class VideoGenerationStatus(WireModel):
    """Script-level status: notStarted / inProgress(sceneIndex) / completed / failed(error)."""

    state: Literal["notStarted", "inProgress", "completed", "failed"] = "notStarted"
    scene_index: int | None = None
    error: str | None = None


class SceneVideo(WireModel):
    """A stored clip of one scene: where it is and what it is."""

    script_id: str
    scene_index: int
    video_url: str
    video_status: VideoStatus = VideoStatus.COMPLETED
    video_metadata: VideoMetadata | None = None
    kept: bool = False
    take: int | None = None  # the take this answer is about, when one was just saved
    chosen: bool = True  # whether that take is the scene's clip now


@dataclass(frozen=True)
class StoredCopy:
    """What remote storage holds of one clip: where, how big, and its checksum."""

    uri: str
    size: int
    md5: str | None
