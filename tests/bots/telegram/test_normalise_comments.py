"""Comments in a channel's discussion group, and the group traffic that is not a comment."""

from __future__ import annotations

from typing import Any

import pytest

from bots.telegram.adapter import TelegramAdapter
from inbox.events import EventKind, InboundEvent, PostRef, Thread, ThreadKind
from tests.bots.telegram.expected import BOT_ID, DMITRY, event, jan21
from tests.support.payloads import load_payload

ADAPTER = TelegramAdapter()
GROUP = "-1002000000002"
POST_TEXT = "New seasonal blend is out today. Tell us what you think!"
# The root copy (1207) is in hand: the post's link and text are known.
POST_WITH_ROOT = PostRef(
    id=f"{GROUP}:1207", url="https://t.me/acme_coffee_news/318", text=POST_TEXT
)
DMITRY_UNDER_POST = Thread(
    kind=ThreadKind.COMMENT,
    key=f"comment:{GROUP}:1207:6234567890",
    peer_id=GROUP,
    post=POST_WITH_ROOT,
)

CASES = [
    pytest.param(
        load_payload("telegram", "message__discussion_comment"),
        event(
            external_id=f"{GROUP}:1209",
            platform_ts=jan21(9, 5, 10),
            thread=DMITRY_UNDER_POST,
            author=DMITRY,
            text="Is the new blend available in 250 g packs?",
        ),
        id="direct_comment",
    ),
    pytest.param(
        load_payload("telegram", "message__discussion_reply_to_comment"),
        event(
            external_id=f"{GROUP}:1213",
            platform_ts=jan21(9, 6, 40),
            # Same conversation as Dmitry's first comment; the root copy is not nested in a
            # reply to a reply, so only the post's key is known.
            thread=Thread(
                kind=ThreadKind.COMMENT,
                key=f"comment:{GROUP}:1207:6234567890",
                peer_id=GROUP,
                post=PostRef(id=f"{GROUP}:1207"),
                parent_comment_id=f"{GROUP}:1210",
            ),
            author=DMITRY,
            text="Great, thanks! Will they be in the Tverskaya shop too?",
            reply_to_external_id=f"{GROUP}:1210",
        ),
        id="reply_to_comment",
    ),
    pytest.param(
        load_payload("telegram", "edited_message__discussion_comment"),
        event(
            kind=EventKind.EDIT,
            event_type="edited_message",
            external_id=f"{GROUP}:1209",
            platform_ts=jan21(9, 5, 55),
            thread=DMITRY_UNDER_POST,
            author=DMITRY,
            text="Is the new blend available in 250 g and 500 g packs?",
        ),
        id="edited_comment",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_comment_normalises_to_exactly(payload: dict[str, Any], expected: InboundEvent) -> None:
    events = ADAPTER.normalise(payload, BOT_ID)

    assert events == [expected]
    assert events[0].raw == payload


def test_direct_comment_without_thread_id_uses_the_root_copy() -> None:
    payload = load_payload("telegram", "message__discussion_comment")
    del payload["message"]["message_thread_id"]

    [comment] = ADAPTER.normalise(payload, BOT_ID)

    assert comment.thread == DMITRY_UNDER_POST


def test_post_of_a_private_channel_has_no_link() -> None:
    payload = load_payload("telegram", "message__discussion_comment")
    del payload["message"]["reply_to_message"]["forward_origin"]["chat"]["username"]

    [comment] = ADAPTER.normalise(payload, BOT_ID)

    assert comment.thread.post == PostRef(id=f"{GROUP}:1207", text=POST_TEXT)


def test_each_commenter_gets_their_own_thread() -> None:
    payload = load_payload("telegram", "message__discussion_comment")
    payload["message"]["from"] = {"id": 6345678901, "is_bot": False, "first_name": "Olga"}

    [comment] = ADAPTER.normalise(payload, BOT_ID)

    assert comment.thread.key == f"comment:{GROUP}:1207:6345678901"
    assert comment.thread.post == POST_WITH_ROOT


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(load_payload("telegram", "message__automatic_forward"), id="post_copy"),
        pytest.param(load_payload("telegram", "message__supergroup_plain"), id="group_chatter"),
        pytest.param(load_payload("telegram", "message__forum_topic"), id="forum_topic"),
    ],
)
def test_group_traffic_that_is_not_a_comment_is_dropped(payload: dict[str, Any]) -> None:
    assert ADAPTER.normalise(payload, BOT_ID) == []
