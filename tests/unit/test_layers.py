"""The engine, backends, storage and media import and run with Textual absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in this test")
sys.meta_path.insert(0, Block())
"""


def test_engine_imports_and_renders_without_textual(tmp_path: Path) -> None:
    from tests.conftest import write_script

    script = write_script(tmp_path / "s", 1)
    code = BLOCKER + f"""
import scenetui.engine.render, scenetui.engine.scheduler, scenetui.engine.pipeline, scenetui.engine.journal
import scenetui.backends.animatic, scenetui.storage.local, scenetui.media.assemble, scenetui.media.probe
import scenetui.domain, scenetui.headless.printer
from scenetui.cli.main import main
code = main(["render", {str(script)!r}, "--workspace", {str(tmp_path / 'ws')!r}, "--no-assemble"])
assert "textual" not in sys.modules
print("exit", code)
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("exit 0")


def test_domain_and_engine_do_not_import_ui_or_io_layers() -> None:
    root = Path(__file__).resolve().parents[2] / "scenetui"
    for layer, banned in (("domain", ("textual", "scenetui.engine", "scenetui.backends", "scenetui.storage", "scenetui.tui")),
                          ("engine", ("textual", "scenetui.tui", "scenetui.cli"))):
        for f in (root / layer).rglob("*.py"):
            text = f.read_text()
            for b in banned:
                assert f"import {b}" not in text and f"from {b}" not in text, f"{f} imports {b}"


def test_the_app_reaches_media_storage_and_files_only_through_the_controller() -> None:
    """tui/ draws and sends commands; decoding, files, storage and engines are the controller's (issue 11)."""
    root = Path(__file__).resolve().parents[2] / "scenetui" / "tui"
    banned = ("scenetui.media", "scenetui.script.file", "scenetui.storage", "scenetui.backends", "scenetui.engine",
              "scenetui.build", "scenetui.script.sources")
    for f in root.rglob("*.py"):
        for n, line in enumerate(f.read_text().splitlines(), 1):
            code = line.split("#")[0]
            for b in banned:
                assert f"from {b}" not in code and f"import {b}" not in code, f"{f.name}:{n} imports {b}"
