"""Messenger ``messaging`` fixtures normalised field by field (``raw`` checked separately)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import FacebookAdapter
from inbox.events import (
    Attachment,
    Author,
    Direction,
    EventKind,
    InboundEvent,
    Thread,
    ThreadKind,
)
from tests.support.payloads import load_payload

PAGE = "102030405060708"
PSID = "7012345678901234"


def dm(peer: str) -> Thread:
    return Thread(kind=ThreadKind.DIRECT, key=f"dm:{peer}", peer_id=peer)


def event(**fields: Any) -> InboundEvent:
    """An expected Messenger event: only the channel and the account are defaulted."""
    return InboundEvent(channel=Channel.FACEBOOK, account_external_id=PAGE, **fields)


CASES = [
    pytest.param(
        load_payload("facebook", "messages__text"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_Zm9vYmFyLWV4YW1wbGUtbWlkLTAwMQ",
                platform_ts=datetime(2025, 1, 21, 9, 33, 19, 876000, tzinfo=UTC),
                text="Hi! Do you ship to Tbilisi?",
            )
        ],
        id="messages__text",
    ),
    pytest.param(
        load_payload("facebook", "messages__image"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_aW1hZ2UtbWVzc2FnZS1taWQtMDAz",
                platform_ts=datetime(2025, 1, 21, 9, 35, 0, 123000, tzinfo=UTC),
                attachments=(
                    Attachment(
                        type="image",
                        url="https://scontent.xx.fbcdn.net/v/t1.15752-9/photo_0001.jpg"
                        "?_nc_cat=1&oh=abc&oe=def",
                    ),
                ),
            )
        ],
        id="messages__image",
    ),
    pytest.param(
        load_payload("facebook", "messages__cyrillic_hangul_emoji"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_dW5pY29kZS1tZXNzYWdlLW1pZC0wMDQ",
                platform_ts=datetime(2025, 1, 21, 9, 36, 40, 777000, tzinfo=UTC),
                text="Здравствуйте! 안녕하세요 👋🏽 Семья: "
                "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 \u2764\ufe0f",
            )
        ],
        id="messages__cyrillic_hangul_emoji",
    ),
    pytest.param(
        load_payload("facebook", "messages__reply_to"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_cmVwbHktbWVzc2FnZS1taWQtMDA1",
                platform_ts=datetime(2025, 1, 21, 9, 38, 20, 321000, tzinfo=UTC),
                text="Yes, this one please",
                reply_to_external_id="m_cGFnZS1lY2hvLW1pZC0wMDY",
            )
        ],
        id="messages__reply_to",
    ),
    pytest.param(
        load_payload("facebook", "messages__quick_reply"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_cXVpY2stcmVwbHktbWlkLTAwNw",
                platform_ts=datetime(2025, 1, 21, 9, 40, 0, 654000, tzinfo=UTC),
                text="Red",
                payload="COLOR_RED",
            )
        ],
        id="messages__quick_reply",
    ),
    pytest.param(
        load_payload("facebook", "messages__location_sticker_fallback"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_bWl4ZWQtYXR0YWNobWVudHMtMDA4",
                platform_ts=datetime(2025, 1, 21, 9, 41, 40, 888000, tzinfo=UTC),
                attachments=(
                    Attachment(
                        type="image",
                        url="https://scontent.xx.fbcdn.net/v/t39.1997-6/sticker_like.png",
                        extra={"sticker_id": 369239263222822},
                    ),
                    Attachment(
                        type="location",
                        name="Vake Park",
                        extra={"coordinates": {"lat": 41.7093, "long": 44.7525}},
                    ),
                    Attachment(
                        type="fallback",
                        url="https://example.com/catalogue",
                        name="Our spring catalogue",
                    ),
                    Attachment(type="fallback"),
                ),
            )
        ],
        id="messages__location_sticker_fallback",
    ),
    pytest.param(
        load_payload("facebook", "messages__batch"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=dm(PSID),
                author=Author(id=PSID),
                external_id="m_Zm9vYmFyLWV4YW1wbGUtbWlkLTAwMQ",
                platform_ts=datetime(2025, 1, 21, 9, 33, 19, 876000, tzinfo=UTC),
                text="Hi! Do you ship to Tbilisi?",
            ),
            event(
                kind=EventKind.POSTBACK,
                event_type="messaging_postbacks",
                thread=dm("7098765432109876"),
                author=Author(id="7098765432109876"),
                external_id="m_Zm9vYmFyLWV4YW1wbGUtbWlkLTAwMg",
                platform_ts=datetime(2025, 1, 21, 9, 33, 20, 301000, tzinfo=UTC),
                text="Talk to an agent",
                payload="HANDOFF_TO_AGENT",
            ),
        ],
        id="messages__batch",
    ),
    pytest.param(
        load_payload("facebook", "messaging_postbacks"),
        [
            event(
                kind=EventKind.POSTBACK,
                event_type="messaging_postbacks",
                thread=dm(PSID),
                author=Author(id=PSID),
                # No ``mid`` on this postback: the id falls back to sender + timestamp.
                external_id=f"postback:{PSID}:1737452600111",
                platform_ts=datetime(2025, 1, 21, 9, 43, 20, 111000, tzinfo=UTC),
                text="Get Started",
                payload="GET_STARTED",
            )
        ],
        id="messaging_postbacks",
    ),
    pytest.param(
        load_payload("facebook", "message_echoes"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="message_echoes",
                thread=dm(PSID),  # the customer is the recipient of an echo
                author=Author(id=PAGE),
                external_id="m_ZWNoby1mcm9tLXBhZ2UtMDA5",
                platform_ts=datetime(2025, 1, 21, 9, 45, 0, 300000, tzinfo=UTC),
                direction=Direction.OUT,
                text="Yes, we ship to Tbilisi within 2 days.",
            )
        ],
        id="message_echoes",
    ),
    pytest.param(load_payload("facebook", "message_reads"), [], id="message_reads"),
    pytest.param(load_payload("facebook", "message_deliveries"), [], id="message_deliveries"),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_messaging_fixture_normalises_exactly(
    payload: dict[str, Any], expected: list[InboundEvent]
) -> None:
    events = FacebookAdapter().normalise(payload, PAGE)

    assert events == expected
    for got in events:
        assert got.platform_ts.tzinfo is UTC
        assert got.raw["object"] == "page"
        assert got.raw["entry"][0]["id"] == PAGE


def test_raw_is_the_item_with_its_entry_context() -> None:
    payload = load_payload("facebook", "messages__batch")

    first, second = FacebookAdapter().normalise(payload, PAGE)

    assert first.raw == {"object": "page", "entry": [payload["entry"][0]]}
    assert second.raw == {"object": "page", "entry": [payload["entry"][1]]}
