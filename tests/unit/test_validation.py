from __future__ import annotations

import json
from pathlib import Path

import pytest

from scenetui.errors import ScriptInvalid, UserError
from scenetui.script.file import check_script, load_script
from scenetui.cli.selection import parse_scenes
from tests.conftest import write_script


def problems_of(path: Path) -> list[str]:
    _, problems = check_script(path)
    return [str(p) for p in problems if p.severity == "error"]


def edit(path: Path, fn) -> Path:
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))
    return path


def test_clean_script_has_no_problems(tmp_path: Path) -> None:
    path = write_script(tmp_path, 3)
    assert problems_of(path) == []
    loaded = load_script(path)
    assert loaded.keyframe_source("kf/0-a.png") == (tmp_path / "kf" / "0-a.png").resolve()


def test_malformed_json_has_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "s.json"
    p.write_text('{"id": "x",\n "scenes": [}\n')
    (problem,) = problems_of(p)
    assert f"{p}:2:" in problem and "malformed JSON" in problem


def test_toml_scripts_are_read(tmp_path: Path) -> None:
    write_script(tmp_path, 1)
    p = tmp_path / "s.toml"
    p.write_text('id = "t"\n[[scenes]]\ntitle = "a"\nstartKeyframe = "kf/0-a.png"\n')
    assert problems_of(p) == []


def test_wrong_types_are_located(tmp_path: Path) -> None:
    p = edit(write_script(tmp_path, 2), lambda d: d["scenes"][1].update(characters="Mara", title=3))
    probs = problems_of(p)
    assert any(x.startswith("scenes[1].characters") for x in probs)
    assert any(x.startswith("scenes[1].title") for x in probs)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    path = write_script(tmp_path, 4)
    (tmp_path / "dir.png").mkdir()
    (tmp_path / "text.png").write_text("not an image")
    good = (tmp_path / "kf" / "0-a.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(good[: len(good) // 2])

    def bad(d):
        d["scenes"][0]["startKeyframe"] = "missing.png"
        d["scenes"][1]["startKeyframe"] = "dir.png"
        d["scenes"][2]["startKeyframe"] = "text.png"
        d["scenes"][3]["endKeyframe"] = "cut.png"
        d["scenes"].append(dict(d["scenes"][1]))

    probs = problems_of(edit(path, bad))
    joined = "\n".join(probs)
    assert "scenes[0].startKeyframe: keyframe file not found" in joined
    assert "scenes[1].startKeyframe: keyframe is a directory" in joined
    assert "scenes[2].startKeyframe: keyframe is not an image" in joined
    assert "scenes[3].endKeyframe: keyframe image is damaged or truncated" in joined
    assert "scenes[4]: duplicates scenes[1]" in joined


def test_http_urls_refused_except_loopback(tmp_path: Path) -> None:
    def urls(d):
        d["scenes"][0]["startKeyframe"] = "http://example.com/a.png"
        d["scenes"][1]["startKeyframe"] = "http://127.0.0.1:8000/a.png"
        d["scenes"][1]["endKeyframe"] = "https://cdn.example.com/b.png"

    probs = problems_of(edit(write_script(tmp_path, 2), urls))
    assert probs == ["scenes[0].startKeyframe: keyframe URL must be https:// (got 'http://example.com/a.png')"]


def test_load_script_raises_with_all_problems(tmp_path: Path) -> None:
    p = edit(write_script(tmp_path, 2), lambda d: d.update(id="../evil"))
    with pytest.raises(ScriptInvalid) as info:
        load_script(p)
    assert "id" in info.value.line() and "\n" not in info.value.line()


@pytest.mark.parametrize(("text", "want"), [("0", [0]), ("0,2-3", [0, 2, 3]), ("3,1,1", [3, 1]), (" 1 , 2 ", [1, 2])])
def test_scene_selection(text: str, want: list[int]) -> None:
    assert parse_scenes(text, 4) == want


@pytest.mark.parametrize("text", ["4", "a", "3-1", ",", "-1"])
def test_bad_scene_selection(text: str) -> None:
    with pytest.raises(UserError):
        parse_scenes(text, 4)
