"""Reaching Firebase: which project, bucket and credential, emulators or Google, and a fast check before any work.

With an emulator variable set nothing is sent to Google: the clients use anonymous credentials, and a
service-account key (when given) is only used to sign URLs locally — refreshing it would try Google's token
endpoint and hang for minutes on a machine without internet.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlparse

from scenetui.config import Settings
from scenetui.errors import UserError

SIGNED_URL_LIFETIME = datetime.timedelta(hours=1)
CALL_TIMEOUT = 20.0  # seconds for one Firestore/Storage call: a dead link fails in seconds, not minutes
_REACH_TIMEOUT = 2.0


@dataclass(frozen=True)
class FirebaseConfig:
    """Where scripts and clips live, as the environment, config file and flags say."""

    project: str
    bucket: str
    credentials_file: Path | None = None
    firestore_emulator: str | None = None  # host:port
    storage_emulator: str | None = None  # http://host:port
    chunk_bytes: int = 4 * 1024 * 1024

    @property
    def emulated(self) -> bool:
        return bool(self.firestore_emulator or self.storage_emulator)


def _with_scheme(host: str) -> str:
    return host if "://" in host else f"http://{host}"


def _credential_project(path: Path) -> str | None:
    """The project a service-account file belongs to; every way it can be unusable is one clear line."""
    try:
        raw = path.expanduser().read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"GOOGLE_APPLICATION_CREDENTIALS names {path}, which does not exist",
                        hint="point it at the service-account JSON downloaded from the Firebase console") from None
    except (OSError, UnicodeDecodeError) as exc:
        why = getattr(exc, "strerror", None) or "not text"
        raise UserError(f"cannot read the credential file {path} ({why})", hint="check the path and its permissions") from None
    try:
        info = json.loads(raw)
    except ValueError:
        raise UserError(f"the credential file {path} is not JSON", hint="use the service-account key file (JSON)") from None
    if not isinstance(info, dict) or info.get("type") != "service_account" or not info.get("private_key") \
            or not info.get("client_email"):
        raise UserError(f"the credential file {path} is not a service-account key",
                        hint="download one under Project settings → Service accounts in the Firebase console")
    project = info.get("project_id")
    return project if isinstance(project, str) and project else None


def firebase_config(settings: Settings, *, bucket: str | None = None) -> FirebaseConfig:
    """Resolve the configuration without any network call; configuration mistakes become UserError."""
    fs_emu, st_emu = settings.firestore_emulator_host, settings.storage_emulator_host
    if bool(fs_emu) != bool(st_emu):
        have, lack = ("FIRESTORE_EMULATOR_HOST", "STORAGE_EMULATOR_HOST") if fs_emu else ("STORAGE_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST")
        raise UserError(f"{have} is set but {lack} is not",
                        hint="set both to use the emulators (nothing is then sent to Google), or neither")
    creds = settings.firebase_credentials
    cred_project = _credential_project(creds) if creds else None
    project = settings.firebase_project or cred_project
    if cred_project and settings.firebase_project and cred_project != settings.firebase_project and not fs_emu:
        raise UserError(f"the credential is for project {cred_project!r} but GOOGLE_CLOUD_PROJECT is {settings.firebase_project!r}",
                        hint="use the service-account key of that project, or unset GOOGLE_CLOUD_PROJECT")
    if not fs_emu and creds is None:
        raise UserError("no Firebase credential: GOOGLE_APPLICATION_CREDENTIALS is not set",
                        hint="export GOOGLE_APPLICATION_CREDENTIALS=/path/to/service-account.json (or set the emulator variables)")
    if not project:
        raise UserError("no Firebase project", hint="export GOOGLE_CLOUD_PROJECT=your-project-id")
    name = bucket or settings.firebase_bucket
    if not name:
        raise UserError("no Storage bucket given",
                        hint=f"pass --bucket or export SCENETUI_FIREBASE_BUCKET (often {project}.firebasestorage.app or {project}.appspot.com)")
    name = name.removeprefix("gs://").rstrip("/")
    return FirebaseConfig(project=project, bucket=name, credentials_file=creds.expanduser() if creds else None,
                          firestore_emulator=fs_emu, storage_emulator=_with_scheme(st_emu) if st_emu else None,
                          chunk_bytes=settings.upload_chunk_mb * 1024 * 1024)


def _reachable(what: str, variable: str, address: str) -> None:
    parsed = urlparse(_with_scheme(address))
    host, port = parsed.hostname or "", parsed.port or 80
    try:
        socket.create_connection((host, port), timeout=_REACH_TIMEOUT).close()
    except OSError:
        raise UserError(f"{variable} points at {host}:{port}, where no {what} emulator answers",
                        hint="start the emulator, or unset the variable to use Firebase itself") from None


class FirebaseConnection:
    """firebase-admin's Firestore client and Storage bucket for one configuration, plus URL signing."""

    def __init__(self, config: FirebaseConfig) -> None:
        import firebase_admin
        from firebase_admin import credentials, firestore, storage

        self.config = config
        if config.emulated:
            _reachable("Firestore", "FIRESTORE_EMULATOR_HOST", config.firestore_emulator or "")
            _reachable("Storage", "STORAGE_EMULATOR_HOST", config.storage_emulator or "")
            # The libraries read these variables themselves; FIREBASE_STORAGE_EMULATOR_HOST is the CLI's name only.
            os.environ["FIRESTORE_EMULATOR_HOST"] = config.firestore_emulator or ""
            os.environ["STORAGE_EMULATOR_HOST"] = config.storage_emulator or ""
            cred: Any = _emulator_credential()
        else:
            cred = credentials.Certificate(str(config.credentials_file))
        self.app = firebase_admin.initialize_app(
            cred, {"projectId": config.project, "storageBucket": config.bucket},
            name=f"scenetui-{id(self)}")
        self.db = firestore.client(self.app)
        self.bucket = storage.bucket(app=self.app)
        self._signer = self._load_signer()

    def _load_signer(self) -> Any:
        if self.config.credentials_file is None:
            return None
        from google.oauth2 import service_account

        try:
            return service_account.Credentials.from_service_account_file(str(self.config.credentials_file))
        except (ValueError, OSError) as exc:
            raise UserError(f"the credential file {self.config.credentials_file} cannot sign URLs ({exc})",
                            hint="download a fresh service-account key") from None

    def check_bucket(self) -> None:
        """The bucket exists and we may use it (one metadata call)."""
        from google.api_core import exceptions as gexc

        try:
            exists = self.bucket.exists(timeout=CALL_TIMEOUT)
        except gexc.Forbidden:
            raise UserError(f"the credential may not use bucket {self.config.bucket}",
                            hint="give the service account the Storage Object Admin role, or check --bucket") from None
        except gexc.GoogleAPICallError as exc:
            raise UserError(f"cannot reach Storage bucket {self.config.bucket} ({exc.message})", hint="check the network") from None
        if not exists:
            raise UserError(f"Storage bucket {self.config.bucket!r} does not exist in project {self.config.project}",
                            hint="check --bucket / SCENETUI_FIREBASE_BUCKET (see Storage in the Firebase console)")

    def signed_url(self, blob_name: str, bucket: str | None = None) -> str:
        """A V4 signed GET URL valid for an hour (on the emulator without a key: its plain, unchecked URL)."""
        target = self.bucket if bucket in (None, self.config.bucket) else self.bucket.client.bucket(bucket)
        blob = target.blob(blob_name)
        if self._signer is None:
            if not self.config.emulated:
                raise UserError("signing keyframe URLs needs a service-account key", hint="set GOOGLE_APPLICATION_CREDENTIALS")
            return f"{self.config.storage_emulator}/{target.name}/{quote(blob_name)}"
        return blob.generate_signed_url(version="v4", expiration=SIGNED_URL_LIFETIME, method="GET", credentials=self._signer)

    def download_url(self, blob_name: str, token: str) -> str:
        """The Firebase download URL the phone app plays: the object's download token grants read access."""
        base = self.config.storage_emulator or "https://firebasestorage.googleapis.com"
        return f"{base}/v0/b/{self.config.bucket}/o/{quote(blob_name, safe='')}?alt=media&token={token}"

    def close(self) -> None:
        import firebase_admin

        try:
            firebase_admin.delete_app(self.app)
        except ValueError:
            pass


def _emulator_credential() -> Any:
    """A firebase-admin credential that never talks to Google (the emulators accept anonymous calls)."""
    from firebase_admin import credentials
    from google.auth.credentials import AnonymousCredentials

    class EmulatorCredential(credentials.Base):
        def get_credential(self) -> Any:
            return AnonymousCredentials()

    return EmulatorCredential()


_connections: dict[FirebaseConfig, FirebaseConnection] = {}
_lock = threading.Lock()


def connect(config: FirebaseConfig) -> FirebaseConnection:
    """One connection per configuration in this process, checked (emulators reachable, bucket present) once."""
    with _lock:
        conn = _connections.get(config)
        if conn is None:
            conn = FirebaseConnection(config)
            try:
                conn.check_bucket()
            except BaseException:
                conn.close()
                raise
            _connections[config] = conn
        return conn
