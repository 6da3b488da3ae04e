"""Expected events for the Telegram fixtures, spelled out so tests compare whole values.

Times are written as wall-clock UTC, not recomputed from the fixtures' Unix seconds, so a
wrong conversion cannot agree with itself.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bots.channel_names import Channel
from inbox.events import (
    Attachment,
    Author,
    EventKind,
    InboundEvent,
    SubscriptionSignal,
    Thread,
    ThreadKind,
)

BOT_ID = "7000000001"  # the account_external_id every test passes

ALINA = Author(
    id="5123456789", display_name="Alina Petrova", username="alina_p_example", language="ru"
)
DMITRY = Author(id="6234567890", display_name="Dmitry", username="dima_example", language="en")
ALINA_DM = Thread(kind=ThreadKind.DIRECT, key="dm:5123456789", peer_id="5123456789")


def jan21(hour: int, minute: int, second: int = 0) -> datetime:
    """Every fixture happens on 2025-01-21 (UTC)."""
    return datetime(2025, 1, 21, hour, minute, second, tzinfo=UTC)


def event(
    *,
    external_id: str,
    platform_ts: datetime,
    kind: EventKind = EventKind.MESSAGE,
    event_type: str = "message",
    thread: Thread = ALINA_DM,
    author: Author = ALINA,
    text: str = "",
    attachments: tuple[Attachment, ...] = (),
    reply_to_external_id: str | None = None,
    payload: str | None = None,
    subscription: SubscriptionSignal | None = None,
) -> InboundEvent:
    return InboundEvent(
        channel=Channel.TELEGRAM,
        account_external_id=BOT_ID,
        kind=kind,
        event_type=event_type,
        thread=thread,
        author=author,
        external_id=external_id,
        platform_ts=platform_ts,
        text=text,
        attachments=attachments,
        reply_to_external_id=reply_to_external_id,
        payload=payload,
        subscription=subscription,
    )
