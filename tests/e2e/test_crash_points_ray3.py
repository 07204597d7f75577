"""Every durable step of a Ray 3.2 render on Luma's current API killed with SIGKILL and resumed (see
test_crash_points for the method).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests import crash_support as support
from tests.conftest import AGENTS_KEY, agents_args, agents_env, write_script
from tests.crash_support import FULL, SCENES, TIMEOUT
from tests.fakes.luma_agents_server import FakeLumaAgents


@pytest.mark.timeout(TIMEOUT)
def test_a_ray_3_2_render_killed_at_every_durable_step(tmp_path: Path, asset_cache: Path) -> None:
    """Luma's current API cannot look a create up: a kill between the journaled intent and the written id leaves
    that scene in doubt — never re-sent on its own. Every other point resumes with no new payment; `--resubmit`
    then finishes the doubted scenes, and nothing is lost."""
    script = write_script(tmp_path / "script", SCENES)
    fake_args = dict(api_key=AGENTS_KEY, asset_cache=asset_cache, queued_s=0.05, processing_s=0.2)
    render = ["render", str(script), "--json", "--concurrency", str(SCENES)]
    enum_log = tmp_path / "steps.txt"
    with FakeLumaAgents(**fake_args) as fake:
        steps = support.enumerated([*render, "--workspace", str(tmp_path / "enum"), *agents_args(fake)], agents_env(),
                                   enum_log)
    assert Counter(steps)["luma create: answered, id not yet written"] == SCENES
    killed_at: Counter[str] = Counter()
    doubted = duplicates = 0
    # The suite's form: this API's own steps (each create, before and after it answered) and a clip landing; the
    # journal-commit spread and the engine's other file steps are the Ray 2 proof's (the same engine code)
    targets = support.targets(steps) if FULL else [t for t in support.targets(steps)
                                                   if t.startswith("luma create")] + [_last_clip(steps)]
    for n, target in enumerate(targets):
        ws = tmp_path / f"ws{n}"
        with FakeLumaAgents(**fake_args) as fake:
            crash = support.run([*render, "--workspace", str(ws), *agents_args(fake)], {**agents_env(), "SCENETUI_CRASH_AT": target})
            if crash.returncode != 0 or not target.startswith("journal#"):
                assert crash.returncode == -9, (target, crash.returncode, crash.stderr[-2000:])
                killed_at[target.rsplit("#", 1)[0]] += 1
            sent = len(fake.creates())
            resume = support.run([*render, "--workspace", str(ws), *agents_args(fake)], agents_env())
            in_doubt = [e["scene_index"] for e in support.events(resume.stdout) if e["type"] == "scene_failed" and e["in_doubt"]]
            # a doubted create reached Luma (killed after it answered) or never left (killed before): at most once
            assert SCENES - len(in_doubt) <= len(fake.creates()) <= SCENES and len(fake.creates()) >= sent, target
            duplicates += fake.duplicate_creates()
            if in_doubt:
                doubted += 1
                assert resume.returncode != 0
                again = support.run([*render, "--workspace", str(ws),
                              *agents_args(fake, "--resubmit", ",".join(map(str, in_doubt)))], agents_env())
                assert again.returncode == 0, (target, again.stderr[-2000:])
            else:
                assert resume.returncode == 0, (target, resume.stderr[-2000:])
        support.film_ok(ws)
    print(f"\nray-3.2 crash points: {len(steps)} steps; killed at {sum(killed_at.values())}; "
          f"{doubted} left a scene in doubt (resubmitted by the person); duplicates without being asked {duplicates}")
    assert duplicates == 0
    assert killed_at["luma create: answered, id not yet written"] >= 1 and doubted >= 1


def _last_clip(steps: list[str]) -> str:
    """The last scene clip's rename (`rename 1.mp4#2`): killed once the clip is fetched, before it is stored."""
    clips = [s for s in steps if s.startswith("rename ") and s[len("rename "):-len(".mp4")].isdigit()]
    return f"{clips[-1]}#{clips.count(clips[-1])}"
