"""Uploads: memory bounded by the chunk, a dropped connection resumed, the rules' constraints checked first."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scenetui.errors import UserError
from scenetui.storage.firebase.policy import check_caption_upload, check_keyframe_upload, check_video_upload, clip_name
from tests.fakes.tcp_proxy import TcpProxy
from tests.firebase.conftest import BUCKET, PROJECT


def _bucket(storage_host: str):  # noqa: ANN202
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    os.environ["STORAGE_EMULATOR_HOST"] = storage_host
    return storage.Client(project=PROJECT, credentials=AnonymousCredentials()).bucket(BUCKET)


def test_dropped_connection_mid_upload_resumes(emulators, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from scenetui.storage.firebase.transfer import upload_file

    data = os.urandom(9 * 1024 * 1024 + 123)
    src = tmp_path / "clip.mp4"
    src.write_bytes(data)
    with TcpProxy(emulators.storage.port) as proxy:
        proxy.faults.drop_put_after = 5 * 1024 * 1024  # in the middle of the second 4 MiB chunk
        monkeypatch.setenv("STORAGE_EMULATOR_HOST", f"http://127.0.0.1:{proxy.port}")
        bucket = _bucket(f"http://127.0.0.1:{proxy.port}")
        seen: list[int] = []
        upload_file(bucket.blob("videos/scripts/up/scenes/0.mp4"), src, content_type="video/mp4",
                    metadata={"userId": "u"}, chunk_bytes=4 * 1024 * 1024, on_progress=lambda d, t: seen.append(d))
        assert proxy.faults.drops == 1
    blob = _bucket(f"http://{emulators.storage.host}").get_blob("videos/scripts/up/scenes/0.mp4")
    assert blob.size == len(data)
    assert blob.md5_hash == base64.b64encode(hashlib.md5(data).digest()).decode()
    assert seen[-1] == len(data) and seen == sorted(seen)


MEMORY_PROBE = """
import os, resource, sys
from pathlib import Path
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage
from scenetui.storage.firebase.transfer import upload_file
src = Path(sys.argv[1])
bucket = storage.Client(project=sys.argv[2], credentials=AnonymousCredentials()).bucket(sys.argv[3])
blob = bucket.blob("videos/scripts/big/scenes/0.mp4")
blob.upload_from_string(b"warm-up", content_type="video/mp4")  # connections and imports before the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
upload_file(blob, src, content_type="video/mp4", metadata={"userId": "u"}, chunk_bytes=4 * 1024 * 1024)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print((after - before) // 1024, bucket.get_blob(blob.name).size)
"""


def test_large_upload_memory_stays_bounded(emulators, tmp_path: Path) -> None:
    size = 150 * 1024 * 1024
    src = tmp_path / "big.mp4"
    with src.open("wb") as fh:
        for _ in range(size // (1 << 20)):
            fh.write(os.urandom(1 << 20))
    env = {**os.environ, "STORAGE_EMULATOR_HOST": f"http://{emulators.storage.host}"}
    r = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(src), PROJECT, BUCKET], capture_output=True, text=True,
                       env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    grew_mb, stored = (int(x) for x in r.stdout.split())
    assert stored == size
    assert grew_mb < 40, f"peak RSS grew {grew_mb} MB uploading {size >> 20} MB in 4 MiB chunks"


@pytest.mark.parametrize("name,ctype,size,meta,ok", [
    (clip_name("s1", 0), "video/mp4", 1000, {"userId": "u"}, True),
    (clip_name("s1", None), "video/mp4", 1000, {"userId": "u"}, True),
    ("videos/scripts/s1/scenes/x.mp4", "video/mp4", 1000, {"userId": "u"}, False),
    ("videos/scripts/s1/scenes/0.mov", "video/mp4", 1000, {"userId": "u"}, False),
    ("videos/scripts/../x/scenes/0.mp4", "video/mp4", 1000, {"userId": "u"}, False),
    (clip_name("s1", 0), "video/quicktime", 1000, {"userId": "u"}, False),
    (clip_name("s1", 0), "video/mp4", 1024 ** 3 + 1, {"userId": "u"}, False),
    (clip_name("s1", 0), "video/mp4", 1000, {"userId": "someone-else"}, False),
    (clip_name("s1", 0), "video/mp4", 1000, {}, False),
])
def test_video_uploads_are_checked_like_the_storage_rules(name: str, ctype: str, size: int, meta: dict, ok: bool) -> None:
    if ok:
        check_video_upload(name, ctype, size, meta, "u")
    else:
        with pytest.raises(UserError):
            check_video_upload(name, ctype, size, meta, "u")


@pytest.mark.parametrize("name,ctype,size,uid,ok", [
    (f"keyframes/u/{'a' * 64}.png", "image/png", 1000, "u", True),
    (f"keyframes/u/{'a' * 64}.jpg", "image/jpeg", 1000, "u", True),
    (f"keyframes/u/{'a' * 64}.png", "image/jpeg", 1000, "u", False),
    (f"keyframes/other/{'a' * 64}.png", "image/png", 1000, "u", False),
    (f"keyframes/u/{'a' * 63}.png", "image/png", 1000, "u", False),
    (f"keyframes/u/{'a' * 64}.png", "image/png", 11 * 1024 * 1024, "u", False),
])
def test_keyframe_uploads_are_checked_like_the_storage_rules(name: str, ctype: str, size: int, uid: str, ok: bool) -> None:
    if ok:
        check_keyframe_upload(name, ctype, size, {"userId": uid}, "u")
    else:
        with pytest.raises(UserError):
            check_keyframe_upload(name, ctype, size, {"userId": uid}, "u")


@pytest.mark.parametrize("name,ctype,size,meta,ok", [
    ("videos/scripts/s1/final.srt", "application/x-subrip", 1000, {"userId": "u"}, True),
    ("videos/scripts/s1/final.vtt", "text/vtt", 1000, {"userId": "u"}, True),
    ("videos/scripts/s1/final.srt", "text/vtt", 1000, {"userId": "u"}, False),
    ("videos/scripts/s1/scenes/final.srt", "application/x-subrip", 1000, {"userId": "u"}, False),
    ("videos/scripts/s1/final.ass", "text/plain", 1000, {"userId": "u"}, False),
    ("videos/scripts/s1/final.vtt", "text/vtt", 1024 ** 2 + 1, {"userId": "u"}, False),
    ("videos/scripts/s1/final.vtt", "text/vtt", 1000, {"userId": "someone-else"}, False),
])
def test_caption_uploads_are_checked_like_the_storage_rules(name: str, ctype: str, size: int, meta: dict, ok: bool) -> None:
    if ok:
        check_caption_upload(name, ctype, size, meta, "u")
    else:
        with pytest.raises(UserError):
            check_caption_upload(name, ctype, size, meta, "u")
