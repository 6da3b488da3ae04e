"""Recognise comments on channel posts and place them in per-commenter threads.

A channel's posts are copied into its linked discussion supergroup (``is_automatic_forward``),
and comments are ordinary group messages in the reply thread rooted at that copy
(its ``message_thread_id``). The normaliser is pure, so it cannot ask which groups are discussion
groups or which thread roots are known; it relies on what the message itself carries.
"""

from __future__ import annotations

from aiogram.types import Message, MessageOriginChannel

from inbox.events import AnomalousPayload, PostRef, Thread, ThreadKind

from .common import message_key


def is_discussion_comment(message: Message) -> bool:
    """A supergroup message under an auto-forwarded post, or in a non-topic reply thread."""
    if message.chat.type != "supergroup" or message.is_automatic_forward:
        return False
    replied = message.reply_to_message
    if replied is not None and replied.is_automatic_forward:
        return True  # a direct comment: it answers the channel post's copy
    return message.message_thread_id is not None and not message.is_topic_message


def comment_thread(message: Message, author_id: int) -> Thread:
    """One thread per post and commenter, so each commenter is their own conversation."""
    chat_id = message.chat.id
    replied = message.reply_to_message
    root = replied if replied is not None and replied.is_automatic_forward else None
    thread_id = message.message_thread_id
    if thread_id is None and root is not None:
        thread_id = root.message_id  # some deliveries of direct comments omit the thread id
    if thread_id is None:
        raise AnomalousPayload("discussion comment without a thread")
    parent = None
    if replied is not None and root is None:  # it answers another comment, not the post
        parent = message_key(chat_id, replied.message_id)
    return Thread(
        kind=ThreadKind.COMMENT,
        key=f"comment:{chat_id}:{thread_id}:{author_id}",
        peer_id=str(chat_id),
        post=_post_ref(chat_id, thread_id, root),
        parent_comment_id=parent,
    )


def _post_ref(chat_id: int, thread_id: int, root: Message | None) -> PostRef:
    """The post is keyed by its copy in the group; url and text need the copy in hand."""
    if root is None:  # a reply to a comment: Telegram does not nest the root copy
        return PostRef(id=message_key(chat_id, thread_id))
    origin = root.forward_origin
    url = None
    if isinstance(origin, MessageOriginChannel) and origin.chat.username:
        url = f"https://t.me/{origin.chat.username}/{origin.message_id}"
    return PostRef(
        id=message_key(chat_id, thread_id), url=url, text=root.text or root.caption or None
    )
