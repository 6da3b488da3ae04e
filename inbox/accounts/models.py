"""Channel accounts: one Telegram bot, VK community, Facebook Page or Instagram account."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from inbox.types import UTCDateTime, utcnow


class Account(SQLModel, table=True):
    """Credentials live here and never leave through the API.

    ``external_id`` is the platform's id of the account (bot id parsed from the token, VK
    group id, Page id, IG account id): inbound events are routed by it.
    """

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_accounts_channel_ext"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16, index=True)
    name: str = Field(max_length=200)
    external_id: str = Field(max_length=64)
    token: str = Field(default="", max_length=1024)
    webhook_secret: str = Field(default="", max_length=256)  # Telegram secret_token
    secret: str = Field(default="", max_length=256)  # VK Callback "secret"
    confirmation_code: str = Field(default="", max_length=64)  # VK confirmation answer
    # Per-account extras: vk_user_token (VK comment moderation), allow_human_agent (Meta replies
    # up to 7 days after the customer's last message), calendar (business hours for rules).
    options: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    is_active: bool = True
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
