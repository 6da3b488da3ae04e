"""Register a bot's webhook with Telegram (setWebhook), through the configured API base."""

from __future__ import annotations

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from inbox.errors import Unavailable

# What an inbox needs. Telegram's default (an empty list) leaves out chat_member and the
# reactions: those must be asked for by name.
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "callback_query",
    "my_chat_member",
    "chat_member",
    "message_reaction",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
]


class WebhookSetupError(Unavailable):
    pass


async def register_webhook(token: str, url: str, secret_token: str, api_base: str) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base))
    bot = Bot(token, session=session)
    try:
        await bot.set_webhook(url=url, secret_token=secret_token, allowed_updates=ALLOWED_UPDATES)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        raise WebhookSetupError(f"Telegram refused setWebhook: {exc}") from exc
    finally:
        await session.close()
