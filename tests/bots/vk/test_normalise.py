"""Message-family fixtures -> exact events (``raw`` is checked separately: it has compare=False)."""

from __future__ import annotations

from typing import Any

import pytest

from bots.vk import normalise
from inbox.events import Attachment, Direction, EventKind, InboundEvent, SubscriptionSignal
from tests.bots.vk._expect import ADMIN, COMMUNITY, EPOCH, GROUP, OTHER_USER, USER, dm, event, ts
from tests.support.payloads import load_payload

M = EventKind.MESSAGE

CASES = [
    pytest.param(
        load_payload("vk", "message_new"),
        event(
            "message_new", M, dm(USER), USER, f"msg:{USER}:37", ts(1737451000),
            text="Good afternoon, do you deliver to Kazan?",
        ),
        id="message_new",
    ),
    pytest.param(
        load_payload("vk", "message_new__photo"),
        event(
            "message_new", M, dm(USER), USER, f"msg:{USER}:41", ts(1737452100),
            text="Here is the damaged bag",
            attachments=(
                Attachment(
                    type="photo",
                    file_id=f"photo{USER}_457239017",
                    url="https://sun9-41.userapi.com/impg/c1/w.jpg?size=1600x1200&quality=95&type=album",
                    extra={"access_key": "5e1c7f0a2b9d3e4f11"},
                ),
            ),
        ),
        id="message_new__photo",
    ),
    pytest.param(
        load_payload("vk", "message_new__cyrillic_hangul_emoji"),
        event(
            "message_new", M, dm(USER), USER, f"msg:{USER}:42", ts(1737452400),
            text=(
                "Здравствуйте! 안녕하세요 \U0001f44b Доставка в Сеул есть? "
                "\U0001f469\u200d\U0001f4bb"  # woman technologist: a ZWJ sequence
                "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # family: two ZWJs
                " \U0001f1f0\U0001f1f7"  # flag: a regional-indicator pair
            ),
        ),
        id="message_new__cyrillic_hangul_emoji",
    ),
    pytest.param(
        load_payload("vk", "message_new__reply"),
        event(
            "message_new", M, dm(USER), USER, f"msg:{USER}:39", ts(1737451900),
            text="Then I will take two bags", reply_to_external_id=f"msg:{USER}:38",
        ),
        id="message_new__reply",
    ),
    pytest.param(
        load_payload("vk", "message_new__chat"),
        event(
            "message_new", M, dm(2000000003), OTHER_USER, "msg:2000000003:512", ts(1737452700),
            text="@club229876543 is the shop open on Sunday?",
        ),
        id="message_new__chat",
    ),
    pytest.param(
        load_payload("vk", "message_reply"),
        event(
            "message_reply", M, dm(USER), ADMIN, f"msg:{USER}:38", ts(1737451600),
            direction=Direction.OUT, text="Yes, we deliver to Kazan within 2 days.",
        ),
        id="message_reply",
    ),
    pytest.param(
        load_payload("vk", "message_edit"),
        event(
            "message_edit", EventKind.EDIT, dm(USER), USER, f"msg:{USER}:37", ts(1737451000),
            text="Good afternoon, do you deliver to Kazan and Innopolis?",
        ),
        id="message_edit",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_message_events(payload: dict[str, Any], expected: InboundEvent) -> None:
    events = normalise(payload, GROUP)

    assert events == [expected]
    assert events[0].raw == payload


def test_message_with_every_attachment_kind() -> None:
    [ev] = normalise(load_payload("vk", "message_new__attachments"), GROUP)

    assert ev.text == "Everything about my order"
    assert ev.attachments == (
        Attachment(
            type="document",
            file_id=f"doc{USER}_672543210",
            url="https://vk.com/doc512345678_672543210?hash=3f9a&dl=GI2TIMZUGU3DOOA:1737453000&api=1&no_preview=1",
            size=48213,
            name="invoice_2025_01.pdf",
            extra={"ext": "pdf"},
        ),
        Attachment(
            type="voice",
            url="https://psv4.userapi.com/s/v1/amsg/voice.ogg",
            mime_type="audio/ogg",
            extra={
                "duration": 7,
                "link_mp3": "https://psv4.userapi.com/s/v1/amsg/voice.mp3",
                "transcript": "здравствуйте где мой заказ",
            },
        ),
        Attachment(
            type="sticker",
            file_id="9012",
            url="https://vk.com/sticker/1-9012-512",
            extra={"product_id": 279},
        ),
        Attachment(
            type="video", file_id=f"video{USER}_456239017", name="Unboxing", extra={"duration": 42}
        ),
        Attachment(
            type="link",
            url="https://example.com/order/8841",
            name="Order #8841",
            extra={"caption": "example.com", "description": "Status: shipped"},
        ),
        Attachment(
            type="wall",
            file_id=f"wall{COMMUNITY}_318",
            url=f"https://vk.com/wall{COMMUNITY}_318",
            extra={"text": "New arrivals: 1 kg bags are back in stock!"},
        ),
        Attachment(
            type="market",
            file_id=f"market{COMMUNITY}_8765432",
            name="Coffee beans, 1 kg bag",
            extra={"price": "1 500 ₽"},
        ),
        Attachment(type="poll", file_id=f"poll{USER}_801234"),
        Attachment(
            type="location",
            name="Kazan, Bauman St 58",
            extra={"latitude": 55.796127, "longitude": 49.106405},
        ),
    )


def test_photo_url_falls_back_to_size_letter_when_dimensions_are_zero() -> None:
    payload = load_payload("vk", "message_new__photo")
    photo = payload["object"]["message"]["attachments"][0]["photo"]
    photo.pop("orig_photo")
    photo["sizes"] = [
        {"type": "x", "width": 0, "height": 0, "url": "https://example.com/x.jpg"},
        {"type": "z", "width": 0, "height": 0, "url": "https://example.com/z.jpg"},
        {"type": "m", "width": 0, "height": 0, "url": "https://example.com/m.jpg"},
    ]

    [ev] = normalise(payload, GROUP)

    assert ev.attachments[0].url == "https://example.com/z.jpg"


def test_community_edit_is_outgoing() -> None:
    payload = load_payload("vk", "message_edit")
    payload["object"] |= {"out": 1, "from_id": COMMUNITY}

    [ev] = normalise(payload, GROUP)

    assert (ev.kind, ev.direction, ev.author.id) == (EventKind.EDIT, Direction.OUT, str(COMMUNITY))


def test_reply_without_admin_is_authored_by_the_community() -> None:
    payload = load_payload("vk", "message_reply")
    del payload["object"]["admin_author_id"]

    [ev] = normalise(payload, GROUP)

    assert (ev.author.id, ev.direction) == (str(COMMUNITY), Direction.OUT)


def test_button_payload_is_kept() -> None:
    payload = load_payload("vk", "message_new")
    payload["object"]["message"]["payload"] = '{"command":"start"}'

    [ev] = normalise(payload, GROUP)

    assert ev.payload == '{"command":"start"}'


def test_message_allow_takes_time_from_intake_stamp() -> None:
    payload = {**load_payload("vk", "message_allow"), "_received_at": 1737460000}

    [ev] = normalise(payload, GROUP)

    assert ev == event(
        "message_allow", EventKind.OPT_IN, dm(USER), USER,
        f"message_allow:{payload['event_id']}", ts(1737460000),
        payload="spring_promo_widget",  # the subscribe widget's key: the opt-in's source
        subscription=SubscriptionSignal(True, "vk_message_allow", "spring_promo_widget"),
    )  # fmt: skip
    assert ev.platform_ts.tzinfo is not None


def test_message_deny_without_intake_stamp_falls_back_to_epoch() -> None:
    payload = load_payload("vk", "message_deny")

    [ev] = normalise(payload, GROUP)

    assert ev == event(
        "message_deny", EventKind.OPT_OUT, dm(USER), USER,
        "message_deny:1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d", EPOCH,
        subscription=SubscriptionSignal(False, "vk_message_deny"),
    )  # fmt: skip
