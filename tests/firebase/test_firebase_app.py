"""The app on a Firestore script: it opens from the document, `g` renders into Storage, and a clip only Storage
has (rendered on another box) opens in the preview after being fetched."""

from __future__ import annotations

from pathlib import Path

from scenetui.script.ref import FirestoreRef
from scenetui.tui.screens.preview import PreviewScreen
from tests.conftest import run_cli
from tests.firebase.conftest import firestore_script
from tests.tui.helpers import make_app, screen_text, wait_for


async def test_app_renders_a_firestore_script_into_storage(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=2)
    app = make_app(FirestoreRef(script_id), tmp_path / "ws")  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        board = app.controller.board
        assert "From Firestore" in screen_text(app) and "0/2 done" in screen_text(app)
        await pilot.press("g")
        await wait_for(pilot, lambda: board.done == 2 and not app.controller.running, what="both scenes")
    doc = admin.doc(script_id)
    assert [s["videoStatus"] for s in doc["scenes"]] == ["completed", "completed"]
    assert admin.bucket.get_blob(f"videos/scripts/{script_id}/scenes/1.mp4") is not None


async def test_preview_fetches_a_clip_only_storage_has(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=1)
    assert run_cli("render", f"firestore:{script_id}", "--workspace", str(tmp_path / "box1"), env=fb_env).returncode == 0
    app = make_app(FirestoreRef(script_id), tmp_path / "laptop")  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.controller.board.scenes[0].status == "done"
        assert app.controller.board.scenes[0].clip.startswith("gs://")
        app.push_screen(PreviewScreen(app.controller, 0))
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen) and app.screen.clock is not None
                       and app.screen.clock.shown is not None, what="a frame of the fetched clip")
        assert app.screen.clip == tmp_path / "laptop" / "videos" / "scripts" / script_id / "scenes" / "0.mp4"
        assert "frame" in screen_text(app)


async def test_an_edit_reaches_firestore_through_the_field_only_transaction(admin, fb_env, tmp_path: Path) -> None:
    """`E` on a Firestore script: the changed field is written into that one scene; fields scenetui does not know,
    in that scene and elsewhere in the document, stay."""
    script_id = firestore_script(admin, tmp_path, scenes=2)
    doc = admin.doc(script_id)
    app = make_app(FirestoreRef(script_id), tmp_path / "ws")  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)):
        from scenetui.script.scene_draft import draft_text

        text = draft_text(app.controller.loaded.script, 0).replace('visualDescription = "a view 0"',
                                                                     'visualDescription = "rain on the glass"')
        outcome = await app.controller.edits.save_scene_edit(0, text)
        assert outcome.ok and outcome.changes == {"visualDescription": "rain on the glass"}
        assert app.controller.loaded.script.scenes[0].visual_description == "rain on the glass"
    after = admin.doc(script_id)
    assert after["scenes"][0]["visualDescription"] == "rain on the glass"
    assert after["scenes"][0]["appNote"] == "kept 0" and after["createdBy"] == "ios-app" and after["tags"] == ["a", "b"]
    assert after["scenes"][1] == doc["scenes"][1]


async def test_edits_made_in_firestore_elsewhere_are_picked_up_live(admin, fb_env, tmp_path: Path) -> None:
    """A listener follows the document: another client's edit reloads the script and marks the finished scene it
    changes stale; the render's own writes and this app's own edits are not reported as changes from elsewhere."""
    from tests.tui.helpers import notices

    script_id = firestore_script(admin, tmp_path, scenes=2)
    assert run_cli("render", f"firestore:{script_id}", "--workspace", str(tmp_path / "ws"), env=fb_env).returncode == 0
    app = make_app(FirestoreRef(script_id), tmp_path / "ws")  # type: ignore[arg-type]
    async with app.run_test(size=(120, 36)) as pilot:
        controller = app.controller
        await wait_for(pilot, lambda: controller.edits.remote.get("known") is not None, timeout=20,
                       what="the listener's first version")
        # the render's kind of write (video fields) is not an edit
        doc = admin.doc(script_id)
        doc["scenes"][0]["videoStatus"] = "completed"
        doc["scenes"][0]["videoMetadata"] = {**doc["scenes"][0].get("videoMetadata", {}), "size": 1}
        doc["finalVideoUrl"] = "https://example.invalid/film.mp4"
        admin.seed(script_id, doc)
        await pilot.pause(2.5)
        assert "Firestore" not in notices(app) and not any(s.stale for s in controller.board.scenes)
        # another client rewords scene 1
        doc["scenes"][1]["visualDescription"] = "fog rolls over the harbour"
        admin.seed(script_id, doc)
        await wait_for(pilot, lambda: controller.board.scenes[1].stale, timeout=15, what="scene 1 stale")
        assert controller.loaded.script.scenes[1].visual_description == "fog rolls over the harbour"
        assert not controller.board.scenes[0].stale and "the script changed in Firestore" in notices(app)
        # this app's own edit: saved, reloaded once, not reported as an edit from elsewhere
        app.clear_notifications()
        from scenetui.script.scene_draft import draft_text

        text = draft_text(controller.loaded.script, 0).replace('visualDescription = "a view 0"',
                                                               'visualDescription = "the lamp is lit"')
        assert (await controller.edits.save_scene_edit(0, text)).ok
        await pilot.pause(2.5)
        assert "changed in Firestore" not in notices(app), notices(app)
        stop = controller.edits.remote["stop"]
        assert stop is not None
    assert "stop" not in controller.edits.remote  # the listener ended with the app
