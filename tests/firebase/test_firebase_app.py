"""The app on a Firestore script: it opens from the document, `g` renders into Storage, and a clip only Storage
has (rendered on another box) opens in the preview after being fetched."""

from __future__ import annotations

from pathlib import Path

from scenetui.scriptref import FirestoreRef
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
        from scenetui.sceneedit import draft_text

        text = draft_text(app.controller.loaded.script, 0).replace('visualDescription = "a view 0"',
                                                                     'visualDescription = "rain on the glass"')
        outcome = await app.controller.save_scene_edit(0, text)
        assert outcome.ok and outcome.changes == {"visualDescription": "rain on the glass"}
        assert app.controller.loaded.script.scenes[0].visual_description == "rain on the glass"
    after = admin.doc(script_id)
    assert after["scenes"][0]["visualDescription"] == "rain on the glass"
    assert after["scenes"][0]["appNote"] == "kept 0" and after["createdBy"] == "ios-app" and after["tags"] == ["a", "b"]
    assert after["scenes"][1] == doc["scenes"][1]
