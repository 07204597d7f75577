"""The command a background render runs: the app's options, never a secret (argv is visible to `ps`)."""

from __future__ import annotations

from pathlib import Path

from scenetui.build import BuildOptions
from scenetui.control.background import render_command
from scenetui.storage.workspace import Workspace


def test_render_command_carries_the_options_but_no_secrets(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("LUMAAI_API_KEY", "sk-very-secret")
    opts = BuildOptions(backend="luma", luma_base_url="http://127.0.0.1:9/v1", keyframe_base_url="https://kf.example/",
                        max_spend_cents=1250, retries=2, video={"resolution": "1080p", "aspect_ratio": "9:16"})
    cmd = render_command(tmp_path / "s.json", Workspace(tmp_path / "ws"), opts, scenes=[0, 2], force=True, concurrency=4)
    line = " ".join(cmd)
    assert cmd[1:4] == ["-m", "scenetui", "render"] and "--yes" in cmd and "--json" in cmd
    for part in ("--backend luma", "--scenes 0,2", "--force", "--concurrency 4", "--max-spend 12.50",
                 "--luma-base-url http://127.0.0.1:9/v1", "--keyframe-base-url https://kf.example/", "--retries 2",
                 "--resolution 1080p", "--aspect-ratio 9:16"):
        assert part in line
    assert "sk-very-secret" not in line
