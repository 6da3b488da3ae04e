"""Deliver outbox items to Telegram through aiogram (Bot API ``sendMessage``, ``deleteMessage``).

One :class:`~aiogram.Bot` per bot token, made on first use and kept (its aiohttp session
keeps connections alive) until :meth:`TelegramSender.close`. Each :meth:`deliver` is exactly
one Bot API call; retries, rate limits and idempotency belong to the outbox.

Where things go:

- a direct message: ``sendMessage`` to the private chat (``peer_id``);
- a public reply to a channel-post comment: ``sendMessage`` in the discussion group
  (``peer_id``) as a reply to the comment (``target_external_id``, else the post's copy in
  the group, ``post_id``), so it lands in the post's comment thread;
- a private reply to a commenter: ``sendMessage`` to their private chat (``recipient_id``);
- delete: ``deleteMessage`` of the target. Telegram has no way to hide a message.

Buttons become an inline keyboard (``callback_data`` = the payload, five to a row) on direct
messages and private replies; a public reply in the discussion group goes without them, as
on every platform, rather than fail.

The answer's id is ``"<chat_id>:<message_id>"``, the normaliser's own key for a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters
from aiogram.utils.token import TokenValidationError, validate_token

from bots.channel_names import Channel
from inbox.channels import ChannelError, Refused
from inbox.events import ThreadKind
from inbox.outbound import Button, Delivered, Outbound, OutboundAction, button_rows

from .common import message_key
from .send_errors import Destination, translate

if TYPE_CHECKING:
    from inbox.outbound import ChannelSender

TEXT_LIMIT = 4096  # sendMessage: 1-4096 characters after entities parsing


class TelegramSender:
    channel: Channel = Channel.TELEGRAM

    def __init__(self, api_base: str, *, timeout: float = 30.0) -> None:
        self._server = TelegramAPIServer.from_base(api_base.rstrip("/"))
        self._timeout = timeout
        self._bots: dict[str, Bot] = {}

    async def deliver(self, item: Outbound) -> Delivered:
        if item.action in (OutboundAction.HIDE, OutboundAction.UNHIDE):
            raise Refused("Telegram cannot hide messages; delete the comment instead")
        bot = self._bot(item.account.token)
        if item.action is OutboundAction.DELETE:
            chat_id, message_id = _message_ref(item.target_external_id, "the message to delete")
            try:
                await bot.delete_message(chat_id=chat_id, message_id=message_id)
            except AiogramError as exc:
                raise translate(exc, Destination.GROUP) from exc
            return Delivered()
        _check_text(item.text)
        chat_id, reply_to, destination = _destination(item)
        reply = None
        if reply_to is not None:
            reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
        markup = _keyboard(item.buttons) if destination is not Destination.GROUP else None
        try:
            sent = await bot.send_message(
                chat_id=chat_id, text=item.text, reply_parameters=reply, reply_markup=markup
            )
        except AiogramError as exc:
            raise translate(exc, destination) from exc
        return Delivered(message_key(sent.chat.id, sent.message_id))

    async def deliver_batch(
        self, items: Sequence[Outbound], random_id: int
    ) -> list[Delivered | ChannelError]:
        """Never asked: Telegram's traits declare no batches (one chat per sendMessage)."""
        raise Refused("Telegram sends one message per call")

    async def close(self) -> None:
        bots, self._bots = self._bots, {}
        for bot in bots.values():
            await bot.session.close()

    def _bot(self, token: str) -> Bot:
        bot = self._bots.get(token)
        if bot is None:
            try:
                validate_token(token)
            except TokenValidationError as exc:
                raise Refused("the account's Telegram bot token is malformed") from exc
            session = AiohttpSession(api=self._server, timeout=self._timeout)
            bot = self._bots[token] = Bot(token, session=session)
        return bot


def _destination(item: Outbound) -> tuple[int, int | None, Destination]:
    """(chat to send to, message to reply to, who is on the other end)."""
    if item.thread_kind is ThreadKind.DIRECT:
        return _int_id(item.peer_id, "the chat"), None, Destination.PERSON
    if item.private:
        if not item.recipient_id:
            raise Refused("a private reply to a Telegram comment needs the commenter's user id")
        return _int_id(item.recipient_id, "the commenter"), None, Destination.PRIVATE_REPLY
    group = _int_id(item.peer_id, "the discussion group")
    # Replying to the post's copy is what puts a message in the post's comment thread.
    target = item.target_external_id or item.post_id
    chat_id, message_id = _message_ref(target, "the comment or post to answer")
    if chat_id != group:
        raise Refused(f"the comment {target} is not in the discussion group {group}")
    return group, message_id, Destination.GROUP


def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    rows = [
        [InlineKeyboardButton(text=b.text, callback_data=b.payload) for b in row]
        for row in button_rows(buttons)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _message_ref(key: str | None, what: str) -> tuple[int, int]:
    """Parse the normaliser's ``"<chat_id>:<message_id>"``."""
    if not key:
        raise Refused(f"Telegram needs {what}, and none was given")
    chat, _, message = key.rpartition(":")
    return _int_id(chat, what), _int_id(message, what)


def _int_id(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise Refused(f"{what} has no Telegram id: {value!r}") from None


def _check_text(text: str) -> None:
    if not text.strip():
        raise Refused("nothing to send: the text is empty")
    if len(text) > TEXT_LIMIT:
        raise Refused(f"text is {len(text)} characters; Telegram takes at most {TEXT_LIMIT}")


if TYPE_CHECKING:
    _conforms: ChannelSender = TelegramSender("https://api.telegram.org")
