"""Two render boxes on one Firestore script share it through leased scene claims: nobody pays twice, and a box
that dies mid-generation is taken over by polling its generation, not by paying again."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import LUMA_KEY, luma_env, run_cli
from tests.fakes.luma_server import FakeLuma
from tests.firebase.conftest import firestore_script


def box(script_id: str, ws: Path, fake: FakeLuma, env: dict[str, str]) -> subprocess.Popen[str]:
    cmd = [sys.executable, "-m", "scenetui", "render", f"firestore:{script_id}", "--workspace", str(ws), "--json",
           "--backend", "luma", "--luma-base-url", fake.base_url, "--yes", "--no-assemble", "--concurrency", "1"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env},
                            start_new_session=True)


def team(script_id: str, ws: Path, env: dict[str, str]) -> list[dict[str, object]]:
    """What `status firestore:ID --json` says of the boxes' claims."""
    r = run_cli("status", f"firestore:{script_id}", "--workspace", str(ws), "--json", env=env)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)["claims"]


def test_two_boxes_share_a_script_without_paying_twice(admin, fb_env, tmp_path: Path, asset_cache: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=4)
    env = {**fb_env, **luma_env()}
    with FakeLuma(api_key=LUMA_KEY, asset_cache=asset_cache, queued_s=0.2, dreaming_s=1.0) as fake:
        a = box(script_id, tmp_path / "box-a", fake, env)
        b = box(script_id, tmp_path / "box-b", fake, env)
        out_a, err_a = a.communicate(timeout=240)
        out_b, err_b = b.communicate(timeout=240)
        assert a.returncode == 0 and b.returncode == 0, (err_a[-2000:], err_b[-2000:])
        assert len(fake.creates()) == 4 and fake.duplicate_creates() == 0  # each scene paid once, by one box
        assert "being rendered by" in out_a + out_b  # the boxes did meet
    doc = admin.doc(script_id)
    assert [s["videoStatus"] for s in doc["scenes"]] == ["completed"] * 4
    assert len(admin.names(f"videos/scripts/{script_id}/scenes/")) == 4
    claims = list(admin.db.collection("scripts").document(script_id).collection("claims").stream())
    assert claims == []  # released when the clips were stored


def test_a_dead_box_is_taken_over_by_polling_its_generation(admin, fb_env, tmp_path: Path, asset_cache: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=1)
    # the lease outlives box B's start on a loaded machine (B must find it alive, then dead)
    env = {**fb_env, **luma_env(), "SCENETUI_CLAIM_LEASE": "8"}
    with FakeLuma(api_key=LUMA_KEY, asset_cache=asset_cache, queued_s=0.5, dreaming_s=6.0) as fake:
        a = box(script_id, tmp_path / "box-a", fake, env)
        deadline = time.monotonic() + 60
        while not fake.creates() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert fake.creates(), "box A never created its generation"
        time.sleep(0.5)  # its id reaches the claim right after the create
        os.killpg(a.pid, signal.SIGKILL)
        a.communicate(timeout=30)
        # box B comes while A's lease is still alive: it leaves the scene alone
        early = box(script_id, tmp_path / "box-b", fake, env)
        out, err = early.communicate(timeout=120)
        assert early.returncode == 0 and "being rendered by" in out, err[-2000:]
        # the team's view: box A holds scene 0 with its paid generation, alive until its lease runs out
        dead_box = f"{socket.gethostname()}:{a.pid}"
        seen = team(script_id, tmp_path / "box-b", env)
        assert [(c["scene"], c["box"]) for c in seen] == [(0, dead_box)] and seen[0]["generationId"], seen
        time.sleep(8.5)  # the dead box's lease runs out
        seen = team(script_id, tmp_path / "box-b", env)
        assert [(c["scene"], c["box"], c["alive"]) for c in seen] == [(0, dead_box, False)], seen
        text = run_cli("status", f"firestore:{script_id}", "--workspace", str(tmp_path / "box-b"), env=env).stdout
        assert re.search(rf"scene +0 +{re.escape(dead_box)} +GONE: its lease ran out \d+s ago", text), text
        late = box(script_id, tmp_path / "box-b", fake, env)
        out, err = late.communicate(timeout=120)
        assert late.returncode == 0, err[-2000:]
        assert "taking over generation" in out
        assert len(fake.creates()) == 1 and fake.duplicate_creates() == 0  # polled, not paid again
    assert admin.doc(script_id)["scenes"][0]["videoStatus"] == "completed"
