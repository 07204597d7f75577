"""A long render tells someone it ended: `--notify-cmd` runs a command with the JSON summary on stdin (no shell),
`--notify-url` POSTs it (https; plain HTTP only to a loopback receiver in tests). A notification that fails is a
warning, never a failed render; bad flags are one line, exit 2, nothing rendered."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.conftest import run_cli, write_script


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[dict] = []
    fail_first = 0

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if _Receiver.fail_first > 0:
            _Receiver.fail_first -= 1
            self.send_response(503)
        else:
            _Receiver.bodies.append({"path": self.path, "type": self.headers["Content-Type"], "json": json.loads(body)})
            self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_the_end_of_a_render_is_told_to_a_command_and_a_url(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 2), tmp_path / "ws"
    got = tmp_path / "got.json"
    recorder = f"{sys.executable} -c 'import sys, pathlib; pathlib.Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())' {got}"
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Receiver.bodies, _Receiver.fail_first = [], 1  # the first POST meets a 503 and is tried again
    url = f"http://127.0.0.1:{server.server_address[1]}/hooks/secret-token-123"
    try:
        r = run_cli("render", str(script), "--workspace", str(ws), "--notify-cmd", recorder, "--notify-url", url,
                    env={"SCENETUI_NOTIFY_LOOPBACK_HTTP": "1"})
    finally:
        server.shutdown()
        server.server_close()  # closed, not just unserved: the next POST is refused at once, not left to time out
    assert r.returncode == 0, r.stderr
    told = json.loads(got.read_text())
    assert told["type"] == "summary" and told["exitCode"] == 0 and [s["status"] for s in told["scenes"]] == ["completed"] * 2
    assert [b["json"] for b in _Receiver.bodies] == [told] and _Receiver.bodies[0]["path"] == "/hooks/secret-token-123"
    assert _Receiver.bodies[0]["type"] == "application/json"
    logs = "".join(p.read_text() for p in ws.rglob("*.log"))
    assert "secret-token-123" not in logs + r.stderr  # only the URL's host is ever logged

    # a command that fails and a URL nobody answers: warnings, and the render still succeeds
    r = run_cli("render", str(script), "--workspace", str(ws), "--force", "--scenes", "0",
                "--notify-cmd", f"{sys.executable} -c 'import sys; sys.exit(3)'",
                "--notify-url", f"http://127.0.0.1:{server.server_address[1]}/gone",
                env={"SCENETUI_NOTIFY_LOOPBACK_HTTP": "1"})
    assert r.returncode == 0, r.stderr
    assert "notify-cmd" in r.stderr and "exited 3" in r.stderr and "could not be reached" in r.stderr


def test_bad_notify_flags_are_one_line_and_nothing_is_rendered(tmp_path: Path) -> None:
    script, ws = write_script(tmp_path / "s", 1), tmp_path / "ws"
    for flags, says in ((["--notify-url", "http://hooks.example.com/x?key=abc"], "must be https"),
                        (["--notify-url", "http://127.0.0.1:9/x"], "must be https"),  # not in tests' loopback mode
                        (["--notify-url", "https:///nohost"], "no host"),
                        (["--notify-cmd", "echo 'unclosed"], "cannot be read"),
                        (["--notify-cmd", ""], "empty")):
        r = run_cli("render", str(script), "--workspace", str(ws), *flags)
        assert r.returncode == 2 and says in r.stderr and len(r.stderr.strip().splitlines()) == 1, (flags, r.stderr)
        assert "key=abc" not in r.stderr and "Traceback" not in r.stderr
    assert not ws.exists()
