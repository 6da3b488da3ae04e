"""Comment-family fixtures (wall, photo, video, board, market) -> exact events."""

from __future__ import annotations

from typing import Any

import pytest

from bots.vk import normalise
from inbox.events import Attachment, Direction, EventKind, InboundEvent
from tests.bots.vk._expect import (
    ADMIN,
    COMMUNITY,
    EPOCH,
    GROUP,
    OTHER_USER,
    USER,
    event,
    on_post,
    ts,
)
from tests.support.payloads import load_payload

M, E, D = EventKind.MESSAGE, EventKind.EDIT, EventKind.DELETE
WALL = f"wall{COMMUNITY}_318"
PHOTO = f"photo{COMMUNITY}_457239101"
VIDEO = f"video{COMMUNITY}_456239050"
TOPIC = f"topic{COMMUNITY}_49251234"
MARKET = f"market{COMMUNITY}_8765432"
WALL_905 = f"wall_comment{COMMUNITY}_905"
WALL_906 = f"wall_comment{COMMUNITY}_906"
PHOTO_41 = f"photo_comment{COMMUNITY}_41"
VIDEO_17 = f"video_comment{COMMUNITY}_17"
BOARD_12 = f"board_comment{COMMUNITY}_12"
MARKET_7 = f"market_comment{COMMUNITY}_7"
OUT = Direction.OUT

