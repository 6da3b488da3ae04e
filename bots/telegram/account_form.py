"""Connecting a Telegram bot: its token and the secret Telegram sends with every update."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from inbox.accounts.schemas import AccountForm, StoredAccount
from inbox.errors import Invalid
from inbox.settings import Settings


class TelegramAccountIn(AccountForm):
    api_only = frozenset({"register_webhook"})
    cli_help = {"webhook_secret": "the secret_token"}

    channel: Literal["telegram"]
    token: Annotated[str, StringConstraints(pattern=r"^\d{1,20}:[A-Za-z0-9_-]{1,200}$")]
    webhook_secret: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,256}$")] = Field(
        description="Telegram's secret_token: 1-256 of A-Z a-z 0-9 _ -"
    )
    register_webhook: bool | None = Field(
        default=None,
        description="call setWebhook now; defaults to yes when OMNIBOX_PUBLIC_URL is set",
    )

    def stored(self) -> StoredAccount:
        bot_id = self.token.split(":", 1)[0]  # the bot id is the token's first part
        return StoredAccount(bot_id, self.token, webhook_secret=self.webhook_secret)

    async def connect(self, webhook_url: str, settings: Settings) -> bool | None:
        wanted = self.register_webhook
        if wanted is None:
            wanted = settings.public_url is not None
        if wanted:
            if not settings.public_url:
                raise Invalid("register_webhook needs OMNIBOX_PUBLIC_URL to be set")
            from bots.telegram.webhook_setup import register_webhook  # aiogram: only when used

            await register_webhook(
                self.token, webhook_url, self.webhook_secret, settings.telegram_api_base
            )
        return wanted
