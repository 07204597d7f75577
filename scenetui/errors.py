"""Errors that reach the user as one clear line and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class UserError(Exception):
    """A problem the user can fix; shown as one line, never as a traceback."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def line(self) -> str:
        """The single line shown to the user."""
        return f"{self.message} — {self.hint}" if self.hint else self.message


class ScriptInvalid(UserError):
    """The script file did not validate; carries every problem found."""

    def __init__(self, path: str, problems: list) -> None:  # list[Problem]
        self.problems = problems
        first = problems[0] if problems else None
        more = f" (+{len(problems) - 1} more; run `scenetui validate {path}`)" if len(problems) > 1 else ""
        said = str(first) if first is not None and str(first).startswith(f"{path}") else f"{path}: {first}"
        super().__init__(f"{said}{more}" if first else f"{path}: invalid script")


class DiskFull(UserError):
    """The disk filled up while writing; what was finished is intact."""
