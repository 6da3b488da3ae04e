"""``message`` and ``edited_message``: direct messages and channel-post comments.

Everything else that arrives as a message (ordinary group chatter, forum topics, the
automatic copy of a channel post, service notices such as pins) is known and deliberately
dropped: the inbox holds conversations with customers, not chat bookkeeping.
"""

from __future__ import annotations

from aiogram.enums import ContentType
from aiogram.types import Message, Update

from inbox.events import EventKind, InboundEvent, Thread

from .attachments import attachments_of, text_of
from .comments import comment_thread, is_discussion_comment
from .common import EventContext, dm_thread, make_author, message_key, require, to_utc

# Service messages: the chat changed, nobody said anything.
_SERVICE = frozenset(
    {
        ContentType.NEW_CHAT_MEMBERS,
        ContentType.LEFT_CHAT_MEMBER,
        ContentType.NEW_CHAT_TITLE,
        ContentType.NEW_CHAT_PHOTO,
        ContentType.DELETE_CHAT_PHOTO,
        ContentType.GROUP_CHAT_CREATED,
        ContentType.SUPERGROUP_CHAT_CREATED,
        ContentType.CHANNEL_CHAT_CREATED,
        ContentType.MIGRATE_TO_CHAT_ID,
        ContentType.MIGRATE_FROM_CHAT_ID,
        ContentType.PINNED_MESSAGE,
        ContentType.MESSAGE_AUTO_DELETE_TIMER_CHANGED,
        ContentType.WRITE_ACCESS_ALLOWED,
        ContentType.CHAT_BACKGROUND_SET,
        ContentType.CONNECTED_WEBSITE,
        ContentType.PROXIMITY_ALERT_TRIGGERED,
        ContentType.FORUM_TOPIC_CREATED,
        ContentType.FORUM_TOPIC_EDITED,
        ContentType.FORUM_TOPIC_CLOSED,
        ContentType.FORUM_TOPIC_REOPENED,
        ContentType.VIDEO_CHAT_SCHEDULED,
        ContentType.VIDEO_CHAT_STARTED,
        ContentType.VIDEO_CHAT_ENDED,
        ContentType.VIDEO_CHAT_PARTICIPANTS_INVITED,
    }
)


def normalise_message(update: Update, ctx: EventContext) -> list[InboundEvent]:
    return _normalise(require(update.message, "message"), ctx, edited=False)


def normalise_edited_message(update: Update, ctx: EventContext) -> list[InboundEvent]:
    return _normalise(require(update.edited_message, "edited_message"), ctx, edited=True)


def ignore(update: Update, ctx: EventContext) -> list[InboundEvent]:
    """Known and validated, but nothing for the inbox (e.g. the channel's own posts)."""
    return []


def _normalise(message: Message, ctx: EventContext, *, edited: bool) -> list[InboundEvent]:
    if message.content_type in _SERVICE:
        return []
    if edited and message.location is not None and message.location.live_period:
        return []  # a live location moving: an edit every few seconds, no new words
    chat_id = message.chat.id
    thread: Thread
    if message.chat.type == "private":
        thread = dm_thread(chat_id)
        replied = message.reply_to_message
        reply_to = None if replied is None else message_key(chat_id, replied.message_id)
    elif is_discussion_comment(message):
        thread = comment_thread(message, require(message.from_user, "message.from").id)
        reply_to = thread.parent_comment_id
    else:
        return []
    author = make_author(require(message.from_user, "message.from"))
    when = to_utc(message.edit_date, "edit_date") if edited else to_utc(message.date, "date")
    return [
        ctx.event(
            kind=EventKind.EDIT if edited else EventKind.MESSAGE,
            thread=thread,
            author=author,
            external_id=message_key(chat_id, message.message_id),
            platform_ts=when,
            text=text_of(message),
            attachments=attachments_of(message),
            reply_to_external_id=reply_to,
        )
    ]
