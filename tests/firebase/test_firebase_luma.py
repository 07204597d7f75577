"""Luma on Firebase: keyframes handed over as signed Storage URLs the fake Luma really fetches; kill -9 mid-upload."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from scenetui.media.probe import probe
from tests.conftest import LUMA_KEY, luma_env, run_cli, write_script
from tests.fakes.luma_server import FakeLuma
from tests.fakes.tcp_proxy import TcpProxy
from tests.firebase.conftest import BUCKET, firestore_script


def luma(fake: FakeLuma) -> list[str]:
    return ["--backend", "luma", "--luma-base-url", fake.base_url, "--yes"]


def test_firestore_script_on_luma_signs_bucket_keyframes(admin, fb_env, fake_luma: FakeLuma, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=2)
    ws = tmp_path / "ws"
    r = run_cli("render", f"firestore:{script_id}", "--workspace", str(ws), "--json", *luma(fake_luma),
                env={**fb_env, **luma_env()})
    assert r.returncode == 0, r.stderr
    assert len(fake_luma.creates()) == 2 and fake_luma.duplicate_creates() == 0
    urls = [f["url"] for rec in fake_luma.creates() for f in rec.request["keyframes"].values()]
    assert len(urls) == 4 and all("X-Goog-Signature=" in u and "X-Goog-Expires=3600" in u for u in urls)
    assert all(u.startswith(f"{fb_env['STORAGE_EMULATOR_HOST']}/{BUCKET}/keyframes-app/{script_id}/") for u in urls)
    assert all(rec.frames_ok for rec in fake_luma.creates())  # Luma's side fetched each signed URL anonymously
    assert admin.names("keyframes/user-1/") == []  # bucket keyframes are signed where they are, never copied
    doc = admin.doc(script_id)
    assert [s["videoStatus"] for s in doc["scenes"]] == ["completed", "completed"]
    for i in range(2):
        blob = admin.bucket.get_blob(f"videos/scripts/{script_id}/scenes/{i}.mp4")
        assert blob is not None and blob.size == doc["scenes"][i]["videoMetadata"]["size"]
    # signatures are capabilities: none reaches the journal, the log or the output
    for f in ws.rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert b"X-Goog-Signature" not in data and LUMA_KEY.encode() not in data, f
    assert "X-Goog-Signature" not in r.stdout + r.stderr


def test_local_keyframes_are_hosted_once_by_content(admin, fb_env, fake_luma: FakeLuma, tmp_path: Path) -> None:
    """A script file with --storage firebase: its keyframes go to keyframes/{uid}/{sha256}.png once; a second
    script with the same pictures reuses them."""
    env = {**fb_env, **luma_env()}
    first = write_script(tmp_path / "one", 2, script_id="local-one")
    r = run_cli("render", str(first), "--workspace", str(tmp_path / "ws1"), "--json", "--storage", "firebase",
                "--user-id", "u-9", *luma(fake_luma), env=env)
    assert r.returncode == 0, r.stderr
    hosted = {b.name: b.generation for b in admin.bucket.list_blobs(prefix="keyframes/u-9/")}
    assert len(hosted) == 3  # scenes share a picture: 0-b and 1-a are both the second colour
    for name in hosted:
        blob = admin.bucket.get_blob(name)
        assert blob.content_type == "image/png" and blob.metadata["userId"] == "u-9"
    second = write_script(tmp_path / "two", 2, script_id="local-two")
    r2 = run_cli("render", str(second), "--workspace", str(tmp_path / "ws2"), "--json", "--storage", "firebase",
                 "--user-id", "u-9", *luma(fake_luma), env=env)
    assert r2.returncode == 0, r2.stderr
    assert {b.name: b.generation for b in admin.bucket.list_blobs(prefix="keyframes/u-9/")} == hosted  # reused
    doc = admin.doc("local-two")
    assert doc["userId"] == "u-9" and [s["videoStatus"] for s in doc["scenes"]] == ["completed", "completed"]
    assert fake_luma.duplicate_creates() == 0 and all(rec.frames_ok for rec in fake_luma.creates())


def test_kill9_mid_upload_then_rerun(admin, fb_env, tmp_path: Path, asset_cache: Path) -> None:
    """Killed while a clip is half uploaded: the rerun uploads it (one whole object) and pays for nothing again."""
    script_id = firestore_script(admin, tmp_path, scenes=1)
    ws = tmp_path / "ws"
    storage_port = int(fb_env["STORAGE_EMULATOR_HOST"].rsplit(":", 1)[1])
    with FakeLuma(api_key=LUMA_KEY, asset_cache=asset_cache, queued_s=0.2, dreaming_s=0.5) as fake:
        # The stalled connection holds the (single-threaded) storage emulator: the proxy goes away with the kill.
        with TcpProxy(storage_port) as proxy:
            proxy.faults.stall_put_after = 64 * 1024  # the clip's upload hangs after 64 KB
            env = {**os.environ, **fb_env, **luma_env(), "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{proxy.port}",
                   "SCENETUI_UPLOAD_CHUNK_MB": "1"}
            cmd = [sys.executable, "-m", "scenetui", "render", f"firestore:{script_id}", "--workspace", str(ws),
                   "--json", *luma(fake)]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                    start_new_session=True)
            try:
                assert proxy.faults.stalled.wait(60), "the upload never started"
                time.sleep(0.3)
            finally:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate(timeout=30)
        assert len(fake.creates()) == 1
        assert admin.bucket.get_blob(f"videos/scripts/{script_id}/scenes/0.mp4") is None  # no half object
        r = run_cli("render", f"firestore:{script_id}", "--workspace", str(ws), "--json", *luma(fake),
                    env={**fb_env, **luma_env()})
        assert r.returncode == 0, r.stderr
        assert len(fake.creates()) == 1 and fake.duplicate_creates() == 0  # nothing paid twice
    names = admin.names(f"videos/scripts/{script_id}/")
    assert names == [f"videos/scripts/{script_id}/final.mp4", f"videos/scripts/{script_id}/scenes/0.mp4"]
    local = ws / "videos" / "scripts" / script_id / "scenes" / "0.mp4"
    blob = admin.bucket.get_blob(f"videos/scripts/{script_id}/scenes/0.mp4")
    assert blob.size == local.stat().st_size
    fetched = tmp_path / "fetched.mp4"
    blob.download_to_filename(str(fetched))
    assert abs(probe(fetched, decode=True).duration - 5.0) < 0.2
    assert admin.doc(script_id)["scenes"][0]["videoStatus"] == "completed"
    leftovers = [p for p in ws.rglob("*") if p.name.endswith((".tmp", ".part", ".part.mp4"))]
    assert leftovers == []
