"""The one project folder a server serves: every path an agent names must lie inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scenetui.errors import UserError
from scenetui.script.ref import FIRESTORE_PREFIX


@dataclass(frozen=True)
class Project:
    """The folder the server was started in (or --root), and what the person who configured it allows."""

    root: Path
    max_spend_cents: int = 0  # no paid work at all unless the person set `scenetui mcp --max-spend`
    luma_base_url: str | None = None  # the agent can never point the key at another host: only the person can
    keyframe_base_url: str | None = None
    price_table: Path | None = None

    def path(self, text: str, *, what: str = "path", must_exist: bool = True) -> Path:
        """An agent's path (relative to the root, or absolute) resolved, and refused when it leaves the folder."""
        if not text or "\x00" in text:
            raise UserError(f"{what} {text!r} is not a path", hint=f"name a file inside {self.root}")
        raw = Path(text).expanduser()
        full = (raw if raw.is_absolute() else self.root / raw).resolve()
        if full != self.root and self.root not in full.parents:
            raise UserError(f"{what} {text} is outside the project folder {self.root}",
                            hint="this server serves that folder only; name a path inside it")
        if must_exist and not full.exists():
            raise UserError(f"{text}: file not found", hint=f"paths are relative to {self.root}")
        return full

    def script(self, text: str) -> str:
        """A script as the CLI takes it: a file inside the folder, or firestore:ID (checked by the CLI itself)."""
        if text.startswith(FIRESTORE_PREFIX):
            return text
        return str(self.path(text, what="script"))

    def workspace(self, text: str | None) -> Path | None:
        """An explicit workspace inside the folder (it may not exist yet), or None for the script's default."""
        return None if not text else self.path(text, what="workspace", must_exist=False)

    def luma_flags(self) -> list[str]:
        """The flags a paid command gets from the server's own settings (never from a tool's arguments)."""
        out: list[str] = []
        for flag, value in (("--luma-base-url", self.luma_base_url), ("--keyframe-base-url", self.keyframe_base_url),
                            ("--price-table", self.price_table)):
            if value:
                out += [flag, str(value)]
        return out
