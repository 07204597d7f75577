"""Building the text prompt of a scene from its description, the style, the characters and the camera."""

from __future__ import annotations

import hashlib

from scenetui.domain.script import AIScript, StoryScene

MIN_PROMPT, MAX_PROMPT = 3, 5000

# Luma's camera concept keys (GET /generations/concepts/list); others are described in words.
CAMERA_CONCEPTS = frozenset({
    "aerial", "aerial_drone", "bolt_cam", "crane_down", "crane_up", "dolly_zoom", "elevating", "eye_level",
    "ground_level", "handheld", "high_angle", "low_angle", "orbit_left", "orbit_right", "over_the_shoulder",
    "overhead", "pan_left", "pan_right", "pedestal_down", "pedestal_up", "pov", "pull_out", "push_in",
    "roll_left", "roll_right", "selfie", "static", "tiny_planet", "tilt_down", "tilt_up", "truck_left",
    "truck_right", "zoom_in", "zoom_out",
})


def camera_concept(camera: str | None) -> str | None:
    """The Luma concept key for a camera move, when it is one."""
    if not camera:
        return None
    key = camera.strip().lower().replace(" ", "_").replace("-", "_")
    return key if key in CAMERA_CONCEPTS else None


def inputs_digest(script: AIScript, scene: StoryScene) -> str:
    """What a clip was made from (prompt, keyframes, video settings), as a short digest stored with the clip: when
    the scene's digest no longer matches, its clip is stale."""
    v = script.video
    parts = [build_prompt(script, scene), scene.start_keyframe or "", scene.end_keyframe or "", scene.camera or "",
             v.model, v.resolution, v.duration, v.aspect_ratio]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def build_prompt(script: AIScript, scene: StoryScene) -> str:
    """Visual description + global style + characters in the scene + camera move, within Luma's limits."""
    parts: list[str] = []
    main = scene.visual_description or scene.description or scene.title
    if main:
        parts.append(main.strip().rstrip(".") + ".")
    if scene.description and scene.description != main:
        parts.append(scene.description.strip().rstrip(".") + ".")
    for name in scene.characters:
        ch = script.character(name)
        parts.append(f"{name}: {ch.description.strip().rstrip('.')}." if ch and ch.description else f"{name}.")
    if script.style:
        parts.append(f"Style: {script.style.strip().rstrip('.')}.")
    if scene.camera and not camera_concept(scene.camera):
        parts.append(f"Camera: {scene.camera.strip().rstrip('.')}.")
    text = " ".join(parts).strip()
    if len(text) < MIN_PROMPT:
        text = (text + " cinematic shot").strip()
    if len(text) > MAX_PROMPT:
        text = text[: MAX_PROMPT - 1].rsplit(" ", 1)[0] + "…"
    return text
