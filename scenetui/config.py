"""Settings from the environment (and an optional TOML file); secrets stay SecretStr."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


def config_file() -> Path:
    """SCENETUI_CONFIG, else config.toml in the user's config folder (XDG_CONFIG_HOME or ~/.config)."""
    explicit = os.environ.get("SCENETUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "scenetui" / "config.toml"


class Settings(BaseSettings):
    """Everything configurable; env vars win over the config file (~/.config/scenetui/config.toml)."""

    model_config = SettingsConfigDict(env_prefix="SCENETUI_", extra="ignore")

    workspace: Path | None = None
    concurrency: int = Field(default=2, ge=1, le=64)
    log_level: str = "INFO"
    luma_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("LUMAAI_API_KEY", "luma_api_key"))
    luma_base_url: str = Field(
        default="https://api.lumalabs.ai/dream-machine/v1",
        validation_alias=AliasChoices("LUMAAI_BASE_URL", "luma_base_url"),
    )
    # Luma's current API (ray-3.2): its own key and address, the variables Luma's SDK reads (LUMA_BASE_URL too).
    luma_agents_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("LUMA_AGENTS_API_KEY", "luma_agents_api_key"))
    luma_agents_base_url: str = Field(
        default="https://agents.lumalabs.ai/v1",
        validation_alias=AliasChoices("LUMA_AGENTS_BASE_URL", "LUMA_BASE_URL", "luma_agents_base_url"),
    )
    # A keyframe at least this big, or one several scenes share, is uploaded once through the Files API and reused by
    # its content hash; smaller ones ride inline in the create.
    luma_inline_max_kb: int = Field(default=1024, ge=0, le=10240)

    luma_timeout: float = Field(default=30.0, gt=0)
    luma_max_in_flight: int = Field(default=10, ge=1, le=100)
    luma_creates_per_minute: int = Field(default=20, ge=1, le=1000)
    luma_poll_timeout: float = Field(default=1800.0, gt=0)
    # Seconds from a create to the first look at it (an early look catches refused keyframes quickly; Luma's clips
    # take a minute or more, so sooner only costs requests).
    luma_first_look: float = Field(default=2.0, gt=0, le=60)
    # Reads (status, list, credits) are retried with jittered exponential backoff starting here.
    luma_backoff: float = Field(default=1.0, gt=0, le=60)
    luma_read_retries: int = Field(default=5, ge=1, le=20)
    # A downloaded clip larger than this is refused (an endless or absurd body must not fill the disk).
    luma_max_asset_mb: int = Field(default=2048, ge=1, le=65536)
    keyframe_base_url: str | None = None
    # Pictures in the app: auto asks the terminal (kitty's protocol, sixel) before the app starts; halfblock never asks.
    graphics: Literal["auto", "kitty", "sixel", "halfblock"] = "auto"
    # A command that prints the key (`pass show luma`), run only when a Luma key is needed and none is set.
    luma_api_key_command: str | None = None

    # Firebase: the same variables Google's libraries and the Firebase CLI use.
    firebase_bucket: str | None = None
    firebase_credentials: Path | None = Field(
        default=None, validation_alias=AliasChoices("GOOGLE_APPLICATION_CREDENTIALS", "firebase_credentials"))
    firebase_project: str | None = Field(
        default=None, validation_alias=AliasChoices("GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", "firebase_project"))
    firestore_emulator_host: str | None = Field(
        default=None, validation_alias=AliasChoices("FIRESTORE_EMULATOR_HOST", "firestore_emulator_host"))
    storage_emulator_host: str | None = Field(
        default=None, validation_alias=AliasChoices("STORAGE_EMULATOR_HOST", "FIREBASE_STORAGE_EMULATOR_HOST",
                                                    "storage_emulator_host"))
    # Downloaded clips are re-encoded once into the film's profile as they arrive, so exports with transitions only
    # re-encode the boundaries (about 2-3 s of CPU per 5 s 720p clip, overlapping the next generations).
    prepare_for_film: bool = True
    # Resumable uploads go in chunks of this size: 4 MiB kept a 200 MB upload to +8 MB RSS (the library's 100 MiB does not).
    upload_chunk_mb: int = Field(default=4, ge=1, le=256)

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_file())

    @property
    def luma_at_once(self) -> int:
        """The most scenes a Luma render works on at once: each generation the account holds in flight, and as
        many again uploading keyframes or fetching finished clips (more would only wait for a Luma slot)."""
        return 2 * self.luma_max_in_flight

    def secrets(self) -> list[str]:
        """Values that must never appear in logs, screens or the journal."""
        return [s.get_secret_value() for s in (self.luma_api_key, self.luma_agents_api_key) if s and s.get_secret_value()]


