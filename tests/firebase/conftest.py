"""Real emulators for the Firebase tests: Google's Firestore emulator (evaluating firebase/firestore.rules) and
gcp-storage-emulator, started once per test session; a service-account key made on the spot for signing."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI
from tests.emulators import Emulator, start_firestore, start_storage

PROJECT = "demo-scenetui"
BUCKET = "demo-scenetui.appspot.com"
RULES = Path(__file__).resolve().parents[2] / "firebase" / "firestore.rules"


@dataclass
class Emulators:
    firestore: Emulator
    storage: Emulator
    credentials: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {"FIRESTORE_EMULATOR_HOST": self.firestore.host, "STORAGE_EMULATOR_HOST": f"http://{self.storage.host}",
                "GOOGLE_CLOUD_PROJECT": PROJECT, "SCENETUI_FIREBASE_BUCKET": BUCKET,
                "GOOGLE_APPLICATION_CREDENTIALS": str(self.credentials), **extra}


def make_service_account(path: Path, project: str = PROJECT) -> Path:
    """A service-account key with a fresh RSA key: enough to sign URLs, useless anywhere else."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path.write_text(json.dumps({
        "type": "service_account", "project_id": project, "private_key_id": uuid.uuid4().hex, "private_key": pem,
        "client_email": f"scenetui-test@{project}.iam.gserviceaccount.com", "client_id": "1",
        "token_uri": "https://oauth2.googleapis.com/token"}))
    return path


@pytest.fixture(scope="session")
def emulators(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulators]:
    work = tmp_path_factory.mktemp("emulators")
    firestore = start_firestore(work, PROJECT, RULES)
    if firestore is None:
        if IN_CI:
            pytest.fail("Google's Firestore emulator is missing (google-cloud-cli-firestore-emulator); CI must have it")
        pytest.skip("Google's Firestore emulator is not installed")
    try:
        storage = start_storage(work, BUCKET)
        if storage is None:
            pytest.fail("gcp-storage-emulator is missing: pip install '.[test]' installs it")
        try:
            yield Emulators(firestore, storage, make_service_account(work / "service-account.json"))
        finally:
            storage.stop()
    finally:
        firestore.stop()


@pytest.fixture
def fb_env(emulators: Emulators, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """The emulator environment, set for this process too, with a private keyframe cache."""
    env = emulators.env(SCENETUI_CACHE_DIR=str(tmp_path / "cache"))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def admin(fb_env: dict[str, str]) -> Iterator[Any]:
    """Test-side clients (Firestore, bucket) talking to the emulators directly, as the phone app's backend would."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore, storage

    db = firestore.Client(project=PROJECT, credentials=AnonymousCredentials())
    bucket = storage.Client(project=PROJECT, credentials=AnonymousCredentials()).bucket(BUCKET)
    yield Admin(db, bucket)
    db.close()


@dataclass
class Admin:
    db: Any
    bucket: Any

    def doc(self, script_id: str) -> dict[str, Any]:
        snap = self.db.collection("scripts").document(script_id).get()
        return snap.to_dict() if snap.exists else {}

    def seed(self, script_id: str, data: dict[str, Any]) -> None:
        self.db.collection("scripts").document(script_id).set(data)

    def put(self, name: str, data: bytes, content_type: str) -> str:
        self.bucket.blob(name).upload_from_string(data, content_type=content_type)
        return name

    def names(self, prefix: str) -> list[str]:
        return sorted(b.name for b in self.bucket.list_blobs(prefix=prefix))


def unique_id(prefix: str = "s") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def firestore_script(admin: Admin, tmp_path: Path, scenes: int = 2, *, user: str = "user-1",
                     extra: dict[str, Any] | None = None) -> str:
    """A script document whose keyframes live in the bucket (one as gs://, one as a bare path), as the app makes them."""
    from tests.conftest import COLORS, draw_keyframe

    script_id = unique_id()
    items = []
    for i in range(scenes):
        refs = []
        for j, color in enumerate((COLORS[i % len(COLORS)], COLORS[(i + 1) % len(COLORS)])):
            png = draw_keyframe(tmp_path / "kf-src" / f"{script_id}-{i}-{j}.png", color)
            name = admin.put(f"keyframes-app/{script_id}/{i}-{j}.png", png.read_bytes(), "image/png")
            refs.append(f"gs://{BUCKET}/{name}" if j == 0 else name)
        items.append({"title": f"Scene {i}", "description": f"things happen {i}", "visualDescription": f"a view {i}",
                      "startKeyframe": refs[0], "endKeyframe": refs[1], "camera": "push_in",
                      "appNote": f"kept {i}", "videoStatus": "notStarted"})
    data = {"title": "From Firestore", "style": "flat colours", "userId": user, "scenes": items,
            "createdBy": "ios-app", "tags": ["a", "b"]}
    data.update(extra or {})
    admin.seed(script_id, data)
    return script_id
