"""The real `scenetui open` in a real terminal (tmux): keys in, screen out, terminal restored on quit."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import IN_CI, write_script

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None and not IN_CI, reason="tmux is not installed (CI installs it)")


class Tmux:
    def __init__(self, tmp: Path) -> None:
        self.socket = f"scenetui-{uuid.uuid4().hex[:8]}"
        self.session = "t"

    def run(self, *args: str) -> str:
        r = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=30)
        return r.stdout

    def start(self, command: str, width: int = 120, height: int = 36) -> None:
        self.run("-f", "/dev/null", "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), command)
        self.run("resize-window", "-t", self.session, "-x", str(width), "-y", str(height))

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", self.session, *keys)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", self.session)

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def kill(self) -> None:
        self.run("kill-server")


def open_in_tmux(tmp_path: Path, args: str, *, env: str = "", after: str = "; sleep 5") -> Tmux:
    """Run `scenetui ARGS` in a fresh tmux server, as a person would type it."""
    tmux = Tmux(tmp_path)
    env = f"TERM=xterm-256color {env} PYTHONPATH={Path(__file__).resolve().parents[2]}"
    exec_ = "exec " if not after else ""
    tmux.start(f"cd {tmp_path} && {exec_}env {env} {sys.executable} -m scenetui {args}{after}")
    return tmux


def test_open_in_tmux_generate_preview_and_quit(tmp_path: Path) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    done = tmp_path / "exit-code"
    tmux = open_in_tmux(tmp_path, f"{script} --workspace {ws}", after=f"; echo $? > {done}; sleep 5")
    try:
        tmux.wait_for("0/2 done")
        shown = tmux.screen()
        assert "Scene 0" in shown and "Create videos" in shown  # the tree and the footer bindings
        tmux.keys("g")
        tmux.wait_for("2/2 done", timeout=120)
        tmux.wait_for("film", timeout=60)  # "film assembled", or "film ready" when the header is narrow
        tmux.keys("p")
        tmux.wait_for("Resolution")
        shown = tmux.wait_for("frame ")
        assert "1280x720" in shown
        tmux.keys("Space")  # played in this terminal: half blocks, with a live frame rate on the scrub bar
        tmux.wait_for("fps drawn")
        tmux.keys("Space")
        tmux.keys("Escape")
        tmux.wait_for("2/2 done")
        tmux.keys("q")
        deadline = time.monotonic() + 20
        while not done.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert done.read_text().strip() == "0"
        assert "2/2 done" not in tmux.screen()  # the app's screen is gone: the terminal was restored
    finally:
        tmux.kill()
    assert (ws / "videos" / "scripts" / "test" / "final.mp4").is_file()
    assert os.path.getsize(ws / "logs" / "scenetui.log") > 0


@pytest.mark.skipif(shutil.which("mpv") is None and not IN_CI, reason="mpv is not installed (CI installs it)")
def test_play_in_the_terminal_with_mpv_and_come_back(tmp_path: Path) -> None:
    """Over SSH there is no display: mpv draws the clip in the terminal (--vo=tct), then the app returns."""
    script = write_script(tmp_path / "s", 1)
    ws = tmp_path / "ws"
    from tests.conftest import run_cli

    assert run_cli("render", str(script), "--workspace", str(ws)).returncode == 0
    tmux = open_in_tmux(tmp_path, f"open {script} --workspace {ws}", env="DISPLAY= WAYLAND_DISPLAY=")
    try:
        tmux.wait_for("1/1 done")
        tmux.keys("p")
        tmux.wait_for("frame ")
        tmux.keys("o")  # no display: mpv plays in the terminal
        deadline = time.monotonic() + 15
        suspended = False
        while time.monotonic() < deadline and not suspended:
            suspended = "Resolution" not in tmux.screen()  # the app gave the terminal to mpv
            time.sleep(0.1)
        assert suspended, "the app never gave the terminal to the player"
        shown = tmux.wait_for("finished", timeout=30)  # back in the app after the 5 s clip
        assert "playing with mpv in the terminal" in shown and "Resolution" in shown
        tmux.keys("Escape")
        tmux.keys("q")
    finally:
        tmux.kill()


def test_hangup_mid_render_closes_cleanly_and_the_render_resumes(tmp_path: Path) -> None:
    """The SSH connection drops (SIGHUP) while the app renders: it stops cleanly, keeps clips, and resumes later."""
    import signal

    from tests.conftest import run_cli

    script = write_script(tmp_path / "s", 3)
    ws = tmp_path / "ws"
    done = tmp_path / "exit-code"
    tmux = open_in_tmux(tmp_path, f"open {script} --workspace {ws} --concurrency 1", after="")  # exec: the pane is the app
    try:
        tmux.wait_for("0/3 done")
        tmux.keys("g")
        tmux.wait_for("rendering")
        pid = int(tmux.run("list-panes", "-t", tmux.session, "-F", "#{pane_pid}").split()[0])
        os.kill(pid, signal.SIGHUP)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the app did not exit after SIGHUP")
    finally:
        tmux.kill()
    assert not done.exists()
    staging = ws / "videos" / "scripts" / "test" / ".staging"
    assert not list(staging.glob("*.part.mp4"))  # nothing half-written left behind
    import sqlite3

    with sqlite3.connect(ws / ".scenetui" / "journal.db") as db:
        finished, code = db.execute("SELECT finished_at, exit_code FROM runs ORDER BY id DESC LIMIT 1").fetchone()
    assert finished is not None and code == 130  # the render was stopped and recorded, not killed mid-write
    r = run_cli("render", str(script), "--workspace", str(ws), "--json")
    assert r.returncode == 0, r.stderr
    assert all((ws / "videos" / "scripts" / "test" / "scenes" / f"{i}.mp4").is_file() for i in range(3))


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not _alive(pid)


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text in (entry / "cmdline").read_bytes().decode(errors="replace") and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


MOMENTS = ("rendering", "quit dialog", "help screen", "idle")


@pytest.mark.parametrize("moment", MOMENTS)
def test_the_app_never_outlives_its_terminal(tmp_path: Path, moment: str) -> None:
    """The terminal itself disappears (tmux's server is killed, as when sshd goes) at several moments, repeated:
    the app always exits within seconds, a render in progress is recorded as stopped, nothing is left running.
    SCENETUI_TERMINAL_ROUNDS=10 runs the long form."""
    import random
    import sqlite3

    rounds = int(os.environ.get("SCENETUI_TERMINAL_ROUNDS", "1"))
    rng = random.Random(hash(moment) & 0xFFFF)
    for n in range(rounds):
        folder = tmp_path / f"round{n}"
        script = write_script(folder / "s", 3)
        ws = folder / "ws"
        tmux = open_in_tmux(folder, f"open {script} --workspace {ws} --concurrency 1", after="")
        try:
            tmux.wait_for("0/3 done")
            pid = int(tmux.run("list-panes", "-t", tmux.session, "-F", "#{pane_pid}").split()[0])
            if moment in ("rendering", "quit dialog"):
                tmux.keys("g")
                tmux.wait_for("rendering")
            if moment == "quit dialog":
                tmux.keys("q")
                tmux.wait_for("Quit and stop")
            if moment == "help screen":
                tmux.keys("F1")
                time.sleep(0.5)
            time.sleep(rng.uniform(0, 1.0))
        finally:
            tmux.kill()
        assert _gone_within(pid, 12), f"round {n}: the app outlived its terminal ({moment})"
        deadline = time.monotonic() + 10  # an ffmpeg child may finish its last second of work, then nothing is left
        while _processes_mentioning(str(folder)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _processes_mentioning(str(folder)) == [], f"round {n}: processes left behind ({moment})"
        if moment in ("rendering", "quit dialog"):
            with sqlite3.connect(ws / ".scenetui" / "journal.db") as db:
                rows = db.execute("SELECT finished_at, exit_code FROM runs").fetchall()
            assert rows and all(finished is not None for finished, _ in rows)  # recorded as stopped, resumable


def test_sigterm_always_ends_the_app_even_in_a_dialog(tmp_path: Path) -> None:
    import signal

    script = write_script(tmp_path / "s", 3)
    tmux = open_in_tmux(tmp_path, f"open {script} --workspace {tmp_path / 'ws'} --concurrency 1", after="")
    try:
        tmux.wait_for("0/3 done")
        pid = int(tmux.run("list-panes", "-t", tmux.session, "-F", "#{pane_pid}").split()[0])
        tmux.keys("g")
        tmux.wait_for("rendering")
        tmux.keys("q")
        tmux.wait_for("Quit and stop")
        os.kill(pid, signal.SIGTERM)
        assert _gone_within(pid, 12), "SIGTERM did not end the app"
    finally:
        tmux.kill()
