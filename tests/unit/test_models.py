from __future__ import annotations

import pytest
from pydantic import ValidationError

from scenetui.domain import AIScript, VideoMetadata, VideoSettings
from scenetui.domain.events import SceneCompleted, SceneProgress, event_from_json
from scenetui.domain.prompt import build_prompt, camera_concept


def base(**kw):
    data = {"id": "s1", "scenes": [{"startKeyframe": "a.png", "endKeyframe": "b.png", "visualDescription": "stairs"}]}
    data.update(kw)
    return data


def test_camel_case_on_the_wire_and_unknown_fields_kept() -> None:
    s = AIScript.model_validate(base(futureField={"x": 1}, scenes=[{"startKeyframe": "a.png", "mood": "dark"}]))
    assert s.scenes[0].start_keyframe == "a.png"
    wire = s.to_wire()
    assert wire["futureField"] == {"x": 1}
    assert wire["scenes"][0]["mood"] == "dark"
    assert wire["scenes"][0]["startKeyframe"] == "a.png"
    assert "start_keyframe" not in wire["scenes"][0]
    assert AIScript.model_validate(wire) == s


@pytest.mark.parametrize("bad", ["../etc", "has space", "", "x" * 65, "a/b"])
def test_bad_ids_rejected(bad: str) -> None:
    with pytest.raises(ValidationError):
        AIScript.model_validate(base(id=bad))


def test_empty_scenes_and_keyframeless_scene_rejected() -> None:
    with pytest.raises(ValidationError):
        AIScript.model_validate(base(scenes=[]))
    with pytest.raises(ValidationError, match="no keyframe"):
        AIScript.model_validate(base(scenes=[{"title": "x"}]))


@pytest.mark.parametrize(("ratio", "res", "size"), [
    ("16:9", "720p", (1280, 720)), ("9:16", "720p", (720, 1280)), ("1:1", "540p", (540, 540)),
    ("4:3", "1080p", (1440, 1080)), ("21:9", "720p", (1680, 720)), ("16:9", "4k", (3840, 2160)),
])
def test_frame_sizes(ratio: str, res: str, size: tuple[int, int]) -> None:
    assert VideoSettings(aspect_ratio=ratio, resolution=res).size == size


def test_unsupported_video_settings_rejected() -> None:
    for field, value in (("model", "ray-1"), ("resolution", "480p"), ("duration", "7s"), ("aspectRatio", "2:1")):
        with pytest.raises(ValidationError):
            VideoSettings.model_validate({field: value})


def test_prompt_has_description_style_characters_and_camera() -> None:
    s = AIScript.model_validate(base(
        style="35mm film", characters=[{"name": "Mara", "description": "old keeper"}],
        scenes=[{"startKeyframe": "a.png", "visualDescription": "spiral stairs", "characters": ["Mara"], "camera": "slow handheld drift"}],
    ))
    p = build_prompt(s, s.scenes[0])
    assert "spiral stairs" in p and "35mm film" in p and "Mara: old keeper" in p and "slow handheld drift" in p
    assert camera_concept("Push In") == "push_in" and camera_concept("slow handheld drift") is None


def test_prompt_within_luma_limits() -> None:
    s = AIScript.model_validate(base(scenes=[{"startKeyframe": "a.png", "visualDescription": "word " * 3000}]))
    assert 3 <= len(build_prompt(s, s.scenes[0])) <= 5000
    s2 = AIScript.model_validate(base(scenes=[{"startKeyframe": "a.png"}]))
    assert len(build_prompt(s2, s2.scenes[0])) >= 3


def test_events_round_trip() -> None:
    e = SceneCompleted(2, "/x/2.mp4", 5.0, "1280x720", 123, 3.2)
    again = event_from_json(e.to_json())
    assert again == e
    assert event_from_json({**SceneProgress(1, 0.5).to_json(), "newer": 1}).fraction == 0.5


def test_metadata_wire_names() -> None:
    m = VideoMetadata(duration=5.0, resolution="1280x720", size=10, remote_id="abc")
    wire = m.to_wire()
    assert {"duration", "resolution", "size", "timestamp", "remoteId"} <= set(wire)
