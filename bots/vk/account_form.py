"""Connecting a VK community through the Callback API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from bots.vk.traits import USER_TOKEN_OPTION
from inbox.accounts.schemas import AccountForm, Secret, StoredAccount


class VkAccountIn(AccountForm):
    cli_help = {
        "group_id": "community id",
        "secret": "Callback API secret key",
        "confirmation_code": "Callback API confirmation string",
        "user_token": "an admin's user token (to delete comments)",
    }

    channel: Literal["vk"]
    group_id: int = Field(gt=0)
    secret: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    confirmation_code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    user_token: Secret | None = Field(
        default=None,
        description="an admin's user token: VK lets only users (not communities) delete comments",
    )

    def stored(self) -> StoredAccount:
        return StoredAccount(
            str(self.group_id),
            self.token,
            secret=self.secret,
            confirmation_code=self.confirmation_code,
            options={USER_TOKEN_OPTION: self.user_token} if self.user_token else {},
        )
