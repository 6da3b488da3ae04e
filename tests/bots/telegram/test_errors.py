"""Odd input raises only UnsupportedEvent or AnomalousPayload, never anything else."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bots.telegram.adapter import TelegramAdapter
from inbox.events import AnomalousPayload, InboundEvent, UnsupportedEvent
from tests.bots.telegram.expected import BOT_ID
from tests.support.payloads import all_payloads, load_payload

ADAPTER = TelegramAdapter()
TELEGRAM_FIXTURES = [name for platform, name in all_payloads() if platform == "telegram"]
JUNK: tuple[Any, ...] = (None, "x", "", 1.5, -1, True, [], {}, 10**30, [{"a": 1}])


@pytest.mark.parametrize(
    ("event_type", "body"),
    [
        ("message_reaction", {"chat": {"id": 1, "type": "private"}, "message_id": 1}),
        ("business_message", {"message_id": 1, "date": 1737450000}),
        ("guest_message", {"anything": "goes"}),  # known to aiogram, but with no handler here
        ("some_future_update", {}),
    ],
)
def test_update_type_without_a_handler_is_unsupported(event_type: str, body: Any) -> None:
    with pytest.raises(UnsupportedEvent) as raised:
        ADAPTER.normalise({"update_id": 804512091, event_type: body}, BOT_ID)
    assert raised.value.event_type == event_type


DELETE = object()


def _broken(fixture: str, path: tuple[str, ...], value: Any = DELETE) -> Callable[[], Any]:
    """A fixture with the field at ``path`` removed or replaced."""

    def build() -> Any:
        payload = load_payload("telegram", fixture)
        *parents, last = path
        node = payload
        for key in parents:
            node = node[key]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
        return payload

    return build


DM = "message__dm_text"
BROKEN: dict[str, Callable[[], Any]] = {
    "missing_chat": _broken(DM, ("message", "chat")),
    "missing_chat_id": _broken(DM, ("message", "chat", "id")),
    "missing_message_id": _broken(DM, ("message", "message_id")),
    "message_id_text": _broken(DM, ("message", "message_id"), "forty-four"),
    "message_id_fraction": _broken(DM, ("message", "message_id"), 4410.5),
    "message_id_list": _broken(DM, ("message", "message_id"), [4410]),
    "missing_update_id": _broken(DM, ("update_id",)),
    "update_id_text": _broken(DM, ("update_id",), "804512001"),
    "update_id_bool": _broken(DM, ("update_id",), True),
    "message_is_list": _broken(DM, ("message",), [1, 2]),
    "message_is_text": _broken(DM, ("message",), "hello"),
    "message_is_null": _broken(DM, ("message",), None),
    "chat_is_text": _broken(DM, ("message", "chat"), "5123456789"),
    "from_is_number": _broken(DM, ("message", "from"), 5123456789),
    "dm_without_from": _broken(DM, ("message", "from")),
    "date_not_a_time": _broken(DM, ("message", "date"), "yesterday"),
    "date_out_of_range": _broken(DM, ("message", "date"), 10**30),
    "text_is_object": _broken(DM, ("message", "text"), {"t": 1}),
    "photo_size_is_text": _broken("message__dm_photo", ("message", "photo"), ["AgACAgIA"]),
    "edit_without_edit_date": _broken("edited_message__dm", ("edited_message", "edit_date")),
    "comment_without_from": _broken("message__discussion_comment", ("message", "from")),
    "callback_without_from": _broken("callback_query__button", ("callback_query", "from")),
    "callback_id_is_object": _broken("callback_query__button", ("callback_query", "id"), {}),
    "member_without_chat": _broken("my_chat_member__blocked", ("my_chat_member", "chat")),
    "member_status_unknown": _broken(
        "my_chat_member__blocked", ("my_chat_member", "new_chat_member", "status"), "exiled"
    ),
    "no_event_field": lambda: {"update_id": 804512001},
    "two_event_fields": lambda: {
        **load_payload("telegram", DM),
        "edited_message": load_payload("telegram", "edited_message__dm")["edited_message"],
    },
    "payload_is_list": lambda: [load_payload("telegram", DM)],
    "payload_is_text": lambda: "{}",
    "payload_is_none": lambda: None,
}


@pytest.mark.parametrize("build", BROKEN.values(), ids=BROKEN.keys())
def test_broken_payload_is_anomalous(build: Callable[[], Any]) -> None:
    with pytest.raises(AnomalousPayload):
        ADAPTER.normalise(build(), BOT_ID)


def _mutants(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every field of the payload, in turn removed or replaced by junk of another shape."""

    def paths(node: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        children = node.items() if isinstance(node, dict) else enumerate(node)
        for key, value in children:
            yield (*path, key)
            if isinstance(value, dict | list):
                yield from paths(value, (*path, key))

    for path in paths(payload, ()):
        for replacement in (*JUNK, "<delete>"):
            mutant = copy.deepcopy(payload)
            parent = mutant
            for key in path[:-1]:
                parent = parent[key]
            if replacement == "<delete>":
                del parent[path[-1]]
            else:
                parent[path[-1]] = replacement
            yield mutant


@pytest.mark.parametrize("name", TELEGRAM_FIXTURES)
def test_no_mutation_escapes_the_two_exceptions(name: str) -> None:
    for mutant in _mutants(load_payload("telegram", name)):
        try:
            events = ADAPTER.normalise(mutant, BOT_ID)
        except (AnomalousPayload, UnsupportedEvent):
            continue
        assert isinstance(events, list)
        assert all(isinstance(e, InboundEvent) for e in events)
        assert all(e.platform_ts.tzinfo is not None for e in events)


@pytest.mark.parametrize("payload", [None, [], "x", 5, {}, {"update_id": None}, {"update_id": 1.0}])
def test_intake_key_rejects_what_has_no_integer_update_id(payload: Any) -> None:
    with pytest.raises(AnomalousPayload):
        ADAPTER.intake_key(payload)
