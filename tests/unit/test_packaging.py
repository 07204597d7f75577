"""Every package folder ships in the wheel, and so do the Textual styles."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "scenetui").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
    assert "scenetui.styles" in listed and (ROOT / "styles" / "app.tcss").is_file()


def test_installed_layout_finds_its_styles(tmp_path: Path) -> None:
    """Installed, the styles sit inside the package (scenetui/styles); the app must look there, not beside it."""
    import shutil
    import subprocess
    import sys

    shutil.copytree(ROOT / "scenetui", tmp_path / "scenetui", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "styles", tmp_path / "scenetui" / "styles")
    out = subprocess.run([sys.executable, "-c", "from scenetui.tui.app import SceneApp; print(SceneApp.CSS_PATH)"],
                         cwd=tmp_path, env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
                         capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == tmp_path / "scenetui" / "styles" / "app.tcss"
