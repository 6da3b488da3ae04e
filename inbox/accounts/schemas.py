"""What it takes to connect an account, per channel; shared by the REST API and the CLI."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=1024)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Name


class TelegramAccountIn(_In):
    channel: Literal["telegram"]
    token: Annotated[str, StringConstraints(pattern=r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")]
    webhook_secret: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,256}$")] = Field(
        description="Telegram's secret_token: 1-256 of A-Z a-z 0-9 _ -"
    )
    register_webhook: bool | None = Field(
        default=None,
        description="call setWebhook now; defaults to yes when OMNIBOX_PUBLIC_URL is set",
    )


class VkAccountIn(_In):
    channel: Literal["vk"]
    group_id: int = Field(gt=0)
    token: Secret
    secret: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    confirmation_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    user_token: Secret | None = Field(
        default=None,
        description="an admin's user token: VK lets only users (not communities) delete comments",
    )


class _MetaIn(_In):
    allow_human_agent: bool = Field(
        default=False,
        description="reply up to 7 days after the customer's last message with Meta's "
        "HUMAN_AGENT tag (the app needs Meta's Human Agent permission); otherwise 24 hours",
    )


class FacebookAccountIn(_MetaIn):
    channel: Literal["facebook"]
    page_id: Annotated[str, StringConstraints(pattern=r"^\d{1,30}$")]
    token: Secret


class InstagramAccountIn(_MetaIn):
    channel: Literal["instagram"]
    ig_user_id: Annotated[str, StringConstraints(pattern=r"^\d{1,30}$")]
    token: Secret


AccountIn = Annotated[
    TelegramAccountIn | VkAccountIn | FacebookAccountIn | InstagramAccountIn,
    Field(discriminator="channel"),
]


class AccountOut(BaseModel):
    """An account as the API shows it: never a token or secret."""

    id: int
    channel: str
    name: str
    external_id: str
    webhook_url: str
    is_active: bool
    created_at: datetime
    webhook_registered: bool | None = None
    can_moderate: bool | None = Field(
        default=None, description="VK: whether a user token for deleting comments is stored"
    )
    allow_human_agent: bool | None = None
