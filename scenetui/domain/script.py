"""The AI script: a story cut into scenes, each with start and end keyframes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from scenetui.domain.text import strip_controls

from scenetui.domain.base import WireModel
from scenetui.domain.video import VideoMetadata, VideoStatus

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

Model = Literal["ray-2", "ray-flash-2"]
Resolution = Literal["540p", "720p", "1080p", "4k"]
Duration = Literal["5s", "9s"]
AspectRatio = Literal["1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21"]

_SHORT_SIDE = {"540p": 540, "720p": 720, "1080p": 1080, "4k": 2160}


class Character(WireModel):
    """A character of the story; reference images cannot go to the video endpoint."""

    name: str = Field(min_length=1)
    description: str = ""
    reference_images: list[str] = Field(default_factory=list)

    _inert = field_validator("name", "description")(strip_controls)


class VideoSettings(WireModel):
    """How every clip of the script is generated (Luma's parameters)."""

    model: Model = "ray-2"
    resolution: Resolution = "720p"
    duration: Duration = "5s"
    aspect_ratio: AspectRatio = "16:9"
    loop: bool = False
    fps: int = Field(default=30, ge=1, le=60)

    @property
    def seconds(self) -> float:
        """Clip length in seconds."""
        return float(self.duration.rstrip("s"))

    @property
    def size(self) -> tuple[int, int]:
        """Frame size in pixels: the resolution names the short side, as Luma sizes 720p 16:9 at 1280x720."""
        short = _SHORT_SIDE[self.resolution]
        a, b = (int(x) for x in self.aspect_ratio.split(":"))
        if a >= b:
            return _even(short * a / b), short
        return short, _even(short * b / a)


def _even(value: float) -> int:
    return int(round(value / 2)) * 2


class StoryScene(WireModel):
    """One scene: what happens, how it looks, and its two keyframes (paths or https URLs)."""

    title: str = ""
    description: str = ""
    visual_description: str = ""
    start_keyframe: str | None = None
    end_keyframe: str | None = None
    characters: list[str] = Field(default_factory=list)
    camera: str | None = None
    # Fields the app keeps per scene in Firestore; mirrored by the stores.
    video_url: str | None = None
    video_status: VideoStatus | None = None
    video_metadata: VideoMetadata | None = None

    _inert = field_validator("title", "description", "visual_description", "camera", "characters")(strip_controls)

    @property
    def keyframes(self) -> list[str]:
        """The keyframes this scene has, start first."""
        return [k for k in (self.start_keyframe, self.end_keyframe) if k]

    def label(self, index: int) -> str:
        """A short human name: 'scene 3 “Storm”'."""
        return f"scene {index} “{self.title}”" if self.title else f"scene {index}"


class AIScript(WireModel):
    """A whole script: id, style, characters, video settings and the ordered scenes."""

    id: str = Field(pattern=ID_PATTERN)
    title: str = ""
    style: str = ""
    characters: list[Character] = Field(default_factory=list)
    video: VideoSettings = Field(default_factory=VideoSettings)
    scenes: list[StoryScene] = Field(min_length=1)

    _inert = field_validator("title", "style")(strip_controls)

    @field_validator("scenes")
    @classmethod
    def _every_scene_has_a_keyframe(cls, scenes: list[StoryScene], info: ValidationInfo) -> list[StoryScene]:
        if info.context and info.context.get("keyframes_optional"):  # `scenetui keyframes` is about to add them
            return scenes
        missing = [i for i, s in enumerate(scenes) if not s.keyframes]
        if missing:
            raise ValueError(f"scene(s) {', '.join(map(str, missing))} have no keyframe; give startKeyframe and/or "
                             "endKeyframe, or draw them with `scenetui keyframes SCRIPT`")
        return scenes

    def character(self, name: str) -> Character | None:
        """The character called `name`, if the script defines one."""
        return next((c for c in self.characters if c.name == name), None)
