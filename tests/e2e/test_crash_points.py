"""Crashes enumerated, not sampled: every durable step of a Luma Ray 2 render (3 scenes in full, 2 in the suite)
and of an export is numbered (scenetui.crashpoints), the process is killed with SIGKILL exactly at step N, and the
same command resumes.

Each point must end with: every clip valid, each scene paid once (no duplicate creates), nothing lost, a valid
film. The suite runs every step that touches money or a file plus a spread of journal commits; the full
enumeration of this file and its two siblings (test_crash_points_ray3, test_crash_points_takes — apart so the
suite's workers share them) runs with SCENETUI_CRASH_FULL=1 (about 15 minutes here) and prints its table.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from scenetui.media.probe import probe
from tests import crash_support as support
from tests.conftest import LUMA_KEY, luma_args, luma_env, write_script
from tests.crash_support import FULL, SCENES, TIMEOUT
from tests.fakes.luma_server import FakeLuma


@pytest.mark.timeout(TIMEOUT)
def test_a_luma_render_killed_at_every_durable_step(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", SCENES)
    fake_args = dict(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.05,
                     dreaming_s=0.2)
    render = ["render", str(script), "--json", "--concurrency", str(SCENES)]
    enum_log = tmp_path / "steps.txt"
    with FakeLuma(**fake_args) as fake:
        steps = support.enumerated([*render, "--workspace", str(tmp_path / "enum"), *luma_args(fake)], luma_env(),
                                   enum_log)
    kinds = Counter(steps)
    assert kinds["luma create: before the request"] == SCENES and kinds["luma create: answered, id not yet written"] == SCENES
    assert kinds["journal"] > 20 and any(k.startswith("rename") for k in kinds)
    killed_at: Counter[str] = Counter()
    duplicates = lost = not_reached = 0
    for n, target in enumerate(support.targets(steps)):
        ws = tmp_path / f"ws{n}"
        with FakeLuma(**fake_args) as fake:
            crash = support.run([*render, "--workspace", str(ws), *luma_args(fake)], {**luma_env(), "SCENETUI_CRASH_AT": target})
            if crash.returncode == 0 and target.startswith("journal#"):
                not_reached += 1  # how many commits a run makes depends on how many polls it needed
            else:
                assert crash.returncode == -9, (target, crash.returncode, crash.stderr[-2000:])
                killed_at[target.rsplit("#", 1)[0]] += 1
            resume = support.run([*render, "--workspace", str(ws), *luma_args(fake)], luma_env())
            assert resume.returncode == 0, (target, resume.stderr[-2000:])
            duplicates += fake.duplicate_creates()
            assert len(fake.creates()) == SCENES, f"killed at {target}: paid {len(fake.creates())} times"
        try:
            support.film_ok(ws)
        except AssertionError:
            lost += 1
            raise
    covered = sum(killed_at.values())
    print(f"\ncrash points: {len(steps)} steps in a {SCENES}-scene render; killed at {covered} "
          f"({'all' if FULL else 'the suite sample'}; {not_reached} late journal commits not reached in that run); "
          f"duplicates {duplicates}; lost clips {lost}")
    for kind, count in sorted(killed_at.items()):
        print(f"  {count:>4}  {kind}")
    assert duplicates == 0 and lost == 0
    assert killed_at["luma create: before the request"] >= 1 and killed_at["luma create: answered, id not yet written"] >= 1
    if FULL:
        assert covered + not_reached == len(steps) and not_reached <= len(steps) // 5


def test_an_export_killed_at_every_durable_step(tmp_path: Path) -> None:
    script = write_script(tmp_path / "script", SCENES)
    base = tmp_path / "rendered"
    r = support.run(["render", str(script), "--workspace", str(base), "--no-assemble"], {})
    assert r.returncode == 0, r.stderr
    export = ["export", str(script), "--transition", "dissolve", "--json"]
    enum_log = tmp_path / "steps.txt"
    shutil.copytree(base, tmp_path / "enum")
    steps = support.enumerated([*export, "--workspace", str(tmp_path / "enum")], {}, enum_log)
    assert any(s == "rename final.mp4" for s in steps)
    targets = support.targets(steps)
    for n, target in enumerate(targets):
        ws = tmp_path / f"ws{n}"
        shutil.copytree(base, ws)
        clips = {p.name: p.read_bytes() for p in (ws / "videos" / "scripts" / "test" / "scenes").glob("*.mp4")}
        crash = support.run([*export, "--workspace", str(ws)], {"SCENETUI_CRASH_AT": target})
        assert crash.returncode == -9, (target, crash.stderr[-2000:])
        again = support.run([*export, "--workspace", str(ws)], {})
        assert again.returncode == 0, (target, again.stderr[-2000:])
        assert {p.name: p.read_bytes() for p in (ws / "videos" / "scripts" / "test" / "scenes").glob("*.mp4")} == clips
        film = probe(ws / "videos" / "scripts" / "test" / "final.mp4", decode=True)
        assert film.frames == SCENES * 150 - (SCENES - 1) * 15
    print(f"\nexport: {len(steps)} steps, killed at {len(targets)}; clips untouched and a whole film after each")
