"""The AI script: a story cut into scenes, each with start and end keyframes."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from scenetui.domain.text import strip_controls

from scenetui.domain.base import WireModel
from scenetui.domain.video import VideoMetadata, VideoStatus

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

# ray-2 and ray-flash-2 are served by Luma's Dream Machine API; ray-3.2 by its current (Agents) API.
Model = Literal["ray-2", "ray-flash-2", "ray-3.2"]
Resolution = Literal["360p", "540p", "720p", "1080p", "4k"]
Duration = Literal["5s", "9s", "10s"]
AspectRatio = Literal["1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21", "3:2", "2:3"]

# A scene's sound prompt is a sentence or two for Luma's audio ("rain on glass, distant thunder"), not a script.
MAX_SOUND = 1000
_SHORT_SIDE = {"360p": 360, "540p": 540, "720p": 720, "1080p": 1080, "4k": 2160}


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
    def api(self) -> str:
        """Which of Luma's APIs serves the model: "agents" (ray-3.2) or "dream-machine" (ray-2, ray-flash-2)."""
        return api_of(self.model)

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


def draft_settings(video: VideoSettings) -> VideoSettings:
    """The cheap first pass of `render --draft`: ray-3.2 at 360p; ray-flash-2 at 540p for the Dream Machine models."""
    if video.api == "agents":
        return video.model_copy(update={"resolution": "360p"})
    return video.model_copy(update={"model": "ray-flash-2", "resolution": "540p"})


def api_of(model: str) -> str:
    """"agents" for the models of Luma's current API, "dream-machine" for its legacy one."""
    return "agents" if model in AGENTS_MODELS else "dream-machine"


AGENTS_MODELS = frozenset({"ray-3.2"})
# What each API takes (Luma's docs, ../shared/luma-api.md): a combination outside these is refused before any spend.
_OFFERS: dict[str, dict[str, tuple[str, ...]]] = {
    "dream-machine": {"resolution": ("540p", "720p", "1080p", "4k"), "duration": ("5s", "9s"),
                      "aspect ratio": ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")},
    "agents": {"resolution": ("360p", "540p", "720p", "1080p"), "duration": ("5s", "10s"),
               "aspect ratio": ("21:9", "16:9", "4:3", "3:2", "1:1", "3:4", "2:3", "9:16")},
}


def video_problem(video: VideoSettings, has_end_keyframe: bool) -> str | None:
    """Why Luma would refuse these settings for this script, in one sentence, or None."""
    offers = _OFFERS[video.api]
    for what, value in (("resolution", video.resolution), ("duration", video.duration), ("aspect ratio", video.aspect_ratio)):
        if value not in offers[what]:
            return f"{video.model} has no {what} {value} (it offers {', '.join(offers[what])})"
    if video.loop and has_end_keyframe:
        return f"video.loop cannot be used with an end keyframe ({video.model} refuses it); set video.loop to false"
    if video.loop and video.duration == "10s":
        return f"video.loop cannot be used with a 10s duration ({video.model} refuses it); use 5s or set video.loop to false"
    return None


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
    sound: str | None = None  # what the scene sounds like, for Luma's audio (`render --audio`, `scenetui audio`)
    sound_negative: str | None = None  # what it must not sound like
    # Fields the app keeps per scene in Firestore; mirrored by the stores.
    video_url: str | None = None
    video_status: VideoStatus | None = None
    video_metadata: VideoMetadata | None = None

    _inert = field_validator("title", "description", "visual_description", "camera", "characters", "sound",
                             "sound_negative")(strip_controls)

    @field_validator("sound", "sound_negative")
    @classmethod
    def _a_sentence_or_two(cls, value: str | None) -> str | None:
        if value is not None and len(value) > MAX_SOUND:
            raise ValueError(f"is {len(value):,} characters (at most {MAX_SOUND:,}): describe the sound in a sentence or two")
        return value

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

    @model_validator(mode="after")
    def _luma_takes_the_settings(self) -> AIScript:
        problem = video_problem(self.video, any(s.end_keyframe for s in self.scenes))
        if problem:
            raise ValueError(problem)
        return self

    def character(self, name: str) -> Character | None:
        """The character called `name`, if the script defines one."""
        return next((c for c in self.characters if c.name == name), None)
