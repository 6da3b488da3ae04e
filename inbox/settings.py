"""The one settings class: environment with prefix ``OMNIBOX_``, also read from ``.env``.

Names are part of the public contract (README.md, "Configuration"): extend, never rename.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HOST_PORT = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
# Published in earlier READMEs and examples: whoever reads them could sign tokens with it.
PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the value we refuse everywhere
MIN_PRODUCTION_SECRET = 32  # characters; shorter keys can be guessed offline from one token


class ConfigError(ValueError):
    """The configuration cannot run; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="OMNIBOX_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = "sqlite+aiosqlite:///./omnibox.db"
    redis_url: str | None = None
    # Unset: the install makes a random key on first start and keeps it in the database.
    secret_key: SecretStr | None = None
    public_url: str | None = None

    telegram_api_base: str = "https://api.telegram.org"
    vk_api_base: str = "https://api.vk.com"
    graph_api_base: str = "https://graph.facebook.com"
    graph_api_version: str = "v25.0"
    facebook_app_secret: SecretStr | None = None
    facebook_verify_token: SecretStr | None = None

    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    token_ttl_minutes: int = Field(default=12 * 60, ge=1)
    # Queue behaviour: how long a taken event stays leased to a worker before another may
    # take it, how often a failing event is retried, and how far apart.
    queue_lease_seconds: float = Field(default=60.0, gt=0)
    queue_max_attempts: int = Field(default=8, ge=1)
    queue_retry_base_seconds: float = Field(default=2.0, gt=0)
    queue_retry_max_seconds: float = Field(default=600.0, gt=0)
    worker_batch_size: int = Field(default=100, ge=1)
    worker_idle_seconds: float = Field(default=0.5, gt=0)
    # Namespace of the Redis Streams queue's keys: several deployments (or test runs) can
    # share one Redis without seeing each other's events. Unused by the embedded queue.
    queue_prefix: str = Field(default="omnibox:", min_length=1)
    access_log: bool = False
    # Outbound pace, under the platforms' ceilings: Telegram ~30 messages/s per bot, VK 20
    # requests/s per community token, Meta's Send API 300 calls/s per Page.
    telegram_messages_per_second: float = Field(default=25.0, gt=0)
    vk_requests_per_second: float = Field(default=15.0, gt=0)
    meta_requests_per_second: float = Field(default=250.0, gt=0)
    outbox_max_attempts: int = Field(default=8, ge=1)
    # Loop guard: automatic (rule) replies per conversation per hour.
    auto_replies_per_hour: int = Field(default=3, ge=0)
    # Web inbox sign-in: a session ends after this long at the latest, or when left idle.
    session_max_age_hours: float = Field(default=7 * 24.0, gt=0)
    session_idle_minutes: float = Field(default=12 * 60.0, gt=0)
    # Login attempts (checked before any password hashing): per client address and per email.
    login_attempts_per_ip: int = Field(default=5, ge=1)  # per 5 minutes
    login_attempts_per_email: int = Field(default=10, ge=1)  # per 15 minutes
    # Live updates (GET /api/v1/live): a ": ping" comment this often keeps proxies from
    # closing an idle stream. Presence: a viewer is gone this long after its last heartbeat
    # (pages send one every ~5 s), a typing flag after this long without a typing heartbeat.
    live_ping_seconds: float = Field(default=15.0, gt=0)
    presence_ttl_seconds: float = Field(default=15.0, gt=0)
    presence_typing_seconds: float = Field(default=6.0, gt=0)
    # Attachments are fetched by the service, never hot-linked: at most this many bytes, within
    # this many seconds, from the platforms' own file APIs and CDN hosts. ``media_extra_hosts``
    # (comma-separated ``host[:port]``) admits more hosts, over http too: local fakes, the demo.
    attachment_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    attachment_timeout_seconds: float = Field(default=20.0, gt=0)
    media_extra_hosts: str = ""

    @field_validator("media_extra_hosts")
    @classmethod
    def _hosts_with_ports(cls, value: str) -> str:
        for item in filter(None, (part.strip() for part in value.split(","))):
            if not _HOST_PORT.fullmatch(item):
                raise ValueError(f"media_extra_hosts: {item!r} is not host[:port]")
        return value

    @field_validator("secret_key")
    @classmethod
    def _blank_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        # ``OMNIBOX_SECRET_KEY=`` (an empty variable in a compose file) means "not set".
        return value if value is not None and value.get_secret_value().strip() else None

    @model_validator(mode="after")
    def _refuse_known_secret(self) -> Settings:
        key = self.secret_key.get_secret_value() if self.secret_key else None
        if key == PLACEHOLDER_SECRET:
            raise ConfigError(
                "OMNIBOX_SECRET_KEY is the published placeholder 'change-me': anyone could sign "
                "tokens with it. Unset it (omnibox then makes and keeps a random key) or set a "
                "long random value (`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
            )
        too_short = key is not None and len(key) < MIN_PRODUCTION_SECRET
        if too_short and self.environment == "production":
            raise ConfigError(
                f"OMNIBOX_SECRET_KEY is shorter than {MIN_PRODUCTION_SECRET} characters; unset it "
                "(omnibox then makes and keeps a random key) or set a long random value"
            )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
