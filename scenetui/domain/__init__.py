"""Pydantic models and rules with no I/O: scripts, scenes, scene videos, statuses and events."""

from scenetui.domain.script import AIScript, Character, StoryScene, VideoSettings
from scenetui.domain.video import SceneVideo, VideoGenerationStatus, VideoMetadata, VideoStatus

__all__ = [
    "AIScript",
    "Character",
    "SceneVideo",
    "StoryScene",
    "VideoGenerationStatus",
    "VideoMetadata",
    "VideoSettings",
    "VideoStatus",
]
