"""Every bad input: one clear line on stderr, exit 2, no traceback, nothing written."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import IN_CI, run_cli, write_script


def edit(path: Path, fn) -> Path:
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data))
    return path


def _missing_kf(d):
    d["scenes"][0]["startKeyframe"] = "nope.png"


def _dir_kf(d):
    d["scenes"][0]["startKeyframe"] = "kf"


def _no_kf(d):
    d["scenes"][1].pop("startKeyframe")
    d["scenes"][1].pop("endKeyframe")


CASES = {
    "malformed": (lambda p: p.write_text('{"id": "x", "scenes": ['), "malformed JSON"),
    "wrong types": (lambda p: edit(p, lambda d: d.update(scenes={"a": 1})), "scenes"),
    "empty scenes": (lambda p: edit(p, lambda d: d.update(scenes=[])), "scenes"),
    "no keyframe": (lambda p: edit(p, _no_kf), "no keyframe"),
    "missing keyframe": (lambda p: edit(p, _missing_kf), "keyframe file not found"),
    "directory keyframe": (lambda p: edit(p, _dir_kf), "is a directory"),
    "dotdot id": (lambda p: edit(p, lambda d: d.update(id="../x")), "id"),
    "space id": (lambda p: edit(p, lambda d: d.update(id="a b")), "id"),
    "bad model": (lambda p: edit(p, lambda d: d.update(video={"model": "ray-9"})), "video.model"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_script_is_one_line_and_exit_2(tmp_path: Path, case: str) -> None:
    script = write_script(tmp_path / "s", 2)
    mutate, expected = CASES[case]
    mutate(script)
    ws = tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scenetui: error:") and expected in lines[0], r.stderr
    assert "Traceback" not in r.stderr
    assert not ws.exists(), "nothing may be written for bad input"
    v = run_cli("validate", str(script))
    assert v.returncode == 2 and expected in v.stderr


def test_not_an_image_and_truncated_image(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    (script.parent / "kf" / "0-a.png").write_text("hello")
    data = (script.parent / "kf" / "1-b.png").read_bytes()
    (script.parent / "kf" / "1-b.png").write_bytes(data[: len(data) // 3])
    v = run_cli("validate", str(script))
    assert v.returncode == 2
    assert "scenes[0].startKeyframe: keyframe is not an image" in v.stderr
    assert "scenes[1].endKeyframe: keyframe image is damaged or truncated" in v.stderr
    j = run_cli("validate", str(script), "--json")
    assert j.returncode == 2 and len(json.loads(j.stdout)["problems"]) == 2


def test_validate_clean_script(tmp_path: Path) -> None:
    r = run_cli("validate", str(write_script(tmp_path, 2)))
    assert r.returncode == 0 and "OK — 2 scene(s)" in r.stdout


@pytest.mark.parametrize("args", [["render", "missing.json"], ["render", "{script}", "--scenes", "9"],
                                  ["render", "{script}", "--concurrency", "x"], ["frobnicate"],
                                  ["render", "{script}", "--workspace", "{file}/sub"]])
def test_bad_usage(tmp_path: Path, args: list[str]) -> None:
    script = write_script(tmp_path / "s", 2)
    afile = tmp_path / "afile"
    afile.write_text("x")
    r = run_cli(*[a.format(script=script, file=afile) for a in args])
    assert r.returncode == 2, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr


def test_help_and_version() -> None:
    assert run_cli("--version").stdout.startswith("scenetui ")
    for cmd in ([], ["demo"], ["validate"], ["render"], ["status"]):
        r = run_cli(*cmd, "--help")
        assert r.returncode == 0 and "usage: scenetui" in r.stdout
    assert "--force" in run_cli("render", "--help").stdout


def test_more_scenes_at_once_than_the_luma_account_holds_is_refused(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    r = run_cli("render", str(script), "--workspace", str(ws), "--backend", "luma", "--concurrency", "9",
                env={"SCENETUI_LUMA_MAX_IN_FLIGHT": "4", "LUMA_API_KEY": "lk-never-used"})
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "--concurrency 9 is more scenes than a Luma render works on at once with this account: 8" in r.stderr
    assert "SCENETUI_LUMA_MAX_IN_FLIGHT" in r.stderr and "lk-never-used" not in r.stderr + r.stdout
    assert not (ws / "clips").exists()  # nothing started


def test_bad_config_value(tmp_path: Path) -> None:
    r = run_cli("render", str(write_script(tmp_path, 1)), env={"SCENETUI_CONCURRENCY": "lots"})
    assert r.returncode == 2 and r.stderr.startswith("scenetui: error: bad configuration")


@pytest.fixture
def tiny_disk(tmp_path: Path):
    """A 900 KiB tmpfs: room for two animatic clips, not three."""
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=900k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        if IN_CI:
            pytest.fail(f"cannot mount a tmpfs in CI: {r.stderr!r}")
        pytest.skip("mounting a tmpfs needs root")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_disk_full_keeps_finished_clips(tmp_path: Path, tiny_disk: Path) -> None:
    script = write_script(tmp_path / "s", 5)
    r = run_cli("render", str(script), "--workspace", str(tiny_disk), "--concurrency", "1")
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stderr.strip().splitlines()[-1].startswith("scenetui: error: disk full")
    assert "Traceback" not in r.stderr
    scenes = tiny_disk / "videos" / "scripts" / "test" / "scenes"
    kept = sorted(scenes.glob("*.mp4"))
    assert kept, "the clips finished before the disk filled must be kept"
    from scenetui.media.probe import probe

    for clip in kept:
        assert probe(clip, decode=True).frames == 150
    assert list((tiny_disk / "videos" / "scripts" / "test" / ".staging").glob("*.part.mp4")) == []
    assert os.statvfs(tiny_disk).f_bfree >= 0


@pytest.mark.parametrize("args,says", [
    (["watch", "/no/such/place"], "neither a script nor a workspace"),
    (["open", "/no/such/script.json"], "not found"),
    (["serve", "/no/such/place"], "not found"),
])
def test_interactive_commands_reject_bad_targets(args: list[str], says: str) -> None:
    r = run_cli(*args)
    assert r.returncode == 2 and says in r.stderr and "Traceback" not in r.stderr


def test_the_app_without_a_terminal_says_what_to_use(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    r = run_cli(str(script))  # `scenetui SCRIPT` means open, which needs a terminal
    assert r.returncode == 2 and "needs a terminal" in r.stderr and "scenetui render" in r.stderr
