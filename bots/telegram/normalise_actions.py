"""``callback_query`` and ``my_chat_member``: what a person did that is not a message.

A button press becomes a POSTBACK; blocking or unblocking the bot in a private chat is the
only opt-out/opt-in signal Telegram gives (``my_chat_member``), so newsletters rely on it.
"""

from __future__ import annotations

from aiogram.enums import ChatMemberStatus, ChatType
from aiogram.types import Message, Update

from inbox.events import AnomalousPayload, EventKind, InboundEvent

from .common import EventContext, dm_thread, make_author, message_key, require, to_utc
from .subscriptions import BLOCKED, UNBLOCKED


def normalise_callback_query(update: Update, ctx: EventContext) -> list[InboundEvent]:
    query = require(update.callback_query, "callback_query")
    message = query.message
    if not isinstance(message, Message):
        # Inline-mode buttons carry no message, and a message older than 48 h arrives as
        # InaccessibleMessage (date 0). The normaliser must stay deterministic, so there is
        # no clock to fall back on: without the message's date the press has no time.
        raise AnomalousPayload("callback_query without an accessible message has no date")
    chat_id = message.chat.id
    return [
        ctx.event(
            kind=EventKind.POSTBACK,
            thread=dm_thread(chat_id),
            author=make_author(query.from_user),
            external_id=f"callback:{query.id}",
            platform_ts=to_utc(message.date, "callback_query.message.date"),
            text=query.data or "",
            payload=query.data,
            reply_to_external_id=message_key(chat_id, message.message_id),
        )
    ]


def normalise_my_chat_member(update: Update, ctx: EventContext) -> list[InboundEvent]:
    change = require(update.my_chat_member, "my_chat_member")
    if change.chat.type != ChatType.PRIVATE:
        return []  # the bot was added to or removed from a group or channel
    old, new = change.old_chat_member.status, change.new_chat_member.status
    if new == ChatMemberStatus.KICKED:
        kind, signal = EventKind.OPT_OUT, BLOCKED
    elif new == ChatMemberStatus.MEMBER and old == ChatMemberStatus.KICKED:
        kind, signal = EventKind.OPT_IN, UNBLOCKED
    else:
        return []
    when = to_utc(change.date, "my_chat_member.date")
    return [
        ctx.event(
            kind=kind,
            thread=dm_thread(change.chat.id),
            author=make_author(change.from_user),
            external_id=f"my_chat_member:{change.chat.id}:{int(when.timestamp())}",
            platform_ts=when,
            subscription=signal,
        )
    ]
