"""Where a render keeps its things: clips (via the store), the journal, the lock and the log."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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

    @staticmethod
    def default_for(script_path: Path) -> Path:
        """Beside the script: `<script folder>/scenetui-workspace`."""
        return script_path.resolve().parent / "scenetui-workspace"