def load_settings() -> Settings:
    """The effective settings; a bad value in the environment or the config file is bad input, not a crash."""
    from scenetui.errors import UserError

    path = config_file()
    problem = config_file_problem(path) if path.exists() else None
    if problem:
        raise UserError(problem[0], hint=problem[1])
    try:
        settings = Settings()
    except Exception as exc:
        first = str(exc).splitlines()
        raise UserError(f"bad configuration: {' '.join(first[:3])}",
                        hint=f"check SCENETUI_* variables and {path}") from None
    if settings.luma_api_key is not None:
        settings.luma_api_key = SecretStr(checked_key(settings.luma_api_key.get_secret_value(),
                                                      f"LUMAAI_API_KEY (or luma_api_key in {path})"))
    if settings.luma_agents_api_key is not None:
        settings.luma_agents_api_key = SecretStr(checked_key(settings.luma_agents_api_key.get_secret_value(),
                                                             f"LUMA_AGENTS_API_KEY (or luma_agents_api_key in {path})"))
    return settings


def checked_key(key: str, where: str) -> str:
    """The key without surrounding whitespace (a pasted newline or CR); refused, without showing any of it, when a
    line break, control or non-ASCII character is inside: sent in a header it would fail, or leak into an error."""
    from scenetui.errors import UserError

    key = key.strip()
    if key and not (key.isascii() and key.isprintable()):
        raise UserError(f"the Luma API key in {where} has a line break, control or non-ASCII character inside",
                        hint="copy the key again from the Luma dashboard; nothing was sent")
    return key


SECRET_KEYS = ("luma_api_key", "luma_agents_api_key")


def config_file_problem(path: Path) -> tuple[str, str] | None:
    """Why the config file cannot be used, with the fix: not TOML, or holding a secret others may read."""
    import stat
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return f"config file {path} cannot be read ({getattr(exc, 'strerror', None) or exc})", "fix or remove the file"
    except tomllib.TOMLDecodeError as exc:
        return f"config file {path} is not valid TOML ({exc})", "fix the line it names, or remove the file"
    mode = path.stat().st_mode
    if any(k in data for k in SECRET_KEYS) and mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (f"config file {path} holds the Luma key but others may read it (mode {stat.S_IMODE(mode):o})",
                f"chmod 600 {path}")
    return None


def resolve_luma_key(settings: Settings) -> None:
    """Fill in the Luma key from `luma_api_key_command` when none is set; its output is never shown."""
    import shlex
    import subprocess

    from scenetui.errors import UserError

    if settings.luma_api_key is not None and settings.luma_api_key.get_secret_value().strip():
        return
    if not settings.luma_api_key_command:
        return
    try:
        run = subprocess.run(shlex.split(settings.luma_api_key_command), capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"luma_api_key_command could not run ({type(exc).__name__})",
                        hint="check the command in the config file") from None
    key = (run.stdout.strip().splitlines() or [""])[0].strip()
    if run.returncode != 0 or not key:
        raise UserError(f"luma_api_key_command printed no key (exit {run.returncode})",
                        hint="run the command yourself to see why") from None
    settings.luma_api_key = SecretStr(checked_key(key, "the output of luma_api_key_command"))
