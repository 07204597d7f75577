"""Takes: every clip a scene got is kept; the scene's clip is the chosen take. Rendered for real (the animatic and
the fake Luma), listed, chosen, deleted and pruned through the command line; an old workspace adopts its clips."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from tests.conftest import json_lines, luma_args, luma_env, run_cli, write_script


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def clip(ws: Path, i: int) -> Path:
    return ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4"


def take(ws: Path, i: int, n: int) -> Path:
    return ws / "videos" / "scripts" / "test" / "takes" / str(i) / f"{n}.mp4"


def takes(script: Path, ws: Path, *extra: str) -> dict[int, list[dict]]:
    r = run_cli("takes", str(script), "--workspace", str(ws), "--json", *extra)
    assert r.returncode == 0, r.stderr
    return {row["scene"]: row["takes"] for row in json.loads(r.stdout)["scenes"]}


def render(script: Path, ws: Path, *extra: str) -> None:
    r = run_cli("render", str(script), "--workspace", str(ws), "--json", *extra)
    assert r.returncode == 0, r.stderr


def test_a_regenerated_scene_keeps_its_old_clip_as_a_take(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    render(script, ws)
    first = digest(clip(ws, 0))
    # a new description, so the new clip differs: the old one must survive the regeneration
    data = json.loads(script.read_text())
    data["scenes"][0]["description"] = "something else happens"
    script.write_text(json.dumps(data))
    render(script, ws, "--scenes", "0", "--force")
    listed = takes(script, ws)
    assert [(t["take"], t["chosen"]) for t in listed[0]] == [(1, False), (2, True)]
    assert [(t["take"], t["chosen"]) for t in listed[1]] == [(1, True)]
    assert digest(take(ws, 0, 1)) == first and os.path.samefile(take(ws, 0, 2), clip(ws, 0))
    assert all(t["backend"] == "animatic" and t["resolution"] and t["createdAt"] for t in listed[0])
    # choose the old one: the scene's clip, its metadata and the film follow
    final = ws / "videos" / "scripts" / "test" / "final.mp4"
    before = final.stat().st_mtime_ns
    r = run_cli("takes", "choose", str(script), "0", "1", "--workspace", str(ws))
    assert r.returncode == 0, r.stderr
    assert digest(clip(ws, 0)) == first and takes(script, ws)[0][0]["chosen"]
    doc = json.loads((ws / "scripts" / "test.json").read_text())
    assert doc["scenes"]["0"]["take"] == 1 and doc["scenes"]["0"]["videoUrl"] == clip(ws, 0).as_uri()
    ex = run_cli("export", str(script), "--workspace", str(ws), "--json")
    assert ex.returncode == 0, ex.stderr
    assert final.stat().st_mtime_ns > before
    st = json.loads(run_cli("status", str(script), "--workspace", str(ws), "--json").stdout)
    assert st["scenes"][0]["takes"] == 2 and st["scenes"][0]["take"] == 1 and st["scenes"][0]["takesBytes"] > 0


def test_delete_and_prune_never_touch_the_chosen_clip(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    for _ in range(4):
        render(script, ws, "--force")
    assert [t["take"] for t in takes(script, ws)[0]] == [1, 2, 3, 4]
    chosen = digest(clip(ws, 0))
    refused = run_cli("takes", "delete", str(script), "0", "4", "--workspace", str(ws), "--yes")
    assert refused.returncode == 2 and "choose another take first" in refused.stderr and take(ws, 0, 4).is_file()
    asked = run_cli("takes", "delete", str(script), "0", "2", "--workspace", str(ws))  # not a terminal: not asked
    assert asked.returncode == 2 and "--yes" in asked.stderr and take(ws, 0, 2).is_file()
    gone = run_cli("takes", "delete", str(script), "0", "3", "--workspace", str(ws), "--yes", "--json")
    assert gone.returncode == 0 and not take(ws, 0, 3).exists() and digest(clip(ws, 0)) == chosen
    render(script, ws, "--force")  # a deleted number is never given again: a take number names one clip
    assert [t["take"] for t in takes(script, ws)[0]] == [1, 2, 4, 5]
    pruned = run_cli("takes", "prune", str(script), "--keep", "2", "--workspace", str(ws), "--yes", "--json")
    assert pruned.returncode == 0, pruned.stderr
    assert [d["take"] for d in json_lines(pruned.stdout)[0]["deleted"]] == [1, 2]
    assert [(t["take"], t["chosen"]) for t in takes(script, ws)[0]] == [(4, False), (5, True)]
    assert clip(ws, 0).is_file() and os.path.samefile(clip(ws, 0), take(ws, 0, 5))
    # bad input: one line, exit 2, nothing changed
    for args in (["choose", str(script), "0", "9"], ["choose", str(script), "3", "1"], ["choose", str(script), "0"],
                 ["prune", str(script), "--keep", "0"], ["delete", str(script), "0", "x"]):
        r = run_cli("takes", *args, "--workspace", str(ws), "--yes")
        assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, (args, r.stderr)
    assert [t["take"] for t in takes(script, ws)[0]] == [4, 5]


def test_a_workspace_from_before_takes_adopts_its_clips(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    render(script, ws)
    # the layout of a workspace rendered before takes existed: clips, and no takes
    for t in (ws / "videos" / "scripts" / "test" / "takes").rglob("*.mp4"):
        t.unlink()
    doc_path = ws / "scripts" / "test.json"
    doc = json.loads(doc_path.read_text())
    for entry in doc["scenes"].values():
        for key in ("take", "takes", "lastTake"):
            entry.pop(key, None)
    doc_path.write_text(json.dumps(doc))
    old = digest(clip(ws, 0))
    listed = takes(script, ws)
    assert [(t["take"], t["chosen"]) for t in listed[0]] == [(1, True)] and listed[0][0]["createdAt"] is None
    render(script, ws)  # nothing to do: the old clips count
    render(script, ws, "--scenes", "0", "--force")
    assert [(t["take"], t["chosen"]) for t in takes(script, ws)[0]] == [(1, False), (2, True)]
    assert digest(take(ws, 0, 1)) == old


def test_paid_takes_carry_their_cost_and_generation(tmp_path: Path, fake_luma) -> None:  # noqa: ANN001
    script, ws = write_script(tmp_path / "script", 1), tmp_path / "ws"
    for extra in ([], ["--force"]):
        r = run_cli("render", str(script), "--workspace", str(ws), "--json", *luma_args(fake_luma, *extra), env=luma_env())
        assert r.returncode == 0, r.stderr
    listed = takes(script, ws)[0]
    assert [t["take"] for t in listed] == [1, 2] and len({t["remoteId"] for t in listed}) == 2
    assert all(t["model"] == "ray-2" and t["costCents"] and t["costCents"] > 0 for t in listed)
    text = run_cli("takes", str(script), "--workspace", str(ws))
    assert text.returncode == 0 and "ray-2" in text.stdout and "* take 2" in text.stdout


def test_a_stale_take_says_what_changed(tmp_path: Path) -> None:
    import shutil

    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    render(script, ws)
    assert takes(script, ws)[0][0]["stale"] is False
    data = json.loads(script.read_text())
    data["scenes"][0]["description"] = "the keeper climbs in the rain"
    script.write_text(json.dumps(data))
    listed = takes(script, ws)[0][0]
    assert listed["stale"] and listed["whyStale"] == ["the scene's words changed (description, characters or style)"]
    start = script.parent / data["scenes"][0]["startKeyframe"]
    shutil.copy(start, start.with_name("replaced.png"))
    data["scenes"][0]["startKeyframe"] = str(Path(data["scenes"][0]["startKeyframe"]).with_name("replaced.png"))
    script.write_text(json.dumps(data))
    assert takes(script, ws)[0][0]["whyStale"] == ["the scene's words changed (description, characters or style)",
                                                   "the start keyframe was replaced"]
    text = run_cli("takes", str(script), "--workspace", str(ws))
    assert "stale: the scene's words changed" in text.stdout