CASES = [
    pytest.param(
        load_payload("vk", "wall_reply_new"),
        event("wall_reply_new", M, on_post(WALL, USER), USER, WALL_905, ts(1737451500),
              text="What is the price of the 1 kg bag?"),
        id="wall_reply_new",
    ),
    pytest.param(
        load_payload("vk", "wall_reply_new__reply_to_comment"),
        event("wall_reply_new", M, on_post(WALL, OTHER_USER, WALL_905), OTHER_USER, WALL_906,
              ts(1737451800), text="It was 1 500 ₽ last week"),
        id="wall_reply_new__reply_to_comment",
    ),
    pytest.param(
        load_payload("vk", "wall_reply_edit"),
        event("wall_reply_edit", E, on_post(WALL, COMMUNITY, WALL_905), COMMUNITY,
              f"wall_comment{COMMUNITY}_907", ts(1737452000), direction=OUT,
              text="1 500 ₽, free delivery from two bags."),
        id="wall_reply_edit",
    ),
    pytest.param(
        load_payload("vk", "wall_reply_restore"),
        event("wall_reply_restore", M, on_post(WALL, OTHER_USER, WALL_905), OTHER_USER, WALL_906,
              ts(1737451800), text="It was 1 500 ₽ last week"),
        id="wall_reply_restore",
    ),
    pytest.param(
        load_payload("vk", "wall_reply_delete"),
        event("wall_reply_delete", D, on_post(WALL, OTHER_USER), OTHER_USER, WALL_906, EPOCH),
        id="wall_reply_delete",
    ),
    pytest.param(
        load_payload("vk", "photo_comment_new"),
        event("photo_comment_new", M, on_post(PHOTO, USER), USER, PHOTO_41, ts(1737452200),
              text="Is this the dark roast?"),
        id="photo_comment_new",
    ),
    pytest.param(
        load_payload("vk", "photo_comment_edit"),
        event("photo_comment_edit", E, on_post(PHOTO, USER), USER, PHOTO_41, ts(1737452200),
              text="Is this the dark roast? Price?"),
        id="photo_comment_edit",
    ),
    pytest.param(
        load_payload("vk", "photo_comment_restore"),
        event("photo_comment_restore", M, on_post(PHOTO, USER), USER, PHOTO_41, ts(1737452200),
              text="Is this the dark roast? Price?"),
        id="photo_comment_restore",
    ),
    pytest.param(
        load_payload("vk", "photo_comment_delete"),
        event("photo_comment_delete", D, on_post(PHOTO, USER), USER, PHOTO_41, EPOCH),
        id="photo_comment_delete",
    ),
    pytest.param(
        load_payload("vk", "video_comment_new"),
        event("video_comment_new", M, on_post(VIDEO, USER), USER, VIDEO_17, ts(1737452300),
              text="Which grinder is that?"),
        id="video_comment_new",
    ),
    pytest.param(
        load_payload("vk", "video_comment_edit"),
        event("video_comment_edit", E, on_post(VIDEO, COMMUNITY, VIDEO_17), COMMUNITY,
              f"video_comment{COMMUNITY}_18", ts(1737452500), direction=OUT,
              text="A Comandante C40."),
        id="video_comment_edit",
    ),
    pytest.param(
        load_payload("vk", "video_comment_restore"),
        event("video_comment_restore", M, on_post(VIDEO, USER), USER, VIDEO_17, ts(1737452300),
              text="Which grinder is that?"),
        id="video_comment_restore",
    ),
    pytest.param(
        load_payload("vk", "video_comment_delete"),
        event("video_comment_delete", D, on_post(VIDEO, ADMIN), ADMIN, VIDEO_17, EPOCH),
        id="video_comment_delete",
    ),
    pytest.param(
        load_payload("vk", "board_post_new"),
        event("board_post_new", M, on_post(TOPIC, USER), USER, BOARD_12, ts(1737452600),
              text="Do you ship to Kazakhstan?",
              attachments=(Attachment(
                  type="document", file_id=f"doc{USER}_672543299",
                  url="https://vk.com/doc512345678_672543299?hash=77b1&dl=1737452600",
                  size=212, name="address.txt", extra={"ext": "txt"}),)),
        id="board_post_new",
    ),
    pytest.param(
        load_payload("vk", "board_post_edit"),
        event("board_post_edit", E, on_post(TOPIC, USER), USER, BOARD_12, ts(1737452600),
              text="Do you ship to Kazakhstan or Belarus?"),
        id="board_post_edit",
    ),
    pytest.param(
        load_payload("vk", "board_post_restore"),
        event("board_post_restore", M, on_post(TOPIC, USER), USER, BOARD_12, ts(1737452600),
              text="Do you ship to Kazakhstan or Belarus?"),
        id="board_post_restore",
    ),
    pytest.param(
        # VK names no deleter here, so the topic owner (the community) stands in.
        load_payload("vk", "board_post_delete"),
        event("board_post_delete", D, on_post(TOPIC, COMMUNITY), COMMUNITY, BOARD_12, EPOCH,
              direction=OUT),
        id="board_post_delete",
    ),
    pytest.param(
        load_payload("vk", "market_comment_new"),
        event("market_comment_new", M, on_post(MARKET, USER), USER, MARKET_7, ts(1737452800),
              text="Is it in stock in Kazan?"),
        id="market_comment_new",
    ),
    pytest.param(
        load_payload("vk", "market_comment_edit"),
        event("market_comment_edit", E, on_post(MARKET, USER), USER, MARKET_7, ts(1737452800),
              text="Is it in stock in Kazan? Need 3."),
        id="market_comment_edit",
    ),
    pytest.param(
        load_payload("vk", "market_comment_restore"),
        event("market_comment_restore", M, on_post(MARKET, USER), USER, MARKET_7,
              ts(1737452800), text="Is it in stock in Kazan? Need 3."),
        id="market_comment_restore",
    ),
    pytest.param(
        load_payload("vk", "market_comment_delete"),
        event("market_comment_delete", D, on_post(MARKET, USER), USER, MARKET_7, EPOCH),
        id="market_comment_delete",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_comment_events(payload: dict[str, Any], expected: InboundEvent) -> None:
    events = normalise(payload, GROUP)

    assert events == [expected]
    assert events[0].raw == payload


def test_delete_takes_time_from_intake_stamp() -> None:
    payload = {**load_payload("vk", "wall_reply_delete"), "_received_at": 1737460000}

    [ev] = normalise(payload, GROUP)

    assert ev.platform_ts == ts(1737460000)


def test_wall_delete_with_user_id_instead_of_deleter_id() -> None:
    payload = load_payload("vk", "wall_reply_delete")
    payload["object"] = {"owner_id": COMMUNITY, "id": 906, "user_id": USER, "post_id": 318}

    [ev] = normalise(payload, GROUP)

    assert (ev.author.id, ev.external_id) == (str(USER), WALL_906)


def test_parent_falls_back_to_last_of_parents_stack() -> None:
    payload = load_payload("vk", "wall_reply_new__reply_to_comment")
    del payload["object"]["reply_to_comment"]
    payload["object"]["parents_stack"] = [900, 905]

    [ev] = normalise(payload, GROUP)

    assert ev.thread.parent_comment_id == WALL_905


def test_top_level_comment_from_community_is_outgoing() -> None:
    payload = load_payload("vk", "wall_reply_new")
    payload["object"]["from_id"] = COMMUNITY

    [ev] = normalise(payload, GROUP)

    assert ev.direction is Direction.OUT
    assert ev.thread.key == f"comment:{WALL}:{COMMUNITY}"


def test_market_comment_may_name_the_item_item_id() -> None:
    payload = load_payload("vk", "market_comment_new")
    payload["object"]["item_id"] = payload["object"].pop("photo_id")

    [ev] = normalise(payload, GROUP)

    assert ev.thread.peer_id == MARKET
