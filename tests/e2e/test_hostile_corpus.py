"""A corpus of hostile inputs — script files, keyframes, paths, flags, environment, config, journal. Each one:
exit 2, one line `scenetui: error: …`, no traceback, every file already there byte-for-byte unchanged, nothing new
written, and the Luma key (set in every run) nowhere in the output."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import LUMA_KEY, run_cli, write_script

Setup = Callable[["Case", Path, Path, Path], None]  # (case, folder, script, workspace)


@dataclass
class Case:
    name: str
    args: list[str]  # {script} {ws} {dir} are replaced
    expect: str  # in the error line
    setup: Setup | None = None
    env: dict[str, str] = field(default_factory=dict)
    ws_exists: bool = False  # the workspace is made before the run (journal cases)


def _edit(fn: Callable[[dict], None]) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        data = json.loads(script.read_text())
        fn(data)
        script.write_text(json.dumps(data))
    return setup


def _raw(text: str | bytes) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        script.write_bytes(text if isinstance(text, bytes) else text.encode())
    return setup


def _kf(make: Callable[[Path], None], name: str = "hostile.png") -> Setup:
    """Scene 0's start keyframe becomes `name`, made by `make` inside the script's folder."""
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        make(script.parent / name)
        data = json.loads(script.read_text())
        data["scenes"][0]["startKeyframe"] = name
        script.write_text(json.dumps(data))
    return setup


def _kf_ref(ref: str) -> Setup:
    return _edit(lambda d: d["scenes"][0].__setitem__("startKeyframe", ref))


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _bomb(path: Path) -> None:
    """A 20000x20000 RGB PNG whose pixels compress to almost nothing (about 1.2 GB decoded)."""
    row = b"\0" + b"\0" * (20000 * 3)
    comp = zlib.compressobj(9)
    data = b"".join(comp.compress(row) for _ in range(20000)) + comp.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))
    ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _symlink_to(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _outside_image(case: Case, folder: Path, script: Path, ws: Path) -> None:
    outside = folder / "elsewhere"
    outside.mkdir()
    good = next(script.parent.glob("kf/*.png"))
    (outside / "a.png").write_bytes(good.read_bytes())
    data = json.loads(script.read_text())
    data["scenes"][0]["startKeyframe"] = "../elsewhere/a.png"
    script.write_text(json.dumps(data))


def _script_replaced(make: Callable[[Path], None]) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        script.unlink()
        make(script)
    return setup


def _journal(content: Callable[[Path], None]) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        (ws / ".scenetui").mkdir(parents=True)
        content(ws / ".scenetui" / "journal.db")
    return setup


def _newer_journal(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
        db.execute("INSERT INTO meta VALUES ('schema_version', '999')")


def _config(text: str | bytes, mode: int = 0o600) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        cfg = folder / "config.toml"
        cfg.write_bytes(text if isinstance(text, bytes) else text.encode())
        cfg.chmod(mode)
        case.env["SCENETUI_CONFIG"] = str(cfg)
    return setup


def _file(name: str, content: bytes) -> Setup:
    def setup(case: Case, folder: Path, script: Path, ws: Path) -> None:
        (folder / name).write_bytes(content)
    return setup


R = ["render", "{script}", "--workspace", "{ws}"]
E = ["export", "{script}", "--workspace", "{ws}"]
CASES = [
    # script files: encodings, limits, structure
    Case("empty file", R, "malformed JSON", _raw("")),
    Case("latin-1 bytes", R, "not UTF-8", _raw('{"id": "caf\xe9"}'.encode("latin-1"))),
    Case("utf-16", R, "not UTF-8", _raw('{"id": "x", "scenes": []}'.encode("utf-16"))),
    Case("deep nesting", R, "nested too deeply", _raw("[" * 100_000 + "]" * 100_000)),
    Case("deep nesting of objects", R, "nested too deeply", _raw('{"a":' * 50_000 + "1" + "}" * 50_000)),
    Case("duplicate keys", R, "duplicate key 'id'", _raw('{"id": "a", "id": "b", "scenes": []}')),
    Case("NaN", R, "NaN", _raw('{"id": "x", "scenes": [{"startKeyframe": "kf/0-a.png"}], "video": {"x": NaN}}')),
    Case("Infinity", R, "Infinity", _raw('{"id": "x", "scenes": [], "n": -Infinity}')),
    Case("top-level array", R, "JSON object", _raw("[1, 2]")),
    Case("top-level string", R, "JSON object", _raw('"script"')),
    Case("null scenes", R, "scenes", _edit(lambda d: d.update(scenes=None))),
    Case("scene is a number", R, "scenes[0]", _edit(lambda d: d.update(scenes=[7]))),
    Case("title is an object", R, "scenes[0].title", _edit(lambda d: d["scenes"][0].update(title={"x": 1}))),
    Case("huge id", R, "id", _edit(lambda d: d.update(id="a" * 5000))),
    Case("empty id", R, "id", _edit(lambda d: d.update(id=""))),
    Case("id with slash", R, "id", _edit(lambda d: d.update(id="a/b"))),
    Case("id with NUL", R, "id", _edit(lambda d: d.update(id="a\0b"))),
    Case("too large", R, "too large", _raw(b'{"id": "x", "pad": "' + b"a" * (17 * 1024 * 1024) + b'"}')),
    Case("malformed TOML", ["render", "{dir}/s.toml", "--workspace", "{ws}"], "malformed TOML",
         _file("s.toml", b'id = "x"\nscenes = [\n')),
    Case("TOML nan", ["render", "{dir}/s.toml", "--workspace", "{ws}"], "NaN",
         _file("s.toml", b'id = "x"\nratio = nan\n[[scenes]]\nstartKeyframe = "a.png"\n')),
    Case("TOML duplicate table", ["render", "{dir}/s.toml", "--workspace", "{ws}"], "malformed TOML",
         _file("s.toml", b'id = "x"\nid = "y"\n')),
    Case("unknown video model", R, "video.model", _edit(lambda d: d.update(video={"model": "ray-9"}))),
    Case("negative seconds", R, "video", _edit(lambda d: d.update(video={"duration": "-5s"}))),
    # the script path itself
    Case("script is a directory", ["render", "{dir}", "--workspace", "{ws}"], "is a directory"),
    Case("script is a FIFO", R, "not a regular file", _script_replaced(_fifo)),
    Case("script is /dev/zero", R, "not a regular file", _script_replaced(_symlink_to("/dev/zero"))),
    Case("script missing", ["render", "{dir}/nope.json", "--workspace", "{ws}"], "not found"),
    Case("firestore id with a slash", ["render", "firestore:a/b", "--workspace", "{ws}"], "firestore"),
    # keyframes
    Case("keyframe is text", R, "not an image", _kf(lambda p: p.write_text("hello"))),
    Case("keyframe is empty", R, "not an image", _kf(lambda p: p.write_bytes(b""))),
    Case("keyframe truncated", R, "damaged or truncated", _kf(lambda p: p.write_bytes(_png_header(64, 64)[:-20]))),
    Case("keyframe bomb", R, "too large", _kf(_bomb)),
    Case("keyframe enormous header", R, "too large", _kf(lambda p: p.write_bytes(_png_header(1_000_000, 1_000_000)))),
    Case("keyframe FIFO", R, "not a regular file", _kf(_fifo)),
    Case("keyframe device", R, "not a regular file", _kf(_symlink_to("/dev/zero"))),
    Case("keyframe symlink to passwd", R, "not an image", _kf(_symlink_to("/etc/passwd"))),
    Case("keyframe traversal", R, "outside the script's folder", _outside_image),
    Case("keyframe absolute outside", R, "outside the script's folder", _kf_ref("/etc/hostname")),
    Case("keyframe file URL", R, "https", _kf_ref("file:///etc/passwd")),
    Case("keyframe javascript URL", R, "https", _kf_ref("javascript:alert(1)//x.png")),
    Case("keyframe http URL", R, "https", _kf_ref("http://example.com/a.png")),
    Case("keyframe over 10 MB", R, "too large", _kf(lambda p: p.write_bytes(_png_header(64, 64) + b"\0" * (11 * 1024 * 1024)))),
    # flags
    Case("concurrency 0", [*R, "--concurrency", "0"], "--concurrency"),
    Case("concurrency negative", [*R, "--concurrency", "-3"], "--concurrency"),
    Case("concurrency huge", [*R, "--concurrency", "100000"], "--concurrency"),
    Case("scenes letters", [*R, "--scenes", "a-b"], "--scenes"),
    Case("scenes backwards", [*R, "--scenes", "1-0"], "--scenes"),
    Case("scenes enormous", [*R, "--scenes", "0-99999999999999999999"], "--scenes"),
    Case("max-spend negative", [*R, "--max-spend", "-1"], "--max-spend"),
    Case("max-spend nan", [*R, "--max-spend", "nan"], "--max-spend"),
    Case("retries negative", [*R, "--retries", "-2"], "--retries"),
    Case("workspace is a file", ["render", "{script}", "--workspace", "{script}"], "workspace"),
    Case("price table missing", [*R, "--backend", "luma", "--price-table", "{dir}/nope.json", "--yes"], "price"),
    Case("price table malformed", [*R, "--backend", "luma", "--price-table", "{dir}/p.json", "--yes"], "price",
         _file("p.json", b"{nope")),
    Case("resolution 8k", [*R, "--resolution", "8k"], "--resolution"),
    Case("luma base url ftp", [*R, "--backend", "luma", "--luma-base-url", "ftp://x/v1", "--yes"], "URL"),
    Case("luma base url junk", [*R, "--backend", "luma", "--luma-base-url", "not a url", "--yes"], "URL"),
    Case("transition unknown", [*E, "--transition", "explode"], "unknown transition"),
    Case("transition too long", [*E, "--transition", "dissolve:5"], "out of range"),
    Case("transition seconds junk", [*E, "--transition", "dissolve:abc"], "not a number"),
    Case("music missing", [*E, "--music", "{dir}/nope.mp3"], "music"),
    Case("music is text", [*E, "--music", "{dir}/m.mp3"], "not an audio file", _file("m.mp3", b"not audio at all")),
    Case("music volume nan", [*E, "--music-volume", "nan"], "volume"),
    Case("timeline extension", [*E, "--timeline", "{dir}/cut.xyz"], "timeline"),
    # environment
    Case("env concurrency junk", R, "bad configuration", env={"SCENETUI_CONCURRENCY": "lots"}),
    Case("env timeout negative", R, "bad configuration", env={"SCENETUI_LUMA_TIMEOUT": "-1"}),
    Case("env ffmpeg not executable", R, "SCENETUI_FFMPEG", env={"SCENETUI_FFMPEG": "/etc/passwd"}),
    Case("env chunk zero", R, "bad configuration", env={"SCENETUI_UPLOAD_CHUNK_MB": "0"}),
    Case("env base url javascript", [*R, "--backend", "luma", "--yes"], "URL", env={"LUMAAI_BASE_URL": "javascript:x"}),
    Case("env emulator half set", [*R, "--storage", "firebase"], "STORAGE_EMULATOR_HOST",
         env={"FIRESTORE_EMULATOR_HOST": "127.0.0.1:1"}),
    # config file
    Case("config not TOML", R, "not valid TOML", _config("concurrency = = 2\n")),
    Case("config wrong type", R, "bad configuration", _config('concurrency = "many"\n')),
    Case("config key readable", R, "chmod 600", _config(f'luma_api_key = "{LUMA_KEY}"\n', 0o644)),
    Case("config binary", R, "config file", _config(b"\xff\xfe\x00binary")),
    # the journal
    Case("journal garbage", R, "journal", _journal(lambda p: p.write_bytes(b"garbage" * 1000)), ws_exists=True),
    Case("journal from a newer version", R, "schema version 999", _journal(_newer_journal), ws_exists=True),
    Case("journal is a directory", R, "journal", _journal(lambda p: p.mkdir()), ws_exists=True),
]


def _tree(root: Path) -> dict[str, str]:
    out = {}
    for p in sorted(root.rglob("*")):
        rel = str(p.relative_to(root))
        if p.is_symlink():
            out[rel] = "-> " + os.readlink(p)
        elif p.is_fifo():
            out[rel] = "fifo"
        elif p.is_file():
            out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[rel] = "dir"
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_is_one_line_exit_2_and_changes_nothing(tmp_path: Path, case: Case) -> None:
    script = write_script(tmp_path / "s", 2)
    ws = tmp_path / "ws"
    case.env = dict(case.env)
    if case.setup:
        case.setup(case, tmp_path, script, ws)
    if not case.ws_exists:
        assert not ws.exists()
    before = _tree(tmp_path)
    args = [a.replace("{script}", str(script)).replace("{ws}", str(ws)).replace("{dir}", str(tmp_path)) for a in case.args]
    r = run_cli(*args, env={"LUMAAI_API_KEY": LUMA_KEY, **case.env}, timeout=60)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("scenetui: error:"), r.stderr[-2000:]
    assert case.expect.lower() in lines[0].lower(), lines[0]
    assert "Traceback" not in r.stderr + r.stdout
    assert LUMA_KEY not in r.stderr + r.stdout
    assert _tree(tmp_path) == before, "a hostile input changed or wrote files"


def test_the_corpus_is_big_enough() -> None:
    assert len(CASES) >= 60
