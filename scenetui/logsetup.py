"""Structured logs (JSON lines) to a file under the workspace, with secrets redacted."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

_BEARER = re.compile(r"(Bearer\s+)[A-Za-z0-9._\-]+")
# Capabilities that are not configured secrets: signed-URL signatures and private keys (a service-account file's).
_SIGNATURE = re.compile(r"((?:X-Goog-Signature|Signature|sig)=)[A-Za-z0-9%._\-]+", re.IGNORECASE)
_PRIVATE_KEY = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.DOTALL)
_REDACTED = "«redacted»"


_KNOWN: set[str] = set()  # every secret this process has learnt (a key from a command comes late)


def remember_secrets(values: list[str]) -> None:
    """Secrets every Redactor in this process hides from now on, wherever they were learnt."""
    _KNOWN.update(v for v in values if len(v) >= 4)


class Redactor:
    """Replaces every known secret value and any Bearer token in text."""

    def __init__(self, secrets: list[str] | None = None) -> None:
        remember_secrets(secrets or [])

    def __call__(self, text: str) -> str:
        for s in sorted(_KNOWN, key=len, reverse=True):  # the longest first: one secret may contain another
            text = text.replace(s, _REDACTED)
        text = _PRIVATE_KEY.sub(_REDACTED, text)
        text = _SIGNATURE.sub(r"\1" + _REDACTED, text)
        return _BEARER.sub(r"\1" + _REDACTED, text)


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message and structured extras."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": round(record.created, 3), "level": record.levelname, "logger": record.name,
            "msg": record.getMessage(),
        }
        if hasattr(record, "event"):
            data["event"] = record.event
        if record.exc_info:
            data["exc"] = self.formatException(record.exc_info)
        return self.redact(json.dumps(data, default=str))


LOG_MAX_BYTES = 10 * 1024 * 1024  # per file; with LOG_BACKUPS rotated parts a workspace's log stays under ~60 MB
LOG_BACKUPS = 5


class HumanFormatter(logging.Formatter):
    """`09:20:37 WARNING luma: message` for a person reading stderr; secrets redacted."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        import time

        stamp = time.strftime("%H:%M:%S", time.localtime(record.created))
        line = f"{stamp} {record.levelname:<7} {record.name.removeprefix('scenetui.')}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return self.redact(line)


def own_log_folder() -> Path:
    """This user's own log folder, for what has no workspace (or one this user cannot write)."""
    import os

    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "scenetui" / "logs"


def logging_is_set_up() -> bool:
    """Whether scenetui's records go to a file (otherwise Python would print them, unredacted, to stderr)."""
    return bool(logging.getLogger("scenetui").handlers)


def _writable_log(log_path: Path) -> Path:
    """`log_path` opened once (private, no links followed); in a workspace this user may only read (someone else's,
    which `watch` is for), a log of this user's own under $XDG_STATE_HOME instead of a crash."""
    import hashlib
    import os

    from scenetui.safeopen import not_writable, open_own, own_folder

    try:
        own_folder(log_path.parent)
        os.close(open_own(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))  # created private; never widened
        return log_path
    except OSError as exc:
        if not not_writable(exc):
            raise
    tag = hashlib.sha256(str(log_path.resolve()).encode()).hexdigest()[:12]
    mine = own_log_folder() / f"{log_path.parent.parent.name or 'workspace'}-{tag}.log"
    own_folder(mine.parent)
    os.close(open_own(mine, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    return mine


def setup_logging(log_path: Path, level: str = "INFO", secrets: list[str] | None = None, *, verbose: bool = False) -> None:
    """Send scenetui's logs to `log_path` (rotated, private to the user); with `verbose`, debug lines to stderr too."""
    import sys
    from logging.handlers import RotatingFileHandler

    log_path = _writable_log(log_path)
    redact = Redactor(secrets)
    handler = RotatingFileHandler(log_path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.setFormatter(JsonFormatter(redact))
    root = logging.getLogger("scenetui")
    for old in list(root.handlers):
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    chosen = level.upper() if level.upper() in logging._nameToLevel else "INFO"
    if verbose:
        err = logging.StreamHandler(sys.stderr)
        err.setFormatter(HumanFormatter(redact))
        err.setLevel("DEBUG")
        root.addHandler(err)
        chosen = "DEBUG"
    root.setLevel(chosen)
    root.propagate = False
