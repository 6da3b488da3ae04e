"""Adapter contract: dispatch keys, fixture coverage, batches, and the only two exceptions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.normalise_instagram import classify_instagram
from bots.facebook.normalise_messaging import classify_messenger
from inbox.channels import ChannelAdapter
from inbox.events import EventKind, UnsupportedEvent
from tests.support.payloads import all_payloads, event_name, load_payload

PAGE = "102030405060708"
IG = "17841400000000001"
ADAPTERS: dict[str, tuple[FacebookAdapter | InstagramAdapter, str]] = {
    "facebook": (FacebookAdapter(), PAGE),
    "instagram": (InstagramAdapter(), IG),
}


def test_adapters_satisfy_the_port() -> None:
    ports: list[ChannelAdapter] = [FacebookAdapter(), InstagramAdapter()]
    assert [port.channel for port in ports] == [Channel.FACEBOOK, Channel.INSTAGRAM]


def test_dispatch_keys_are_metas_field_names() -> None:
    assert FacebookAdapter().event_types == {
        "messages",
        "message_echoes",
        "messaging_postbacks",
        "message_reads",
        "message_deliveries",
        "feed",
    }
    assert InstagramAdapter().event_types == {
        "messages",
        "message_echoes",
        "messaging_postbacks",
        "messaging_seen",
        "comments",
    }


@pytest.mark.parametrize("platform", sorted(ADAPTERS))
def test_every_dispatch_key_has_a_fixture_and_every_fixture_a_key(platform: str) -> None:
    adapter, _ = ADAPTERS[platform]
    shown = {event_name(name) for plat, name in all_payloads() if plat == platform}
    assert shown == adapter.event_types


def _fixtures() -> Iterator[Any]:
    for platform, name in all_payloads():
        if platform in ADAPTERS:
            yield pytest.param(platform, name, id=f"{platform}/{name}")


@pytest.mark.parametrize(("platform", "name"), list(_fixtures()))
def test_event_type_is_the_fixture_key_and_raw_replays(platform: str, name: str) -> None:
    adapter, account = ADAPTERS[platform]
    events = adapter.normalise(load_payload(platform, name), account)

    if events and name != "messages__batch":
        assert {e.event_type for e in events} == {event_name(name)}
    for event in events:
        assert adapter.normalise(event.raw, account) == [event]


def _reaction_entry() -> dict[str, Any]:
    return {
        "id": PAGE,
        "time": 1737452900000,
        "messaging": [
            {
                "sender": {"id": "7012345678901234"},
                "recipient": {"id": PAGE},
                "timestamp": 1737452899000,
                "reaction": {"mid": "m_x", "action": "react", "reaction": "love"},
            }
        ],
    }


def test_one_unsupported_item_does_not_hide_the_others() -> None:
    payload = load_payload("facebook", "messages__batch")
    payload["entry"].insert(0, _reaction_entry())
    feed = load_payload("facebook", "feed__comment_add")["entry"][0]
    feed["changes"].insert(0, {"field": "ratings", "value": {"review_text": "5 stars"}})
    payload["entry"].append(feed)

    events = FacebookAdapter().normalise(payload, PAGE)

    assert [(e.event_type, e.kind) for e in events] == [
        ("messages", EventKind.MESSAGE),
        ("messaging_postbacks", EventKind.POSTBACK),
        ("feed", EventKind.MESSAGE),
    ]


def test_a_supported_no_op_next_to_an_unsupported_item_is_not_an_error() -> None:
    payload = load_payload("facebook", "message_reads")
    payload["entry"].append(_reaction_entry())

    assert FacebookAdapter().normalise(payload, PAGE) == []


def _messaging(content: dict[str, Any]) -> dict[str, Any]:
    item = {"sender": {"id": "1"}, "recipient": {"id": PAGE}, "timestamp": 1, **content}
    return {"object": "page", "entry": [{"id": PAGE, "time": 1, "messaging": [item]}]}


def _change(object_name: str, field: str) -> dict[str, Any]:
    change = {"field": field, "value": {"id": "1"}}
    return {"object": object_name, "entry": [{"id": PAGE, "time": 1, "changes": [change]}]}


@pytest.mark.parametrize(
    ("adapter", "payload", "name"),
    [
        pytest.param(
            FacebookAdapter(), _messaging({"reaction": {"mid": "m"}}), "message_reactions", id="r"
        ),
        pytest.param(FacebookAdapter(), _messaging({"optin": {}}), "messaging_optins", id="optin"),
        pytest.param(FacebookAdapter(), _messaging({"brand_new": {}}), "brand_new", id="unknown"),
        pytest.param(FacebookAdapter(), _change("page", "ratings"), "ratings", id="ratings"),
        pytest.param(InstagramAdapter(), _change("instagram", "mentions"), "mentions", id="ment"),
        pytest.param(InstagramAdapter(), _change("instagram", "feed"), "feed", id="ig-feed"),
        pytest.param(
            FacebookAdapter(),
            {"object": "page", "entry": [{"id": PAGE, "time": 1, "standby": [{}]}]},
            "standby",
            id="standby",
        ),
        pytest.param(FacebookAdapter(), load_payload("instagram", "comments"), "instagram", id="o"),
        pytest.param(InstagramAdapter(), load_payload("facebook", "feed__comment_add"), "page"),
    ],
)
def test_nothing_supported_raises_unsupported_with_the_name(
    adapter: FacebookAdapter | InstagramAdapter, payload: dict[str, Any], name: str
) -> None:
    with pytest.raises(UnsupportedEvent) as caught:
        adapter.normalise(payload, PAGE)
    assert caught.value.event_type == name


def test_a_read_receipt_has_each_platforms_own_name() -> None:
    item = _messaging({"read": {"mid": "m"}})["entry"][0]["messaging"][0]

    assert classify_messenger(item, "item") == "message_reads"
    assert classify_instagram(item, "item") == "messaging_seen"
