"""The one shape every platform event takes once normalised.

Normalisers in ``bots/<platform>`` turn a raw webhook payload into a list of
:class:`InboundEvent` values (Meta batches entries, so one payload may carry many). The
values are plain frozen dataclasses: cheap to build, easy to compare in tests, and free of
any platform library type, so nothing above ``bots`` ever depends on aiogram or vkbottle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeAlias

Channel: TypeAlias = str
"""A platform's name, as its adapter declares it and accounts store it (``telegram``, ``vk``…):
whatever the registered platforms are (``inbox.platforms``), never a list kept here."""


class EventKind(StrEnum):
    """What happened. ``thread.kind`` says where (a DM or a comment thread)."""

    MESSAGE = "message"  # a new message or comment
    POSTBACK = "postback"  # a button press (Telegram callback_query, Messenger postback)
    EDIT = "edit"  # the author changed the text of a known message
    DELETE = "delete"  # the message or comment was removed
    REACTION = "reaction"
    OPT_IN = "opt_in"  # the person may be messaged again (unblocked bot, message_allow)
    OPT_OUT = "opt_out"  # the person may no longer be messaged (blocked bot, message_deny)
    SYSTEM = "system"  # platform bookkeeping kept for context (e.g. a channel post anchor)


class ThreadKind(StrEnum):
    DIRECT = "direct"
    COMMENT = "comment"


class Direction(StrEnum):
    IN = "in"  # written by the customer
    OUT = "out"  # written by the brand (echoes of replies typed in the native apps)


@dataclass(frozen=True, slots=True)
class Author:
    """A person (or page) on the platform; ``id`` is the platform's own id as text."""

    id: str
    display_name: str = ""
    username: str | None = None
    language: str | None = None
    is_bot: bool = False


@dataclass(frozen=True, slots=True)
class PostRef:
    """The public post a comment belongs to."""

    id: str  # stable key of the post on the platform, e.g. "-229876543_318"
    url: str | None = None
    text: str | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a message lives.

    ``key`` identifies the conversation inside the account: for a DM the peer (chat / PSID /
    peer_id); for a comment the post plus the commenter, so every commenter under a post gets
    their own conversation with the whole reply chain in it.
    """

    kind: ThreadKind
    key: str
    peer_id: str  # where a reply goes: chat id, peer id, PSID, or the comment surface id
    post: PostRef | None = None
    parent_comment_id: str | None = None  # the comment this one answers, if any


@dataclass(frozen=True, slots=True)
class Attachment:
    type: str  # photo, document, sticker, voice, video, audio, location, contact, link, file
    file_id: str | None = None  # platform file id (Telegram file_id, VK "photo1_2")
    url: str | None = None
    size: int | None = None
    mime_type: str | None = None
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SubscriptionSignal:
    """A platform's own way of asking for messages or for no more (Telegram's ``/start``, VK's
    ``message_allow``), recognised by its normaliser so ``inbox`` never parses one.

    ``method`` and ``source`` go into the subscription ledger as they are (``source``: a
    deep-link parameter, a widget key, the command itself)."""

    opt_in: bool
    method: str
    source: str | None = None


@dataclass(frozen=True, slots=True)
class InboundEvent:
    channel: Channel
    account_external_id: str  # bot id / group id / page id / IG account id
    kind: EventKind
    event_type: str  # the platform's own event name, e.g. "edited_message", "wall_reply_new"
    thread: Thread
    author: Author
    external_id: str  # the platform's own id of the message / comment, unique per account
    platform_ts: datetime  # when the platform says it happened (UTC)
    direction: Direction = Direction.IN
    text: str = ""
    attachments: tuple[Attachment, ...] = ()
    reply_to_external_id: str | None = None
    payload: str | None = None  # button data for postbacks
    # Set when the event asks for newsletters or stops them in the platform's own way (a
    # command, an opt-in event); buttons and keywords are recognised by inbox itself.
    subscription: SubscriptionSignal | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


class UnsupportedEvent(Exception):
    """The payload is well-formed but of an event type we do not handle."""

    def __init__(self, event_type: str) -> None:
        super().__init__(event_type)
        self.event_type = event_type


class AnomalousPayload(Exception):
    """The payload claims a known type but lacks what that type must carry."""
