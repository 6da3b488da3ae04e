"""Page ``feed`` fixtures: comments become comment-thread events; everything else is a no-op."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import FacebookAdapter
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

PAGE = "102030405060708"
POST_ID = "102030405060708_987654321012345"
POST = PostRef(id=POST_ID, url="https://www.facebook.com/102030405060708/posts/987654321012345")
TOP_COMMENT = "987654321012345_1122334455667788"
GIORGI = Author(id="6234567890123456", display_name="Giorgi Beridze")


def comment_thread(
    author_id: str, comment_id: str, parent: str | None = None, post: PostRef = POST
) -> Thread:
    return Thread(
        kind=ThreadKind.COMMENT,
        key=f"comment:{POST_ID}:{author_id}",
        peer_id=comment_id,
        post=post,
        parent_comment_id=parent,
    )


def event(**fields: Any) -> InboundEvent:
    return InboundEvent(
        channel=Channel.FACEBOOK, account_external_id=PAGE, event_type="feed", **fields
    )


CASES = [
    pytest.param(
        load_payload("facebook", "feed__comment_add"),
        [
            event(
                kind=EventKind.MESSAGE,
                thread=comment_thread(GIORGI.id, TOP_COMMENT),
                author=GIORGI,
                external_id=TOP_COMMENT,
                platform_ts=datetime(2025, 1, 21, 9, 49, 50, tzinfo=UTC),
                text="Is this offer valid in the Vake store too?",
            )
        ],
        id="feed__comment_add",
    ),
    pytest.param(
        load_payload("facebook", "feed__reply_to_comment"),
        [
            event(
                kind=EventKind.MESSAGE,
                thread=comment_thread(
                    "6345678901234567", "987654321012345_1122334455667799", parent=TOP_COMMENT
                ),
                author=Author(id="6345678901234567", display_name="Нино Капанадзе"),
                external_id="987654321012345_1122334455667799",
                platform_ts=datetime(2025, 1, 21, 9, 51, 51, tzinfo=UTC),
                text="I was there yesterday, they had it 👍",
            )
        ],
        id="feed__reply_to_comment",
    ),
    pytest.param(
        load_payload("facebook", "feed__comment_edited"),
        [
            event(
                kind=EventKind.EDIT,
                thread=comment_thread(GIORGI.id, TOP_COMMENT),
                author=GIORGI,
                external_id=TOP_COMMENT,
                platform_ts=datetime(2025, 1, 21, 9, 53, 50, tzinfo=UTC),
                text="Is this offer valid in the Vake and Saburtalo stores too?",
            )
        ],
        id="feed__comment_edited",
    ),
    pytest.param(
        load_payload("facebook", "feed__comment_remove"),
        [
            event(
                kind=EventKind.DELETE,
                # A removal carries no ``post`` object, so the post has no permalink.
                thread=comment_thread(GIORGI.id, TOP_COMMENT, post=PostRef(id=POST_ID)),
                author=GIORGI,
                external_id=TOP_COMMENT,
                platform_ts=datetime(2025, 1, 21, 9, 55, 55, tzinfo=UTC),
            )
        ],
        id="feed__comment_remove",
    ),
    pytest.param(
        load_payload("facebook", "feed__page_own_comment"),
        [
            event(
                kind=EventKind.MESSAGE,
                thread=comment_thread(PAGE, "987654321012345_1122334455667811", parent=TOP_COMMENT),
                author=Author(id=PAGE, display_name="Vake Wine Store"),
                external_id="987654321012345_1122334455667811",
                platform_ts=datetime(2025, 1, 21, 9, 57, 50, tzinfo=UTC),
                direction=Direction.OUT,
                text="Yes, Giorgi, the offer is valid in every store.",
            )
        ],
        id="feed__page_own_comment",
    ),
    pytest.param(load_payload("facebook", "feed__comment_hide"), [], id="feed__comment_hide"),
    pytest.param(load_payload("facebook", "feed__reaction"), [], id="feed__reaction"),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_feed_fixture_normalises_exactly(
    payload: dict[str, Any], expected: list[InboundEvent]
) -> None:
    events = FacebookAdapter().normalise(payload, PAGE)

    assert events == expected
    for got in events:
        assert got.raw == payload  # a single-change entry is its own context


@pytest.mark.parametrize("verb", ["unhide", "share", None])
def test_other_comment_verbs_are_no_ops(verb: str | None) -> None:
    payload = load_payload("facebook", "feed__comment_add")
    payload["entry"][0]["changes"][0]["value"]["verb"] = verb

    assert FacebookAdapter().normalise(payload, PAGE) == []


@pytest.mark.parametrize("item", ["status", "post", "like", "photo", None])
def test_other_feed_items_are_no_ops(item: str | None) -> None:
    payload = load_payload("facebook", "feed__comment_add")
    payload["entry"][0]["changes"][0]["value"]["item"] = item

    assert FacebookAdapter().normalise(payload, PAGE) == []
