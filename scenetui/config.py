"""Settings from the environment (and an optional TOML file); secrets stay SecretStr."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict, TomlConfigSettingsSource


def _config_file() -> Path:
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

    luma_timeout: float = Field(default=30.0, gt=0)
    luma_max_in_flight: int = Field(default=10, ge=1, le=100)
    luma_creates_per_minute: int = Field(default=20, ge=1, le=1000)
    luma_poll_timeout: float = Field(default=1800.0, gt=0)
    # Reads (status, list, credits) are retried with jittered exponential backoff starting here.
    luma_backoff: float = Field(default=1.0, gt=0, le=60)
    luma_read_retries: int = Field(default=5, ge=1, le=20)
    keyframe_base_url: str | None = None

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
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=_config_file())

    def secrets(self) -> list[str]:
        """Values that must never appear in logs, screens or the journal."""
        return [s.get_secret_value() for s in (self.luma_api_key,) if s and s.get_secret_value()]
