"""Google's Firestore emulator and gcp-storage-emulator, started by the tests themselves on loopback.

The `gcloud` wrapper does not pass SIGTERM on to its Java child, so every emulator runs in a process group of
its own and the whole group is ended.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

FIRESTORE_LAUNCHER = "platform/cloud-firestore-emulator/cloud_firestore_emulator"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def firestore_command(port: int, project: str, rules: Path | None) -> list[str] | None:
    """The emulator's own launcher when the SDK has it (starts faster), else `gcloud emulators firestore start`."""
    gcloud = shutil.which("gcloud")
    roots = [Path("/usr/lib/google-cloud-sdk")]
    if gcloud:
        roots.insert(0, Path(os.path.realpath(gcloud)).parent.parent)
    rules_args = [f"--rules={rules}"] if rules else []
    for root in roots:
        launcher = root / FIRESTORE_LAUNCHER
        if launcher.is_file():
            return [str(launcher), "start", "--host=127.0.0.1", f"--port={port}", f"--project_id={project}", *rules_args]
    if gcloud:
        return [gcloud, "emulators", "firestore", "start", f"--host-port=127.0.0.1:{port}", f"--project={project}", *rules_args]
    return None


class Emulator:
    """A server process in its own group, ended as a group."""

    def __init__(self, cmd: list[str], port: int, ready_path: str | None, log: Path, env: dict[str, str] | None = None) -> None:
        self.cmd, self.port, self.ready_path, self.log = cmd, port, ready_path, log
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> Emulator:
        sink = self.log.open("wb")
        self.proc = subprocess.Popen(self.cmd, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.cmd[0]} exited: {self.log.read_text(errors='replace')[-2000:]}")
            if self._ready():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.cmd[0]} did not start within {timeout}s: {self.log.read_text(errors='replace')[-2000:]}")

    def _ready(self) -> bool:
        try:
            if self.ready_path is None:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return True
            with urllib.request.urlopen(f"http://{self.host}{self.ready_path}", timeout=1) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the Java child of gcloud may still be there
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=10)
        self.proc = None


def start_firestore(workdir: Path, project: str, rules: Path | None = None) -> Emulator | None:
    port = free_port()
    cmd = firestore_command(port, project, rules)
    if cmd is None:
        return None
    cfg = tempfile.mkdtemp(prefix="gcloud-", dir=workdir)
    env = {"CLOUDSDK_CONFIG": cfg, "CLOUDSDK_CORE_DISABLE_PROMPTS": "1", "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1"}
    return Emulator(cmd, port, "/", workdir / "firestore-emulator.log", env).start()


def start_storage(workdir: Path, bucket: str) -> Emulator | None:
    exe = shutil.which("gcp-storage-emulator") or str(Path(sys.executable).parent / "gcp-storage-emulator")
    if not Path(exe).exists():
        return None
    port = free_port()
    cmd = [exe, "start", "--host=127.0.0.1", f"--port={port}", "--in-memory", f"--default-bucket={bucket}"]
    return Emulator(cmd, port, None, workdir / "storage-emulator.log").start()
