"""Takes, an upscale and Luma's sound killed with SIGKILL at every durable step and resumed (see test_crash_points
for the method): each take paid once.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scenetui.media.probe import probe
from tests import crash_support as support
from tests.conftest import LUMA_KEY, luma_args, luma_env, write_script
from tests.crash_support import FULL, TIMEOUT
from tests.fakes.luma_server import FakeLuma


@pytest.mark.timeout(TIMEOUT)
@pytest.mark.parametrize("kind", ["variants", "upscale", "audio"])
def test_takes_and_an_upscale_killed_at_every_durable_step(tmp_path: Path, asset_cache: Path, kind: str) -> None:
    """`render --takes 2`, `render --final` (the upscale of an approved draft) and `audio` (Luma's sound for the
    scene's clip), killed at each step: the same command finishes the request with every take paid once."""
    script = write_script(tmp_path / "script", 1)
    fake_args = dict(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.05,
                     dreaming_s=0.2)
    run = (["audio", str(script), "--json"] if kind == "audio" else
           ["render", str(script), "--json", *(["--takes", "2"] if kind == "variants" else ["--final"])])

    def prepared(ws: Path, fake: FakeLuma) -> None:
        if kind == "audio":  # the scene's silent clip, made on this fake: the sound is asked for its generation
            assert support.run(["render", str(script), "--workspace", str(ws), *luma_args(fake)], luma_env()).returncode == 0
        if kind == "upscale":  # a draft on this fake, approved: the final upscales its generation
            assert support.run(["render", str(script), "--workspace", str(ws), "--draft", *luma_args(fake)],
                        luma_env()).returncode == 0
            assert support.run(["takes", "approve", str(script), "0", "--workspace", str(ws)], {}).returncode == 0

    enum_log = tmp_path / "steps.txt"
    with FakeLuma(**fake_args) as fake:
        prepared(tmp_path / "enum", fake)
        steps = support.enumerated([*run, "--workspace", str(tmp_path / "enum"), *luma_args(fake)], luma_env(),
                                   enum_log)
    expected = 2 if kind == "variants" else 1  # new paid generations of the command under test
    assert Counter(steps)["luma create: answered, id not yet written"] == expected
    killed = 0
    # The suite's form: every money or file step, and the last commit (the request closed after the summary); the
    # spread of journal commits is the Ray 2 proof's (the engine's commits are the same)
    journal = [f"journal#{k}" for k in range(1, Counter(steps)["journal"] + 1)]
    targets = support.targets(steps) if FULL else [t for t in support.targets(steps) if not t.startswith("journal#")] + journal[-1:]
    if not FULL and kind in ("upscale", "audio"):  # the suite's form: its own money steps and the take's link
        targets = [t for t in targets if t.startswith(("luma create", "link"))]
    elif not FULL:  # the takes' own steps; the script index and the film are the Ray 2 proof's (the same code)
        targets = [t for t in targets if not t.startswith(("write scripts.json", "rename final.mp4"))]
    for n, target in enumerate(targets):
        ws = tmp_path / f"ws{n}"
        with FakeLuma(**fake_args) as fake:
            prepared(ws, fake)
            before = len(fake.creates())
            crash = support.run([*run, "--workspace", str(ws), *luma_args(fake)], {**luma_env(), "SCENETUI_CRASH_AT": target})
            if crash.returncode == 0 and target.startswith("journal#"):
                continue  # not reached in this run
            assert crash.returncode == -9, (target, crash.returncode, crash.stderr[-2000:])
            killed += 1
            # killed once the request was closed (only ever after the summary is told): it had finished, and asking
            # again is a new request; killed any earlier, the same command finishes it and pays nothing more
            told = any(e.get("type") == "summary" for e in support.events(crash.stdout))
            closed = support.request_closed(ws)
            assert told or not closed, f"killed at {target}: the request was closed before the summary was told"
            told = closed and kind == "variants"
            resume = support.run([*run, "--workspace", str(ws), *luma_args(fake)], luma_env())
            assert resume.returncode == 0, (target, resume.stderr[-2000:])
            paid = len(fake.creates()) - before
            assert paid == expected * (2 if told else 1), f"killed at {target}: paid {paid}"
            takes = support.takes(ws, script)
            made = [t for t in takes if not t["draft"] and (kind != "audio" or t["soundOf"] is not None)]
            assert len(made) == paid and len({t["remoteId"] for t in made}) == paid, (target, takes)
            if kind == "audio":
                assert made[0]["chosen"] and made[0]["soundOf"] == 1 and len(takes) == 2, (target, takes)
                assert probe(ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4", decode=True).has_audio
            if kind == "upscale":
                assert made[0]["chosen"] and made[0]["from"] == 1
                assert probe(ws / "videos" / "scripts" / "test" / "scenes" / "0.mp4", decode=True).resolution == "1280x720"
    print(f"\n{kind}: {len(steps)} steps; killed at {killed} of {len(targets)}; each take paid once")
    assert killed >= 3
