"""A workspace in a shared folder: links and special files another user plants there are refused, never written
through; read-only workspaces are read, not "repaired"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli, write_script

PRECIOUS = "someone else's file\n"


def _plant(tmp_path: Path, where: str, *, dangling: bool = False) -> tuple[Path, Path, Path]:
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_text(PRECIOUS)
    link = ws / where
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(victim)
    return script, ws, victim


def _refused(result, victim: Path, *, dangling: bool = False) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "symbolic link" in result.stderr and len(result.stderr.strip().splitlines()) <= 2, result.stderr
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == PRECIOUS  # not truncated, nothing appended


@pytest.mark.parametrize("where", [".scenetui/render-test.lock", "logs/scenetui.log"])
def test_a_planted_link_is_refused_and_its_target_untouched(tmp_path: Path, where: str) -> None:
    script, ws, victim = _plant(tmp_path, where)
    _refused(run_cli("render", str(script), "--workspace", str(ws)), victim)


def test_a_dangling_journal_link_creates_nothing_at_its_target(tmp_path: Path) -> None:
    script, ws, victim = _plant(tmp_path, ".scenetui/journal.db", dangling=True)
    _refused(run_cli("render", str(script), "--workspace", str(ws)), victim, dangling=True)


def test_a_linked_logs_folder_is_refused(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    ws.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (ws / "logs").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("render", str(script), "--workspace", str(ws))
    assert result.returncode == 2 and "symbolic link" in result.stderr, result.stderr
    assert list(elsewhere.iterdir()) == []


def test_a_planted_fifo_does_not_hang_the_log(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    (ws / "logs").mkdir(parents=True)
    os.mkfifo(ws / "logs" / "scenetui.log")
    result = run_cli("render", str(script), "--workspace", str(ws), timeout=60)
    assert result.returncode == 2 and "not a regular file" in result.stderr, result.stderr


def _read_only(ws: Path, *cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `cmd` with `ws` mounted read-only (root ignores file modes, so a mount namespace is the honest way)."""
    full_env = {**os.environ, **(env or {})}
    if os.geteuid() != 0:
        subprocess.run(["chmod", "-R", "a-w", str(ws)], check=True)
        try:
            return subprocess.run(list(cmd), capture_output=True, text=True, env=full_env, timeout=120)
        finally:
            subprocess.run(["chmod", "-R", "u+w", str(ws)], check=True)
    shell = f'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    return subprocess.run(["unshare", "--mount", "sh", "-c", shell, str(ws), *cmd], capture_output=True, text=True,
                          env=full_env, timeout=120)


def test_a_read_only_workspace_is_read_not_repaired(tmp_path: Path) -> None:
    """Another user's workspace: status and stats read its healthy journal (no "move it aside"), the app's controller
    opens it with its log going to the reader's own state folder, and a render says it cannot write there."""
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    before = {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()}
    py = [sys.executable, "-m", "scenetui"]
    status = _read_only(ws, *py, "status", str(script), "--workspace", str(ws), "--json")
    assert status.returncode == 0, status.stderr
    assert [row["status"] for row in json.loads(status.stdout)["scenes"]] == ["completed", "completed"]
    stats = _read_only(ws, *py, "stats", str(ws))
    assert stats.returncode == 0 and "move it aside" not in stats.stderr, stats.stderr
    state = tmp_path / "state"
    probe = ("import sys; from pathlib import Path; from scenetui.cli.interactive import build_app; "
             "from scenetui.storage.workspace import Workspace; "
             "app = build_app(Path(sys.argv[1]), Workspace(Path(sys.argv[2])), None, 'watch'); "
             "print('controller' if app.controller is not None else 'none')")
    watch = _read_only(ws, sys.executable, "-c", probe, str(script), str(ws), env={"XDG_STATE_HOME": str(state)})
    assert watch.returncode == 0 and watch.stdout.strip() == "controller", watch.stderr
    assert list((state / "scenetui" / "logs").glob("*.log"))  # the reader's log is the reader's own
    render = _read_only(ws, *py, "render", str(script), "--workspace", str(ws), "--force")
    assert render.returncode != 0 and "Traceback" not in render.stderr and "please report" not in render.stderr
    assert "move it aside" not in render.stderr, render.stderr
    assert {p: p.read_bytes() for p in ws.rglob("*") if p.is_file()} == before


def test_a_background_render_log_is_private(tmp_path: Path) -> None:
    from scenetui.control.background import spawn_render
    from scenetui.storage.workspace import Workspace

    pid, out = spawn_render([sys.executable, "-c", "print('a prompt')"], Workspace(tmp_path / "ws"))
    os.waitpid(pid, 0)
    assert out.read_text().strip() == "a prompt"
    assert out.stat().st_mode & 0o777 == 0o600
