"""The team's render boxes in the app, for a Firestore script: the claims other boxes hold appear in the details
pane and the script's summary as the claims listener delivers them — a box whose lease ran out shows as gone, its
scene free — and follow each change in Firestore (no polling)."""

from __future__ import annotations

import time
from pathlib import Path

from scenetui.script.ref import FirestoreRef
from tests.firebase.conftest import firestore_script
from tests.tui.helpers import make_app, screen_text, wait_for


async def test_the_app_shows_which_box_holds_which_scene(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=3)
    claims = admin.db.collection("scripts").document(script_id).collection("claims")
    now = time.time()
    # box A works on scene 0 (its lease renewed a moment ago, Luma dreaming its clip); box B died holding scene 2 (lease ran out)
    claims.document("0").set({"owner": "render-a:4121:1a2b3c4d", "leaseUntil": now + 120, "renewedAt": now - 5,
                              "since": now - 125, "generationId": "gen-a", "stage": "dreaming",
                              "stageAt": now - 75})
    claims.document("2").set({"owner": "render-b:77:deadbeef", "leaseUntil": now - 70, "renewedAt": now - 190,
                              "since": now - 400, "generationId": None})
    # box D renders the script but holds no scene (paused, say); box A's own box document too
    boxes = admin.db.collection("scripts").document(script_id).collection("boxes")
    for owner in ("render-a:4121:1a2b3c4d", "render-d:55:cafecafe"):
        boxes.document(owner).set({"owner": owner, "host": owner.split(":")[0]})
    app = make_app(FirestoreRef(script_id), tmp_path / "ws")  # type: ignore[arg-type]
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        team = app.controller.team
        await wait_for(pilot, lambda: team.following and len(team.claims) == 2, what="the claims listener")
        # the tree marks the scenes other boxes hold
        await wait_for(pilot, lambda: "⚑ render-a:4121 dreaming" in screen_text(app) and "⚑ render-b:77 gone"
                       in screen_text(app), what="the boxes in the scene tree")
        # scene 0 is selected as the app opens: what its box reports, since when
        await wait_for(pilot, lambda: "render-a:4121 dreaming for 1m1" in screen_text(app) and "since 2m0"
                       in screen_text(app), what="scene 0's box")
        await pilot.press("up")  # the script itself: its summary names every box
        await wait_for(pilot, lambda: "Boxes" in screen_text(app), what="the boxes in the script's summary")
        text = " ".join(screen_text(app).replace("│", " ").split())  # the pane wraps the line
        assert "1 box working: render-a:4121 (scene 0)" in text, text
        assert "gone: render-b:77 (scene 2), free for another box" in text, text
        assert "rendering, no scene in hand: render-d:55" in text and "hand: render-a" not in text, text
        await pilot.press("down")  # scene 0
        await wait_for(pilot, lambda: "render-a:4121 dreaming for" in screen_text(app), what="scene 0's box")
        assert "lease renewed" in screen_text(app)
        await pilot.press("down", "down")  # scene 2
        await wait_for(pilot, lambda: "render-b:77 is gone (its lease ran out 1m1" in screen_text(app),
                       what="scene 2's dead box")
        # another box takes scene 2 over: the view follows Firestore by itself
        claims.document("2").set({"owner": "render-c:9:0f0f0f0f", "leaseUntil": time.time() + 120,
                                  "renewedAt": time.time(), "since": time.time(), "generationId": None})
        await wait_for(pilot, lambda: "render-c:9 since 0s" in screen_text(app) or "render-c:9 since 1s"
                       in screen_text(app), what="the box that took over")
        await wait_for(pilot, lambda: "⚑ render-c:9" in screen_text(app) and "gone" not in screen_text(app),
                       what="the tree following the takeover")
        claims.document("0").delete()  # box A stored its clip and let go
        await wait_for(pilot, lambda: len(team.claims) == 1, what="the released claim")
        await pilot.press("up", "up")
        await wait_for(pilot, lambda: "render-a" not in screen_text(app) and "Story" in screen_text(app),
                       what="scene 0 free of box A")
