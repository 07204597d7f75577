"""`scenetui config show`: every effective setting and where it came from, secrets masked."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from scenetui.config import Settings, config_file, load_settings


@dataclass(frozen=True)
class SettingLine:
    """One setting as it is in effect."""

    name: str
    value: str
    source: str  # default | file | environment (NAME)


def mask(value: Any) -> str:
    """A secret shows that it is set and its last four characters only when it is long enough to stay secret."""
    if isinstance(value, SecretStr):
        raw = value.get_secret_value()
        return "(set, ****)" if len(raw) < 16 else f"(set, ****{raw[-4:]})"
    return "" if value is None else str(value)


def _env_names(name: str, field: FieldInfo) -> list[str]:
    alias = field.validation_alias
    choices = getattr(alias, "choices", None)
    if choices:
        return [str(c) for c in choices if str(c) != name]
    return [f"SCENETUI_{name.upper()}"]


def _file_data() -> dict[str, Any]:
    path = config_file()
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def effective_settings() -> list[SettingLine]:
    """Every field of Settings with its value and its source, in declaration order."""
    settings = load_settings()
    data = _file_data()
    lines = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        env = next((n for n in _env_names(name, field) if any(k.upper() == n.upper() for k in os.environ)), None)
        source = f"environment ({env})" if env else "file" if name in data else "default"
        if name == "luma_api_key_command" and value:
            value = "(set)"  # a command line may carry a password
        lines.append(SettingLine(name, mask(value), source))
    return lines
