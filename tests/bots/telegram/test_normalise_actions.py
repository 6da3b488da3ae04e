"""Button presses, blocking and unblocking, and the updates deliberately ignored."""

from __future__ import annotations

from typing import Any

import pytest

from bots.telegram.adapter import TelegramAdapter
from inbox.events import AnomalousPayload, EventKind, InboundEvent, SubscriptionSignal
from tests.bots.telegram.expected import BOT_ID, event, jan21
from tests.support.payloads import load_payload

ADAPTER = TelegramAdapter()

CASES = [
    pytest.param(
        load_payload("telegram", "callback_query__button"),
        event(
            kind=EventKind.POSTBACK,
            event_type="callback_query",
            external_id="callback:2200000000000000001",
            platform_ts=jan21(9, 15),  # the date of the message holding the button
            text="order_status:A-1043",
            payload="order_status:A-1043",
            reply_to_external_id="5123456789:4425",
        ),
        id="button_press",
    ),
    pytest.param(
        load_payload("telegram", "my_chat_member__blocked"),
        event(
            kind=EventKind.OPT_OUT,
            event_type="my_chat_member",
            external_id="my_chat_member:5123456789:1737460000",
            platform_ts=jan21(11, 46, 40),
            subscription=SubscriptionSignal(False, "telegram_blocked"),
        ),
        id="blocked_bot",
    ),
    pytest.param(
        load_payload("telegram", "my_chat_member__unblocked"),
        event(
            kind=EventKind.OPT_IN,
            event_type="my_chat_member",
            external_id="my_chat_member:5123456789:1737470000",
            platform_ts=jan21(14, 33, 20),
            subscription=SubscriptionSignal(True, "telegram_unblocked"),
        ),
        id="unblocked_bot",
    ),
]


@pytest.mark.parametrize(("payload", "expected"), CASES)
def test_normalises_to_exactly(payload: dict[str, Any], expected: InboundEvent) -> None:
    events = ADAPTER.normalise(payload, BOT_ID)

    assert events == [expected]
    assert events[0].raw == payload


def test_button_without_data_has_empty_text() -> None:
    payload = load_payload("telegram", "callback_query__button")
    del payload["callback_query"]["data"]

    [press] = ADAPTER.normalise(payload, BOT_ID)

    assert (press.text, press.payload) == ("", None)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(
            load_payload("telegram", "callback_query__inaccessible_message"), id="message_gone"
        ),
        pytest.param(
            {
                "update_id": 804512090,
                "callback_query": {
                    "id": "2200000000000000003",
                    "from": {"id": 5123456789, "is_bot": False, "first_name": "Alina"},
                    "inline_message_id": "AgAAAJ0xAQB0d1Q3",
                    "chat_instance": "-8123456789012345678",
                    "data": "handoff",
                },
            },
            id="inline_mode_no_message",
        ),
    ],
)
def test_button_press_without_a_dated_message_is_anomalous(payload: dict[str, Any]) -> None:
    # Pure normalisation has no clock; the message's date is the only time a press has.
    with pytest.raises(AnomalousPayload):
        ADAPTER.normalise(payload, BOT_ID)


def test_only_leaving_the_kicked_state_is_an_opt_in() -> None:
    payload = load_payload("telegram", "my_chat_member__unblocked")
    payload["my_chat_member"]["old_chat_member"] = {
        "status": "left",
        "user": payload["my_chat_member"]["new_chat_member"]["user"],
    }
    assert ADAPTER.normalise(payload, BOT_ID) == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(load_payload("telegram", "channel_post__text"), id="channel_post"),
        pytest.param(
            load_payload("telegram", "edited_channel_post__text"), id="edited_channel_post"
        ),
        pytest.param(load_payload("telegram", "message__dm_pinned_message"), id="pin_in_dm"),
        pytest.param(
            load_payload("telegram", "edited_message__live_location"), id="live_location_move"
        ),
        pytest.param(
            load_payload("telegram", "my_chat_member__added_to_group"), id="bot_added_to_group"
        ),
    ],
)
def test_known_but_irrelevant_updates_yield_nothing(payload: dict[str, Any]) -> None:
    assert ADAPTER.normalise(payload, BOT_ID) == []
