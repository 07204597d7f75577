"""`scenetui keyframes --backend sketch`: offline storyboard cards for scenes without keyframes, then a full render;
the script file keeps its format and every unknown field; bad input leaves it untouched."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PIL import Image

from tests.conftest import json_lines, run_cli

SCRIPT = {
    "id": "sketchy", "title": "Sketches", "style": "ink wash", "futureField": {"keep": [1, 2]},
    "video": {"aspectRatio": "16:9"},
    "scenes": [
        {"title": "Harbour", "visualDescription": "boats at dawn", "camera": "pan_left", "appNote": "keep me"},
        {"title": "Market", "description": "crowds", "characters": ["Ana"]},
        {"title": "Hill", "visualDescription": "a long climb"},
    ],
}


def write(folder: Path, data: dict, indent: str = "    ") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "story.json"
    path.write_text(json.dumps(data, indent=indent, ensure_ascii=False) + "\n")
    return path


def test_sketches_then_a_render(tmp_path: Path) -> None:
    script = write(tmp_path / "s", SCRIPT)
    assert run_cli("validate", str(script)).returncode == 2  # no keyframes: it cannot render yet
    r = run_cli("keyframes", str(script), "--json")
    assert r.returncode == 0, r.stderr
    made = [e for e in json_lines(r.stdout) if e["type"] == "keyframe_drawn"]
    assert len(made) == 6
    data = json.loads(script.read_text())
    assert data["futureField"] == {"keep": [1, 2]} and data["scenes"][0]["appNote"] == "keep me"
    assert list(data) == list(SCRIPT)  # key order kept
    assert script.read_text().startswith('{\n    "id"')  # its indentation kept
    assert data["scenes"][1]["startKeyframe"] == "keyframes/001-start.png"
    for e in made:
        with Image.open(e["path"]) as img:
            assert img.size == (1280, 720)
    with Image.open(tmp_path / "s" / "keyframes" / "000-start.png") as a, \
            Image.open(tmp_path / "s" / "keyframes" / "000-end.png") as b:
        assert a.tobytes() != b.tobytes()  # the start and end cards differ, so the animatic moves
    again = run_cli("keyframes", str(script))
    assert again.returncode == 0 and "already has both keyframes" in again.stdout
    assert run_cli("validate", str(script)).returncode == 0
    render = run_cli("render", str(script), "--workspace", str(tmp_path / "ws"))
    assert render.returncode == 0, render.stderr
    assert (tmp_path / "ws" / "videos" / "scripts" / "sketchy" / "final.mp4").is_file()
    forced = run_cli("keyframes", str(script), "--scenes", "1", "--force", "--json")
    assert forced.returncode == 0
    assert json.loads(script.read_text())["scenes"][1]["startKeyframe"] == "keyframes/001-start-2.png"  # never overwritten
    assert (tmp_path / "s" / "keyframes" / "001-start.png").is_file()


def test_a_toml_script_keeps_its_comments(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    script = folder / "story.toml"
    script.write_text('# my story\nid = "tomly"\nodd = 3  # unknown to scenetui\n\n[[scenes]]\ntitle = "One"  # first\n'
                      'visualDescription = "fog"\n\n[[scenes]]\ntitle = "Two"\n')
    r = run_cli("keyframes", str(script))
    assert r.returncode == 0, r.stderr
    text = script.read_text()
    assert text.startswith("# my story\n") and "odd = 3  # unknown to scenetui" in text and 'title = "One"  # first' in text
    assert 'startKeyframe = "keyframes/000-start.png"' in text
    assert run_cli("validate", str(script)).returncode == 0


def test_bad_input_leaves_the_script_untouched(tmp_path: Path) -> None:
    script = write(tmp_path / "s", SCRIPT)
    before = script.read_bytes()
    no_key = {k: v for k, v in os.environ.items() if k != "LUMAAI_API_KEY"}
    for args, says in ((["--scenes", "7"], "--scenes"), (["--backend", "luma"], "LUMAAI_API_KEY")):
        r = run_cli("keyframes", str(script), *args, env=no_key)
        assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1
    bad = write(tmp_path / "b", {**SCRIPT, "video": {"model": "ray-9"}})
    r = run_cli("keyframes", str(bad))
    assert r.returncode == 2 and "video.model" in r.stderr
    if os.getuid() != 0:  # root writes anywhere: the permission case needs an ordinary user
        script.chmod(0o444)
        r = run_cli("keyframes", str(script))
        assert r.returncode == 2 and "cannot be written" in r.stderr
    assert script.read_bytes() == before and not (tmp_path / "s" / "keyframes").exists()
