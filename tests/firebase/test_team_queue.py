"""`scenetui queue firestore:ID` from a box with no render of its own steers every box rendering the shared script:
the command goes through Firestore (scripts/{id}/commands, followed with a listener) and each render obeys it as if
sent through its own journal."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

from tests.conftest import LUMA_KEY, json_lines, luma_env, run_cli
from tests.fakes.luma_server import FakeLuma
from tests.firebase.conftest import firestore_script
from tests.e2e.test_luma_crash import wait_until
from tests.firebase.test_claims import box, team


def test_a_drain_sent_from_another_box_reaches_the_render(admin, fb_env, tmp_path: Path, asset_cache: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=4)
    env = {**fb_env, **luma_env()}
    script = admin.db.collection("scripts").document(script_id)
    with FakeLuma(api_key=LUMA_KEY, asset_cache=asset_cache, queued_s=0.2, dreaming_s=600) as fake:
        render = box(script_id, tmp_path / "box-a", fake, env)
        try:
            wait_until(lambda: len(fake.creates()) == 1, 90, "box A's first create")
            # what box A reports of its scene reaches the claim, and every box's status (Luma holds it dreaming)
            wait_until(lambda: (script.collection("claims").document("0").get().to_dict() or {}).get("stage")
                       == "dreaming", 60, "box A's report of scene 0")
            seen = team(script_id, tmp_path / "box-b", env)
            assert [(c["scene"], c["stage"]) for c in seen] == [(0, "dreaming")], seen
            text = run_cli("status", f"firestore:{script_id}", "--workspace", str(tmp_path / "box-b"), env=env).stdout
            assert re.search(r"scene +0 +\S+ +dreaming for \d+s, since \d+s", text), text
            assert [d.to_dict()["host"] for d in script.collection("boxes").stream()] == [socket.gethostname()]
            # box B has no render and no journal of this script: the command can only travel through Firestore
            asked = run_cli("queue", f"firestore:{script_id}", "--workspace", str(tmp_path / "box-b"), "--drain",
                            "--json", env=env)
            assert asked.returncode == 0, asked.stderr
            said = json.loads(asked.stdout.splitlines()[-1])
            assert said["type"] == "queueRequested" and "through Firestore" in said["message"]
            fake.dreaming_s = 0.5  # Luma finishes scene 0
            out, err = render.communicate(timeout=180)
        finally:
            if render.poll() is None:
                render.kill()
    assert render.returncode == 130, err[-2000:]  # drained: what was in flight finished, nothing new started
    statuses = {s["index"]: s["status"] for s in json_lines(out)[-1]["scenes"]}
    assert statuses[0] == "completed" and "drained" in statuses.values(), statuses
    assert len(fake.creates()) < 4 and fake.duplicate_creates() == 0
    assert any("draining" in e.get("message", "") for e in json_lines(out) if e["type"] == "log")
    sent = list(admin.db.collection("scripts").document(script_id).collection("commands").stream())
    assert [d.to_dict()["verb"] for d in sent] == ["drain"]
    assert list(script.collection("boxes").stream()) == []  # box A said it stopped
