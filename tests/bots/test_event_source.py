"""The one event builder of every platform: what a delivery shares goes into each event, and
only Telegram reads a subscription command out of a message's text."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.channel_names import Channel
from bots.event_source import EventSource
from bots.telegram.common import EventContext, dm_thread
from inbox.events import Author, EventKind, InboundEvent, SubscriptionSignal

RAW = {"update_id": 7}


def _event(
    source: EventSource,
    kind: EventKind,
    text: str,
    subscription: SubscriptionSignal | None = None,
) -> InboundEvent:
    return source.event(
        kind=kind,
        thread=dm_thread(1),
        author=Author(id="1"),
        external_id="1:1",
        platform_ts=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        text=text,
        subscription=subscription,
    )


def test_each_event_carries_what_the_delivery_shares() -> None:
    event = _event(EventSource(Channel.VK, "42", "message_new", RAW), EventKind.MESSAGE, "/start")
    shared = (event.channel, event.account_external_id, event.event_type, event.raw)
    assert shared == (Channel.VK, "42", "message_new", RAW)
    assert event.subscription is None  # a command means nothing outside Telegram


def test_telegram_reads_a_command_only_where_no_signal_is_given() -> None:
    ctx = EventContext(Channel.TELEGRAM, "42", "message", RAW)
    start = _event(ctx, EventKind.MESSAGE, "/start promo")
    assert start.subscription == SubscriptionSignal(True, "telegram_start", "promo")
    assert _event(ctx, EventKind.EDIT, "/start promo").subscription is None
    given = SubscriptionSignal(False, "telegram_blocked")
    assert _event(ctx, EventKind.MESSAGE, "/start", given).subscription is given
