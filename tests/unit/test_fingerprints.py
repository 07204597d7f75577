"""A clip's recorded inputs against the scene now: references and settings always count, the keyframe pictures'
content counts when both sides know it (clips recorded before it was kept are judged by references)."""

from __future__ import annotations

from pathlib import Path

from scenetui.domain.prompt import inputs_changed
from scenetui.script.fingerprints import file_digest, scene_inputs
from scenetui.script.file import load_script
from tests.conftest import draw_keyframe, write_script


def test_pictures_count_only_when_both_sides_know_them() -> None:
    assert not inputs_changed("aaaa.1111", "aaaa.1111")
    assert inputs_changed("aaaa.1111", "aaaa.2222")  # a picture replaced under the same name
    assert inputs_changed("aaaa.1111", "bbbb.1111")  # words, settings or references changed
    assert not inputs_changed("aaaa", "aaaa.2222")  # a clip from before pictures were recorded
    assert not inputs_changed("aaaa.1111", "aaaa")  # a picture that cannot be read now: judged by references
    assert inputs_changed("aaaa", "bbbb")


def test_scene_inputs_follow_the_keyframe_files_content(tmp_path: Path) -> None:
    script = write_script(tmp_path, 2)
    loaded = load_script(script)
    before = [scene_inputs(loaded, i) for i in range(2)]
    assert all("." in b for b in before) and before[0] != before[1]
    start = loaded.keyframe_source(loaded.script.scenes[0].start_keyframe)
    assert isinstance(start, Path) and file_digest(start)
    draw_keyframe(start, (1, 2, 3))
    after = [scene_inputs(loaded, i) for i in range(2)]
    assert inputs_changed(before[0], after[0])
    scenes = loaded.script.scenes
    users_of_start = [i for i in range(2) if start in {loaded.keyframe_source(scenes[i].start_keyframe or ""),
                                                       loaded.keyframe_source(scenes[i].end_keyframe or "")}]
    assert [inputs_changed(b, a) for b, a in zip(before, after)] == [i in users_of_start for i in range(2)]
