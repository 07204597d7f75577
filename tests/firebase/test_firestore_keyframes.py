"""`scenetui keyframes firestore:ID`: cards for the scenes that lack keyframes go to the bucket under their content
hash, and the fields are set through the field-only transaction — everything else in the document stays."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import json_lines, run_cli
from tests.firebase.conftest import firestore_script


def test_cards_for_a_firestore_script_go_to_the_bucket(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=2)
    doc = admin.doc(script_id)
    for key in ("startKeyframe", "endKeyframe"):
        del doc["scenes"][1][key]
    admin.seed(script_id, doc)
    refused = run_cli("render", f"firestore:{script_id}", "--workspace", str(tmp_path / "ws"), env=fb_env)
    assert refused.returncode == 2 and "no keyframe" in refused.stderr  # the gate this command opens
    r = run_cli("keyframes", f"firestore:{script_id}", "--json", env=fb_env)
    assert r.returncode == 0, r.stderr
    made = [e for e in json_lines(r.stdout) if e["type"] == "keyframe_drawn"]
    assert [(m["scene"], m["which"]) for m in made] == [(1, "start"), (1, "end")]
    after = admin.doc(script_id)
    for m in made:
        ref = after["scenes"][1][f"{m['which']}Keyframe"]
        assert ref == m["ref"] and ref.startswith("gs://") and "/keyframes/user-1/" in ref
        blob = admin.bucket.get_blob(ref.split("/", 3)[3])
        assert blob is not None and blob.content_type == "image/png" and blob.metadata["userId"] == "user-1"
    assert after["scenes"][0] == doc["scenes"][0] and after["scenes"][1]["appNote"] == "kept 1"
    assert after["createdBy"] == "ios-app"
    assert run_cli("validate", f"firestore:{script_id}", env=fb_env).returncode == 0
    again = run_cli("keyframes", f"firestore:{script_id}", env=fb_env)
    assert again.returncode == 0 and "already has both keyframes" in again.stdout
    assert json.dumps(admin.doc(script_id), sort_keys=True) == json.dumps(after, sort_keys=True)


async def test_k_in_the_app_puts_cards_in_the_bucket(admin, fb_env, tmp_path: Path) -> None:
    from scenetui.script.ref import FirestoreRef
    from tests.tui.helpers import make_app, screen_text, wait_for

    script_id = firestore_script(admin, tmp_path, scenes=2)
    doc = admin.doc(script_id)
    del doc["scenes"][0]["endKeyframe"]
    admin.seed(script_id, doc)
    app = make_app(FirestoreRef(script_id), tmp_path / "ws")  # type: ignore[arg-type]
    async with app.run_test(size=(140, 40)) as pilot:
        await wait_for(pilot, lambda: "0/2 done" in screen_text(app), what="the board")
        await pilot.press("k")
        await wait_for(pilot, lambda: app.controller.missing_keyframes() == {}, what="the card")
    ref = admin.doc(script_id)["scenes"][0]["endKeyframe"]
    assert ref.startswith("gs://") and admin.bucket.get_blob(ref.split("/", 3)[3]) is not None
    assert admin.doc(script_id)["scenes"][1] == doc["scenes"][1]


def test_photon_for_a_firestore_script(admin, fb_env, tmp_path: Path, asset_cache: Path) -> None:
    """Photon on a firestore: script: the character's reference (in the bucket) is sent signed and fetched by the
    fake Luma; the pictures go to the bucket and the fields through the transaction; a re-run creates nothing."""
    from tests.conftest import LUMA_KEY, draw_keyframe, luma_env
    from tests.firebase.conftest import BUCKET
    from tests.fakes.luma_server import FakeLuma

    ref_png = draw_keyframe(tmp_path / "mara.png", (200, 180, 40))
    admin.put("refs/mara.png", ref_png.read_bytes(), "image/png")
    script_id = firestore_script(admin, tmp_path, scenes=2, extra={"characters": [
        {"name": "Mara", "description": "old keeper", "referenceImages": [f"gs://{BUCKET}/refs/mara.png"]}]})
    doc = admin.doc(script_id)
    doc["scenes"][1]["characters"] = ["Mara"]
    for key in ("startKeyframe", "endKeyframe"):
        del doc["scenes"][1][key]
    admin.seed(script_id, doc)
    env = {**fb_env, **luma_env()}
    with FakeLuma(api_key=LUMA_KEY, asset_cache=asset_cache, queued_s=0.1, dreaming_s=0.3) as fake:
        args = ["keyframes", f"firestore:{script_id}", "--backend", "luma", "--yes", "--json",
                "--luma-base-url", fake.base_url, "--workspace", str(tmp_path / "ws")]
        r = run_cli(*args, env=env)
        assert r.returncode == 0, r.stderr[-2000:]
        creates = fake.creates()
        assert len(creates) == 2 and fake.duplicate_creates() == 0
        sent = creates[0].request["character_ref"]["identity0"]["images"]
        assert len(sent) == 1 and "refs/mara.png" in sent[0]
        assert all(c.frames_ok for c in creates), "the fake could not fetch a reference it was sent"
        after = admin.doc(script_id)
        for which in ("start", "end"):
            ref = after["scenes"][1][f"{which}Keyframe"]
            assert ref.startswith(f"gs://{BUCKET}/keyframes/user-1/")
            assert admin.bucket.get_blob(ref.split("/", 3)[3]) is not None
        assert after["scenes"][1]["appNote"] == "kept 1" and after["scenes"][0] == doc["scenes"][0]
        again = run_cli(*args, env=env)
        assert again.returncode == 0 and len(fake.creates()) == 2
