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


def inputs_digest(script: AIScript, scene: StoryScene, pictures: str = "") -> str:
    """What a clip was made from (prompt, keyframe references, video settings), as a short digest stored with the
    clip; `pictures` (the keyframe files' content digest, when known) follows a dot. When the scene's digest no
    longer matches, its clip is stale."""
    v = script.video
    parts = [build_prompt(script, scene), scene.start_keyframe or "", scene.end_keyframe or "", scene.camera or "",
             v.model, v.resolution, v.duration, v.aspect_ratio]
    refs = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    return f"{refs}.{pictures[:16]}" if pictures else refs


def input_parts(script: AIScript, scene: StoryScene, pictures: str = "") -> dict[str, str]:
    """The inputs digest part by part (short hashes), kept with each take so a stale one can say what changed."""
    v = script.video

    def h(*values: str) -> str:
        return hashlib.sha256("\x1f".join(values).encode()).hexdigest()[:10]

    parts = {"prompt": h(build_prompt(script, scene)), "start": h(scene.start_keyframe or ""),
             "end": h(scene.end_keyframe or ""), "camera": h(scene.camera or ""),
             "settings": h(v.model, v.resolution, v.duration, v.aspect_ratio)}
    if pictures:
        parts["pictures"] = pictures[:10]
    return parts


_WHY = {"prompt": "the scene's words changed (description, characters or style)", "start": "the start keyframe was replaced",
        "end": "the end keyframe was replaced", "camera": "the camera move changed", "settings": "the video settings changed",
        "pictures": "a keyframe picture was redrawn in place"}


def stale_reasons(recorded: dict[str, str] | None, current: dict[str, str]) -> list[str]:
    """What changed since a take was made, in words (empty when its parts were not recorded or nothing did)."""
    if not recorded:
        return []
    changed = [k for k in _WHY if k in recorded and k in current and recorded[k] != current[k]]
    if any(k in changed for k in ("start", "end")):  # a new keyframe file is a new picture too: say it once
        changed = [k for k in changed if k != "pictures"]
    return [_WHY[k] for k in changed]


def inputs_changed(recorded: str, current: str) -> bool:
    """Whether a clip recorded with `recorded` is stale against `current`. The pictures part counts only when both
    sides have one: clips made before it was recorded, and keyframes that cannot be read now, go by references."""
    old_refs, _, old_pictures = recorded.partition(".")
    new_refs, _, new_pictures = current.partition(".")
    return old_refs != new_refs or bool(old_pictures and new_pictures and old_pictures != new_pictures)


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


def sound_prompt(scene: StoryScene) -> str:
    """What Luma's audio is asked for: the scene's `sound`, else what happens in it."""
    text = (scene.sound or scene.description or scene.visual_description or scene.title).strip()
    return text[: MAX_PROMPT - 1].rsplit(" ", 1)[0] + "…" if len(text) > MAX_PROMPT else text
