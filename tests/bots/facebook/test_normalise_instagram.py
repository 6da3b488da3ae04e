"""Instagram fixtures: DMs share the Messenger shape; ``comments`` is IG's own."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import InstagramAdapter
from inbox.events import (
    Author,
    Direction,
    EventKind,
    InboundEvent,
    PostRef,
    Thread,
    ThreadKind,
)
from tests.support.payloads import load_payload

IG = "17841400000000001"
IGSID = "1122334455667788990"
MEDIA = "18012345678901234"
TOP_COMMENT = "17998877665544332"
DM = Thread(kind=ThreadKind.DIRECT, key=f"dm:{IGSID}", peer_id=IGSID)


def comment_thread(author_id: str, comment_id: str, parent: str | None = None) -> Thread:
    return Thread(
        kind=ThreadKind.COMMENT,
        key=f"comment:{MEDIA}:{author_id}",
        peer_id=comment_id,
        post=PostRef(id=MEDIA),
        parent_comment_id=parent,
    )


def event(**fields: Any) -> InboundEvent:
    return InboundEvent(channel=Channel.INSTAGRAM, account_external_id=IG, **fields)


CASES = [
    pytest.param(
        load_payload("instagram", "messages__text"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="messages",
                thread=DM,
                author=Author(id=IGSID),
                external_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4"
                "MjM2Njg0MTcxMDMwMTI0NDI1ODAwMDAwMDAwMDAw",
                platform_ts=datetime(2025, 1, 21, 11, 46, 39, 876000, tzinfo=UTC),
                text="Привет! Is the red dress still available? 👗",
            )
        ],
        id="messages__text",
    ),
    pytest.param(
        load_payload("instagram", "message_echoes"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="message_echoes",
                thread=DM,
                author=Author(id=IG),
                external_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOjM0MDI4"
                "MjM2Njg0MTcxMDMwMTI0NDI1ODAwMDAwMDAwMDAx",
                platform_ts=datetime(2025, 1, 21, 11, 48, 20, 400000, tzinfo=UTC),
                direction=Direction.OUT,
                text="Yes! Sizes S and M are in stock.",
            )
        ],
        id="message_echoes",
    ),
    pytest.param(
        load_payload("instagram", "messaging_postbacks"),
        [
            event(
                kind=EventKind.POSTBACK,
                event_type="messaging_postbacks",
                thread=DM,
                author=Author(id=IGSID),
                external_id="aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDAwMDAwMDAwMDAxOnBvc3Ri"
                "YWNrMDAy",
                platform_ts=datetime(2025, 1, 21, 11, 50, 0, 700000, tzinfo=UTC),
                text="Opening hours",
                payload="ICEBREAKER_HOURS",
            )
        ],
        id="messaging_postbacks",
    ),
    pytest.param(load_payload("instagram", "messaging_seen"), [], id="messaging_seen"),
    pytest.param(
        load_payload("instagram", "comments"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="comments",
                thread=comment_thread("2233445566778899", TOP_COMMENT),
                author=Author(
                    id="2233445566778899", display_name="tamuna.shops", username="tamuna.shops"
                ),
                external_id=TOP_COMMENT,
                platform_ts=datetime(2025, 1, 21, 12, 3, 20, tzinfo=UTC),
                text="Do you have this in blue? 💙",
            )
        ],
        id="comments",
    ),
    pytest.param(
        load_payload("instagram", "comments__reply"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="comments",
                thread=comment_thread("3344556677889900", "17998877665544555", TOP_COMMENT),
                author=Author(id="3344556677889900", display_name="lasha_g", username="lasha_g"),
                external_id="17998877665544555",
                # This entry's ``time`` is in ms: it must land on the same second scale.
                platform_ts=datetime(2025, 1, 21, 12, 5, 0, 123000, tzinfo=UTC),
                text="@tamuna.shops they had blue last week",
            )
        ],
        id="comments__reply",
    ),
    pytest.param(
        load_payload("instagram", "comments__own_reply"),
        [
            event(
                kind=EventKind.MESSAGE,
                event_type="comments",
                thread=comment_thread(IG, "17998877665544777", TOP_COMMENT),
                author=Author(id=IG, display_name="vake.boutique", username="vake.boutique"),
                external_id="17998877665544777",
                platform_ts=datetime(2025, 1, 21, 12, 6, 40, tzinfo=UTC),
                direction=Direction.OUT,
                text="@tamuna.shops blue arrives on Friday!",
            )
        ],
        id="comments__own_reply",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_instagram_fixture_normalises_exactly(
    payload: dict[str, Any], expected: list[InboundEvent]
) -> None:
    events = InstagramAdapter().normalise(payload, IG)

    assert events == expected
    for got in events:
        assert got.raw == payload  # a single-item entry is its own context
