"""Where a render keeps its things: clips (via the store), the journal, the lock and the log."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scenetui.storage.atomic import write_json_atomic


@dataclass(frozen=True)
class Workspace:
    """A folder holding the local store's layout plus scenetui's own state in `.scenetui/`."""

    root: Path

    @property
    def state_dir(self) -> Path:
        return self.root / ".scenetui"

    @property
    def journal_path(self) -> Path:
        return self.state_dir / "journal.db"

    @property
    def log_path(self) -> Path:
        return self.root / "logs" / "scenetui.log"

    def lock_path(self, script_id: str) -> Path:
        return self.state_dir / f"render-{script_id}.lock"

    def remember_script(self, script_id: str, script_path: Path | object) -> None:
        """Note which file (or firestore:ID) this workspace's script came from, so `scenetui watch DIR` can find it."""
        known = self.known_scripts()
        path = str(script_path.resolve()) if isinstance(script_path, Path) else str(script_path)
        if known.get(script_id) == path:
            return
        known.pop(script_id, None)
        known[script_id] = path  # the newest last
        write_json_atomic(self.state_dir / "scripts.json", known)

    def known_scripts(self) -> dict[str, str]:
        """Script id -> script file, oldest first, of every script rendered or opened here."""
        try:
            data = json.loads((self.state_dir / "scripts.json").read_text())
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    @staticmethod
    def default_for(script_path: Path | object) -> Path:
        """Beside the script: `<script folder>/scenetui-workspace`; for a Firestore script, in the current folder."""
        if not isinstance(script_path, Path):
            return Path.cwd() / "scenetui-workspace"
        return script_path.resolve().parent / "scenetui-workspace"
