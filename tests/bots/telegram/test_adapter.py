"""TelegramAdapter wires the dispatch table to the ChannelAdapter port."""

from __future__ import annotations

import pytest

from bots.channel_names import Channel
from bots.telegram.adapter import TelegramAdapter
from bots.telegram.normalise import HANDLERS
from tests.support.payloads import all_payloads, load_payload

ADAPTER = TelegramAdapter()
# Valid Bot API shape, but anomalous for the inbox (see test_normalise_actions).
UNDATED = "callback_query__inaccessible_message"
NAMES = [name for platform, name in all_payloads() if platform == "telegram" and name != UNDATED]


def test_channel_and_event_types_come_from_the_dispatch_table() -> None:
    assert ADAPTER.channel is Channel.TELEGRAM
    assert ADAPTER.event_types == frozenset(HANDLERS)
    assert {"message", "edited_message", "callback_query", "my_chat_member"} <= set(HANDLERS)


def test_intake_key_is_the_update_id() -> None:
    assert ADAPTER.intake_key(load_payload("telegram", "message__dm_text")) == "804512001"


@pytest.mark.parametrize("name", NAMES)
def test_events_carry_the_account_and_the_update_name(name: str) -> None:
    payload = load_payload("telegram", name)
    for event in ADAPTER.normalise(payload, "bot-42"):
        assert event.channel is Channel.TELEGRAM
        assert event.account_external_id == "bot-42"
        assert event.event_type == name.split("__", 1)[0]
        assert event.raw == payload


def test_normalise_is_deterministic() -> None:
    payload = load_payload("telegram", "callback_query__button")
    assert ADAPTER.normalise(payload, "7000000001") == ADAPTER.normalise(payload, "7000000001")
