"""The engine, backends, storage and media import and run with Textual absent."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

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


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(lint), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "PYTHONPATH": str(cwd)})


def test_the_layers_hold() -> None:
    """The import-linter contracts in pyproject.toml: floors point down, the app reaches only controllers, the
    engine and everything below the app run without Textual (function-level and TYPE_CHECKING imports count)."""
    r = _lint_imports(ROOT)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    assert "0 broken" in r.stdout


def test_a_lazy_import_up_a_floor_breaks_the_contract(tmp_path: Path) -> None:
    """The contracts see an import hidden inside a function (the kind that once hid an 18-file circle)."""
    import shutil

    shutil.copytree(ROOT / "scenetui", tmp_path / "scenetui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with open(tmp_path / "scenetui" / "engine" / "lock.py", "a") as f:
        f.write("\n\ndef _up() -> None:\n    from scenetui.cli.common import settings  # noqa: F401\n")
    r = _lint_imports(tmp_path)
    assert r.returncode != 0 and "Floors: imports point down BROKEN" in r.stdout, r.stdout[-2000:]
    assert "scenetui.engine.lock -> scenetui.cli.common" in r.stdout
