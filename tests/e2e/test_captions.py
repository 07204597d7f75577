"""export --subtitles: each scene's caption as a cue over its time in the film (a dissolve's overlap split at its
middle), as final.srt / final.vtt that real parsers read and as a soft mov_text track in final.mp4 whose picture
is copied, not re-encoded; a bad caption is one line, exit 2, nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import av
import srt
import webvtt

from tests.conftest import run_cli, write_script


def export(script: Path, ws: Path, *extra: str):  # noqa: ANN201
    return run_cli("export", str(script), "--workspace", str(ws), "--subtitles", "--json", *extra)


def test_captions_become_sidecars_and_a_soft_track(tmp_path: Path) -> None:
    overrides = {0: {"caption": "The storm <b>breaks</b>."}, 2: {"dialogue": "Keep the light burning."}}
    script, ws = write_script(tmp_path / "s", 3, scene_overrides=overrides), tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    r = export(script, ws, "--transition", "dissolve:0.5")
    assert r.returncode == 0, r.stderr
    folder = ws / "videos" / "scripts" / "test"
    cues = list(srt.parse((folder / "final.srt").read_text(encoding="utf-8")))
    # 5 s clips, 0.5 s dissolves: scene 0 until the middle of the first dissolve, scene 2 from the middle of the second
    assert [(c.start.total_seconds(), c.end.total_seconds()) for c in cues] == [(0.0, 4.75), (9.25, 14.0)]
    assert cues[0].content == "The storm ‹b›breaks‹/b›." and cues[1].content == "Keep the light burning."
    vtt = webvtt.from_buffer(io.StringIO((folder / "final.vtt").read_text(encoding="utf-8")))
    assert [c.start for c in vtt] == ["00:00:00.000", "00:00:09.250"] and "&lt;b&gt;" in vtt[0].raw_text
    with av.open(str(folder / "final.mp4")) as film:
        kinds = sorted(s.type for s in film.streams)
        assert "subtitle" in kinds and film.streams.subtitles[0].codec_context.name == "mov_text"
        assert abs(float(film.duration or 0) / 1e6 - 14.0) < 0.1


def test_a_bad_caption_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2, scene_overrides={1: {"caption": "x" * 600}}), tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws), "--no-assemble").returncode == 0
    r = export(script, ws)
    assert r.returncode == 2 and "scenes[1].caption" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (ws / "videos" / "scripts" / "test" / "final.mp4").exists()
    data = json.loads(script.read_text())
    data["scenes"][1]["caption"] = {"text": "not a string"}
    script.write_text(json.dumps(data))
    r = export(script, ws)
    assert r.returncode == 2 and "must be text" in r.stderr
