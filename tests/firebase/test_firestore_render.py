"""A firestore: script rendered end to end on the emulators: clips in Storage, fields in Firestore, the rest untouched."""

from __future__ import annotations

import datetime
from pathlib import Path
from urllib.parse import quote

from tests.conftest import json_lines, run_cli
from tests.firebase.conftest import BUCKET, firestore_script


def test_firestore_render_stores_clips_and_fields(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=2)
    ws = tmp_path / "ws"
    r = run_cli("render", f"firestore:{script_id}", "--workspace", str(ws), "--json", env=fb_env)
    assert r.returncode == 0, r.stderr
    summary = json_lines(r.stdout)[-1]
    assert [s["status"] for s in summary["scenes"]] == ["completed", "completed"]

    prefix = f"videos/scripts/{script_id}/"
    assert admin.names(prefix) == [prefix + "final.mp4", prefix + "scenes/0.mp4", prefix + "scenes/1.mp4",
                                   prefix + "takes/0/1.mp4", prefix + "takes/1/1.mp4"]  # each clip is also its take 1
    doc = admin.doc(script_id)
    for i in range(2):
        blob = admin.bucket.get_blob(f"{prefix}scenes/{i}.mp4")
        assert blob.content_type == "video/mp4"
        assert blob.metadata["userId"] == "user-1" and blob.metadata["sceneIndex"] == str(i)
        assert blob.metadata["resolution"] == "1280x720" and float(blob.metadata["duration"]) > 4.5
        token = blob.metadata["firebaseStorageDownloadTokens"]
        scene = doc["scenes"][i]
        assert scene["videoStatus"] == "completed"
        assert scene["videoUrl"].endswith(f"/v0/b/{BUCKET}/o/{quote(prefix + f'scenes/{i}.mp4', safe='')}?alt=media&token={token}")
        meta = scene["videoMetadata"]
        assert isinstance(meta["duration"], float) and 4.5 < meta["duration"] < 5.5
        assert meta["resolution"] == "1280x720" and meta["size"] == blob.size and isinstance(meta["size"], int)
        assert isinstance(meta["timestamp"], datetime.datetime)
        # everything scenetui did not write is as the app left it
        assert scene["appNote"] == f"kept {i}" and scene["title"] == f"Scene {i}" and scene["camera"] == "push_in"
    assert doc["createdBy"] == "ios-app" and doc["tags"] == ["a", "b"] and doc["userId"] == "user-1"
    assert doc["finalVideoUrl"].startswith("http") and doc["finalVideoMetadata"]["size"] > 0
    # the local copy is the workspace layout, like a local render
    assert (ws / "videos" / "scripts" / script_id / "scenes" / "0.mp4").is_file()

    generations = {b.name: b.generation for b in admin.bucket.list_blobs(prefix=prefix)}
    again = run_cli("render", f"firestore:{script_id}", "--workspace", str(ws), "--json", env=fb_env)
    assert again.returncode == 0, again.stderr
    assert {s["status"] for s in json_lines(again.stdout)[-1]["scenes"]} == {"skipped"}
    assert {b.name: b.generation for b in admin.bucket.list_blobs(prefix=prefix)} == generations  # nothing re-uploaded

    # captions: the film's .srt and .vtt go beside final.mp4 in the bucket, and the document names them
    scenes = admin.doc(script_id)["scenes"]
    scenes[1]["caption"] = "The storm breaks."
    admin.db.collection("scripts").document(script_id).update({"scenes": scenes})
    r = run_cli("export", f"firestore:{script_id}", "--workspace", str(ws), "--subtitles", env=fb_env)
    assert r.returncode == 0, r.stderr
    for suffix, kind in ((".srt", "application/x-subrip"), (".vtt", "text/vtt")):
        blob = admin.bucket.get_blob(f"{prefix}final{suffix}")
        assert blob is not None and blob.content_type == kind and blob.metadata["userId"] == "user-1"
        assert "The storm breaks." in blob.download_as_text()
        token = blob.metadata["firebaseStorageDownloadTokens"]
        assert admin.doc(script_id)["finalCaptionUrls"][suffix[1:]].endswith(f"token={token}")


def test_a_second_box_reuses_what_storage_has(admin, fb_env, tmp_path: Path) -> None:
    """A render on another machine (an empty workspace) fetches finished clips instead of making them again."""
    script_id = firestore_script(admin, tmp_path, scenes=2)
    first = run_cli("render", f"firestore:{script_id}", "--workspace", str(tmp_path / "box1"), "--json", env=fb_env)
    assert first.returncode == 0, first.stderr
    second = run_cli("render", f"firestore:{script_id}", "--workspace", str(tmp_path / "box2"), "--json", env=fb_env)
    assert second.returncode == 0, second.stderr
    assert {s["status"] for s in json_lines(second.stdout)[-1]["scenes"]} == {"skipped"}
    assert (tmp_path / "box2" / "videos" / "scripts" / script_id / "scenes" / "1.mp4").is_file()
