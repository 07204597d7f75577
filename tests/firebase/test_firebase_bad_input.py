"""Firebase configuration and documents that cannot work: one line, exit 2, nothing written, within seconds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_script
from tests.firebase.conftest import PROJECT, firestore_script, make_service_account, unique_id

FIREBASE_VARS = ("FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST",
                 "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "SCENETUI_FIREBASE_BUCKET")


def run_clean(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    base = {k: v for k, v in os.environ.items() if k not in FIREBASE_VARS}
    started = time.monotonic()
    r = subprocess.run([sys.executable, "-m", "scenetui", *args], capture_output=True, text=True,
                       env={**base, **env}, timeout=120)
    return r, time.monotonic() - started


def assert_one_line_error(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scenetui: error: "), r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    for w in words:
        assert w in lines[0], (w, lines[0])


def test_no_credential_outside_the_emulators(tmp_path: Path) -> None:
    r, _ = run_clean(["render", "firestore:abc", "--workspace", str(tmp_path / "ws")], {"GOOGLE_CLOUD_PROJECT": PROJECT})
    assert_one_line_error(r, "GOOGLE_APPLICATION_CREDENTIALS")
    assert not (tmp_path / "ws").exists()


@pytest.mark.parametrize("content,words", [
    (None, ("does not exist",)),
    ("{not json", ("is not JSON",)),
    (json.dumps({"type": "authorized_user"}), ("not a service-account key",)),
])
def test_unusable_credential_files(tmp_path: Path, content: str | None, words: tuple[str, ...]) -> None:
    cred = tmp_path / "cred.json"
    if content is not None:
        cred.write_text(content)
    r, _ = run_clean(["status", "firestore:abc", "--workspace", str(tmp_path / "ws")],
                     {"GOOGLE_APPLICATION_CREDENTIALS": str(cred), "GOOGLE_CLOUD_PROJECT": PROJECT,
                      "SCENETUI_FIREBASE_BUCKET": "b"})
    assert_one_line_error(r, *words)
    assert not (tmp_path / "ws").exists()


def test_credential_for_another_project(tmp_path: Path) -> None:
    cred = make_service_account(tmp_path / "other.json", project="some-other-project")
    r, elapsed = run_clean(["render", "firestore:abc", "--workspace", str(tmp_path / "ws")],
                           {"GOOGLE_APPLICATION_CREDENTIALS": str(cred), "GOOGLE_CLOUD_PROJECT": PROJECT,
                            "SCENETUI_FIREBASE_BUCKET": "b"})
    assert_one_line_error(r, "some-other-project", PROJECT)
    assert elapsed < 15 and not (tmp_path / "ws").exists()
    key = json.loads(cred.read_text())["private_key"].splitlines()[1]
    assert key not in r.stderr + r.stdout  # the key's text never reaches the screen


def test_emulator_variable_pointing_at_nothing_fails_fast(tmp_path: Path) -> None:
    r, elapsed = run_clean(["render", "firestore:abc", "--workspace", str(tmp_path / "ws")],
                           {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:9", "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9",
                            "GOOGLE_CLOUD_PROJECT": PROJECT, "SCENETUI_FIREBASE_BUCKET": "b"})
    assert_one_line_error(r, "FIRESTORE_EMULATOR_HOST", "127.0.0.1:9")
    assert elapsed < 15 and not (tmp_path / "ws").exists()


def test_only_one_emulator_variable(tmp_path: Path) -> None:
    r, _ = run_clean(["render", "firestore:abc"], {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:9", "GOOGLE_CLOUD_PROJECT": PROJECT})
    assert_one_line_error(r, "STORAGE_EMULATOR_HOST")


def test_bad_firestore_id_is_a_usage_error() -> None:
    r, _ = run_clean(["render", "firestore:../../etc"], {})
    assert r.returncode == 2 and "not a Firestore script id" in r.stderr and "Traceback" not in r.stderr


def test_unknown_bucket(fb_env, tmp_path: Path) -> None:
    r, elapsed = run_clean(["render", "firestore:abc", "--bucket", "no-such-bucket", "--workspace", str(tmp_path / "ws")],
                           fb_env)
    assert_one_line_error(r, "no-such-bucket", "does not exist")
    assert elapsed < 15 and not (tmp_path / "ws").exists()


def test_missing_script_document(fb_env, tmp_path: Path) -> None:
    missing = unique_id("missing")
    r, _ = run_clean(["render", f"firestore:{missing}", "--workspace", str(tmp_path / "ws")], fb_env)
    assert_one_line_error(r, missing, "no script")
    assert not (tmp_path / "ws").exists()


def test_document_whose_scenes_do_not_validate(admin, fb_env, tmp_path: Path) -> None:
    script_id = firestore_script(admin, tmp_path, scenes=2)
    doc = admin.doc(script_id)
    doc["scenes"][1].pop("startKeyframe")
    doc["scenes"][1].pop("endKeyframe")
    doc["video"] = {"resolution": "8k"}
    admin.seed(script_id, doc)
    before = admin.doc(script_id)
    r, _ = run_clean(["render", f"firestore:{script_id}", "--workspace", str(tmp_path / "ws")], fb_env)
    assert_one_line_error(r, f"firestore:{script_id}", "+1 more")
    v, _ = run_clean(["validate", f"firestore:{script_id}"], fb_env)
    assert v.returncode == 2 and "video.resolution" in v.stderr and "scene(s) 1 have no keyframe" in v.stderr
    assert admin.doc(script_id) == before and not (tmp_path / "ws").exists()


def test_local_script_to_firebase_needs_an_owner(fb_env, tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    r, _ = run_clean(["render", str(script), "--storage", "firebase", "--workspace", str(tmp_path / "ws")], fb_env)
    assert_one_line_error(r, "--user-id")
    assert not (tmp_path / "ws").exists()
