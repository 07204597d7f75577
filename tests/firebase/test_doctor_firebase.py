"""`doctor --storage firebase` against the emulators: reachable is ✓, a dead emulator is ✗ with its fix."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def test_doctor_checks_firebase(fb_env: dict[str, str], tmp_path: Path) -> None:
    r = run_cli("doctor", "--json", "--storage", "firebase", "--workspace", str(tmp_path / "ws"), env=fb_env)
    report = json.loads(r.stdout)
    firebase = next(c for c in report["checks"] if c["name"] == "firebase")
    assert r.returncode == 0 and firebase["ok"] and "emulators" in firebase["detail"], r.stdout
    dead = {**fb_env, "STORAGE_EMULATOR_HOST": "http://127.0.0.1:9"}
    r = run_cli("doctor", "--json", "--storage", "firebase", "--workspace", str(tmp_path / "ws"), env=dead)
    report = json.loads(r.stdout)
    firebase = next(c for c in report["checks"] if c["name"] == "firebase")
    assert r.returncode == 1 and not firebase["ok"] and "no Storage emulator answers" in firebase["detail"]
    assert firebase["fix"] and "Traceback" not in r.stderr
