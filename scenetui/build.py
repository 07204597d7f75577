"""Wiring: turn a script path, a workspace and a backend name into a ready RenderContext."""

from __future__ import annotations

from pathlib import Path

from scenetui.backends.animatic import AnimaticBackend
from scenetui.config import Settings
from scenetui.engine.bus import EventBus
from scenetui.engine.context import RenderContext
from scenetui.engine.journal import Journal
from scenetui.engine.ports import VideoBackend
from scenetui.errors import UserError
from scenetui.logsetup import setup_logging
from scenetui.scriptfile import LoadedScript, is_url, load_script
from scenetui.storage.local import LocalStore
from scenetui.workspace import Workspace

BACKENDS = ("animatic",)


def resolve_workspace(script_path: Path | None, explicit: Path | None, settings: Settings) -> Workspace:
    """--workspace, else SCENETUI_WORKSPACE, else `scenetui-workspace` beside the script."""
    root = explicit or settings.workspace or (Workspace.default_for(script_path) if script_path else None)
    if root is None:
        raise UserError("no workspace given", hint="pass --workspace DIR")
    root = root.expanduser().resolve()
    if root.exists() and not root.is_dir():
        raise UserError(f"workspace {root} is a file, not a folder", hint="choose another --workspace")
    return Workspace(root)


def make_backend(name: str, settings: Settings, loaded: LoadedScript) -> VideoBackend:
    if name == "animatic":
        urls = [k for s in loaded.script.scenes for k in s.keyframes if is_url(k)]
        if urls:
            raise UserError(f"the animatic backend needs local keyframe files, got a URL ({urls[0]})",
                            hint="download the keyframes next to the script and use relative paths")
        return AnimaticBackend()
    raise UserError(f"unknown backend {name!r}", hint=f"choose one of: {', '.join(BACKENDS)}")


def build_context(script_path: Path, workspace: Workspace, backend: str, settings: Settings) -> RenderContext:
    """Load and validate the script, open the journal, and wire backend, store and bus."""
    loaded = load_script(script_path)
    try:
        workspace.root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create workspace {workspace.root} ({exc.strerror})", hint="choose another --workspace") from exc
    setup_logging(workspace.log_path, settings.log_level, settings.secrets())
    journal = Journal(workspace.journal_path)
    return RenderContext(
        loaded=loaded, backend=make_backend(backend, settings, loaded), store=LocalStore(workspace.root),
        journal=journal, bus=EventBus(journal, script_id=loaded.script.id),
    )
