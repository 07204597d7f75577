"""Every fault the fake Luma can inject, at a few percent, across one render: each scene ends completed (its clip
decodes whole) or failed with its reason; no generation is billed twice; no damaged clip is accepted.

The suite renders 12 scenes; SCENETUI_FAULT_SCENES=50 runs the long form and prints the same table.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import av

from tests.conftest import LUMA_KEY, json_lines, luma_args, luma_env, write_script
from tests.fakes.luma_server import FakeLuma

SCENES = int(os.environ.get("SCENETUI_FAULT_SCENES", "12"))


def decodes_whole(path: Path) -> bool:
    """Every frame of the 5 s clip decodes (a truncated download would stop short or raise)."""
    try:
        with av.open(str(path)) as c:
            stream = c.streams.video[0]
            frames = sum(1 for _ in c.decode(stream))
            rate = float(stream.average_rate or 24)
        return frames >= int(rate * 5) - 1
    except (av.FFmpegError, OSError, ValueError):
        return False


def test_a_render_through_every_fault(tmp_path: Path, asset_cache: Path) -> None:
    script = write_script(tmp_path / "script", SCENES)
    ws = tmp_path / "ws"
    per = max(1, round(SCENES * 0.04))  # a few percent of the scenes meet each fault
    with FakeLuma(api_key=LUMA_KEY, static_root=tmp_path / "script", asset_cache=asset_cache, queued_s=0.1,
                  dreaming_s=0.5) as fake:
        f = fake.faults
        f.create_5xx_after = f.create_drop_before = f.create_drop_after = per
        f.create_stall_after, f.stall_seconds = per, 3.0
        f.rate_limit_burst, f.retry_after = per * 2, 0.5
        f.truncate_asset = per
        f.list_500 = per
        f.get_5xx = per * 2
        f.fail_reasons = ["Job failed"] * per + ["Frame moderation failed"] * per
        started = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws), "--json",
                            "--retries", "3", "--no-assemble", *luma_args(fake)], capture_output=True, text=True,
                           env={**os.environ, **luma_env(SCENETUI_LUMA_TIMEOUT="1")}, timeout=600)
        wall = time.monotonic() - started
        billed = [rec for rec in fake.creates() if not rec.refunded]
        duplicates = fake.duplicate_creates()
    assert r.returncode in (0, 1), r.stderr[-3000:]
    events = json_lines(r.stdout)
    summary = events[-1]
    assert summary["type"] == "summary"
    completed = [s["index"] for s in summary["scenes"] if s["status"] == "completed"]
    failed_scenes = {s["index"] for s in summary["scenes"] if s["status"] == "failed"}
    failed = [e for e in events if e["type"] == "scene_failed" and e["scene_index"] in failed_scenes]
    clips = ws / "videos" / "scripts" / "test" / "scenes"
    corrupt = [i for i in completed if not decodes_whole(clips / f"{i}.mp4")]
    print(f"\nfault run: {SCENES} scenes, {per} of each fault; completed {len(completed)}, failed {len(failed)} "
          f"({'; '.join(sorted({e['error'] for e in failed})) or '—'}); billed creates {len(billed)}; "
          f"duplicate billed creates {duplicates}; corrupt clips accepted {len(corrupt)}; {wall:.1f} s")
    assert duplicates == 0 and corrupt == []
    assert len(completed) + len(failed_scenes) == SCENES and len(failed) == len(failed_scenes)
    assert all(e["error"] and e.get("hint") for e in failed)  # every failure explained, with what to do
    assert len(failed) == per  # only the moderation refusals: everything else was recovered
    assert all("moderation" in e["error"] for e in failed)
    assert len(billed) == len(completed)  # one paid generation per finished scene, the failed ones refunded
