"""The Luma key appears in no file, log, journal, output, nor any process's command line — during and after a render
with faults, and after a failing one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import LUMA_KEY, luma_args, luma_env, write_script
from tests.fakes.luma_server import FakeLuma


def command_lines_with(secret: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if secret.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def files_with(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


def test_the_key_never_leaves_the_environment(tmp_path: Path, fake_luma: FakeLuma) -> None:
    script = write_script(tmp_path / "script", 3)
    ws = tmp_path / "ws"
    fake_luma.faults.fail_reasons = ["Job failed"]
    fake_luma.faults.get_5xx = 2
    fake_luma.faults.truncate_asset = 1
    cmd = [sys.executable, "-m", "scenetui", "render", str(script), "--workspace", str(ws), "--json", "--verbose",
           *luma_args(fake_luma)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **luma_env()})
    seen: list[int] = []
    while proc.poll() is None:
        seen += command_lines_with(LUMA_KEY)
        time.sleep(0.05)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode in (0, 1), err[-2000:]
    assert seen == [], "the key was on a command line"
    assert LUMA_KEY not in out + err
    assert files_with(ws, LUMA_KEY) == [] and files_with(tmp_path / "script", LUMA_KEY) == []
    wrong = "wrong-key-" + LUMA_KEY[::-1]
    ws2 = tmp_path / "ws2"
    bad = subprocess.run([a if a != str(ws) else str(ws2) for a in cmd], capture_output=True, text=True,
                         env={**os.environ, **luma_env(LUMAAI_API_KEY=wrong)}, timeout=120)
    assert bad.returncode == 2 and wrong not in bad.stdout + bad.stderr, bad.stderr[-2000:]
    assert "key" in bad.stderr.lower()
    assert not ws2.exists() or files_with(ws2, wrong) == []
