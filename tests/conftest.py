"""Shared fixtures: small real scripts with real keyframe images, and a CLI runner in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.json_contract import check_lines, command_of

IN_CI = bool(os.environ.get("CI"))
# The person running the tests may have a config file of their own: the tests never read it.
os.environ["SCENETUI_CONFIG"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "scenetui-tests-no-config.toml")
# pytest-xdist's workers set COLUMNS=80 and LINES=24, which Textual takes over the terminal's own size: an app the
# tests start on a pseudo-terminal of 140x44 would lay itself out for 80x24.
for _name in ("COLUMNS", "LINES"):
    os.environ.pop(_name, None)


def pytest_configure(config: pytest.Config) -> None:
    """Compile the checkout's bytecode once: the suite runs `python -m scenetui` hundreds of times from here, and
    with PYTHONDONTWRITEBYTECODE=1 (this environment sets it) each run compiled every module it imports again —
    about 0.2 s of CPU a process. py_compile writes the cache whatever that variable says."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller compiled it already
        return
    import compileall

    root = Path(__file__).resolve().parents[1]
    for folder in ("scenetui", "tests"):
        compileall.compile_dir(root / folder, quiet=1, workers=1)


def draw_keyframe(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (640, 360)) -> Path:
    """A real PNG: a colour field with a bright square, so dissolves and crops are visible."""
    img = Image.new("RGB", size, color)
    w, h = size
    img.paste((255, 255, 255), (w // 3, h // 3, w // 3 + w // 6, h // 3 + h // 6))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


COLORS = [(200, 60, 40), (40, 160, 80), (50, 70, 200), (220, 200, 40), (150, 40, 160), (30, 30, 30)]


def write_script(folder: Path, scenes: int = 2, *, script_id: str = "test", extra: dict[str, Any] | None = None,
                 scene_overrides: dict[int, dict[str, Any]] | None = None) -> Path:
    """A valid script with `scenes` scenes and real keyframes under `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    items = []
    for i in range(scenes):
        draw_keyframe(folder / "kf" / f"{i}-a.png", COLORS[i % len(COLORS)])
        draw_keyframe(folder / "kf" / f"{i}-b.png", COLORS[(i + 1) % len(COLORS)])
        scene = {"title": f"Scene {i}", "description": f"things happen {i}", "visualDescription": f"a view {i}",
                 "startKeyframe": f"kf/{i}-a.png", "endKeyframe": f"kf/{i}-b.png", "camera": "push_in"}
        scene.update((scene_overrides or {}).get(i, {}))
        items.append(scene)
    data = {"id": script_id, "title": "Test", "style": "flat colours", "scenes": items}
    data.update(extra or {})
    path = folder / f"{script_id}.json"
    path.write_text(json.dumps(data, indent=1))
    return path


@pytest.fixture
def script_factory(tmp_path: Path) -> Callable[..., Path]:
    def make(scenes: int = 2, **kw: Any) -> Path:
        return write_script(tmp_path / "script", scenes, **kw)

    return make


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run `python -m scenetui ARGS` as a user would, capturing output."""
    full_env = {**os.environ, **(env or {})}
    done = subprocess.run([sys.executable, "-m", "scenetui", *args], capture_output=True, text=True,
                          timeout=timeout, env=full_env)
    if (command := command_of(args)) is not None:
        check_lines(command, done.stdout)  # every --json line of the suite held to docs/json.md
    return done


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


LUMA_KEY = "luma-test-key-9f8e7d6c5b4a"


@pytest.fixture(scope="session")
def asset_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fake-luma-assets")


@pytest.fixture
def fake_luma(tmp_path: Path, asset_cache: Path):
    """A running fake Luma on 127.0.0.1 serving the test script's folder as public keyframes."""
    from tests.fakes.luma_server import FakeLuma

    static = tmp_path / "script"
    static.mkdir(parents=True, exist_ok=True)
    with FakeLuma(api_key=LUMA_KEY, static_root=static, asset_cache=asset_cache, queued_s=0.2, dreaming_s=0.8) as fake:
        yield fake


def luma_args(fake, *extra: str) -> list[str]:
    return ["--backend", "luma", "--luma-base-url", fake.base_url, "--keyframe-base-url", fake.static_url(), "--yes", *extra]


def luma_env(**extra: str) -> dict[str, str]:
    # Clips are prepared for transitions on arrival only where a test asks for it (it costs seconds of CPU per clip).
    return {"LUMAAI_API_KEY": LUMA_KEY, "SCENETUI_LUMA_BACKOFF": "0.2", "SCENETUI_PREPARE_FOR_FILM": "0", **extra}


AGENTS_KEY = "luma-agents-test-key-1a2b3c4d5e"


@pytest.fixture
def fake_agents(asset_cache: Path):
    """A running fake of Luma's current API (Ray 3.2) on 127.0.0.1."""
    from tests.fakes.luma_agents_server import FakeLumaAgents

    with FakeLumaAgents(api_key=AGENTS_KEY, asset_cache=asset_cache, queued_s=0.1, processing_s=0.4) as fake:
        yield fake
    assert not fake.contract_errors, fake.contract_errors  # every answer and request fitted the SDK's types


def agents_args(fake, *extra: str) -> list[str]:
    """Ray 3.2 with nothing hosted: no --keyframe-base-url."""
    return ["--backend", "luma", "--model", "ray-3.2", "--luma-base-url", fake.base_url, "--yes", *extra]


def agents_env(**extra: str) -> dict[str, str]:
    return {"LUMA_AGENTS_API_KEY": AGENTS_KEY, "SCENETUI_LUMA_BACKOFF": "0.2", "SCENETUI_PREPARE_FOR_FILM": "0", **extra}


@pytest.fixture
def agents_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's environment as agents_env() says (for an app run in-process)."""
    for name, value in agents_env().items():
        monkeypatch.setenv(name, value)
