"""The outbound half of the platform port: what ``inbox`` asks a platform to do, and the answer.

``inbox`` owns the outbox (durable rows, idempotency keys, rate limits, retries, delivery
state); ``bots/<platform>`` implements :class:`ChannelSender` and makes exactly one platform
call per :meth:`ChannelSender.deliver`. Failures are raised as the errors of
:mod:`inbox.channels` so the outbox can decide, without knowing any platform, whether to
wait (``RateLimited``), back off (``TransientError``), give up on this item (``Refused``) or
give up on the person (``RecipientGone``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from inbox.events import Channel, ThreadKind


class OutboundAction(StrEnum):
    SEND = "send"  # a message (DM) or a public/private reply to a comment
    HIDE = "hide"  # hide a comment from the public (Facebook, Instagram)
    UNHIDE = "unhide"
    DELETE = "delete"  # delete a comment (where the platform lets a page/bot do it)
    WEBHOOK = "webhook"  # POST a signed JSON event to an admin's URL (a rule's action)


@dataclass(frozen=True, slots=True)
class AccountAuth:
    """What a sender needs of an account. ``options`` holds per-account extras, e.g.
    ``vk_user_token`` (VK moderation needs an admin's user token)."""

    id: int
    channel: Channel
    external_id: str  # bot id / VK group id / Page id / IG account id
    token: str
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Outbound:
    """One platform call to make, built from an outbox row.

    ``peer_id`` and ``post_id`` are the conversation's (as the normaliser stored them);
    ``target_external_id`` is the message or comment answered, hidden or deleted, in the
    normaliser's own external-id format; ``recipient_id`` is the customer's platform id
    (for a private reply to a commenter).
    """

    outbox_id: int  # stable across retries: VK random_id / guid derive from it
    idempotency_key: str
    account: AccountAuth
    action: OutboundAction
    thread_kind: ThreadKind
    peer_id: str
    text: str = ""
    target_external_id: str | None = None
    post_id: str | None = None
    recipient_id: str | None = None
    private: bool = False  # a comment answered in private (Meta private reply, or a DM)
    messaging_tag: str | None = None  # Meta: "HUMAN_AGENT" past the 24-hour window
    url: str | None = None  # WEBHOOK: where to POST ``body``, signed with ``secret``
    body: bytes | None = None
    secret: str | None = None


@dataclass(frozen=True, slots=True)
class Delivered:
    """The platform's answer. ``external_id`` is in the format the normaliser gives the same
    message when the platform echoes it back (VK ``message_reply``, Meta echoes and feed
    events), so the echo is recognised as this message, not stored twice."""

    external_id: str | None = None


class Deliverer(Protocol):
    async def deliver(self, item: Outbound) -> Delivered:
        """Make one call; raise ``inbox.channels`` errors on failure."""
        ...

    async def close(self) -> None: ...


class ChannelSender(Deliverer, Protocol):
    """A platform's sender (``bots/<platform>``)."""

    channel: Channel
