"""Odd input may only ever raise ``UnsupportedEvent`` or ``AnomalousPayload``."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bots.vk import VkAdapter, normalise
from bots.vk.normalise import HANDLERS
from inbox.events import AnomalousPayload, UnsupportedEvent
from tests.bots.vk._expect import GROUP
from tests.support.payloads import all_payloads, load_payload


def test_confirmation_is_left_to_the_http_layer() -> None:
    with pytest.raises(UnsupportedEvent) as caught:
        normalise(load_payload("vk", "confirmation"), GROUP)

    assert caught.value.event_type == "confirmation"
    assert "confirmation" not in HANDLERS


@pytest.mark.parametrize(
    "event_type", ["group_join", "message_typing_state", "wall_post_new", "like_add", "new_type"]
)
def test_unknown_type_is_unsupported(event_type: str) -> None:
    payload = {**load_payload("vk", "message_new"), "type": event_type}

    with pytest.raises(UnsupportedEvent) as caught:
        normalise(payload, GROUP)

    assert caught.value.event_type == event_type


def _edit(path: tuple[Any, ...], value: Any) -> Callable[[dict[str, Any]], None]:
    """Set (or, with ``...``, delete) the value at ``path`` inside a payload."""

    def apply(payload: dict[str, Any]) -> None:
        target: Any = payload
        for step in path[:-1]:
            target = target[step]
        if value is ...:
            del target[path[-1]]
        else:
            target[path[-1]] = value

    return apply


MSG = ("object", "message")
BROKEN: list[tuple[str, tuple[Any, ...], Any]] = [
    ("message_new", ("type",), ...),
    ("message_new", ("type",), 7),
    ("message_new", ("event_id",), ...),
    ("message_new", ("event_id",), ""),
    ("message_new", ("event_id",), 42),
    ("message_new", ("object",), ...),
    ("message_new", ("object",), []),
    ("message_new", (*MSG,), ...),
    ("message_new", (*MSG,), "hello"),
    ("message_new", (*MSG, "peer_id"), ...),
    ("message_new", (*MSG, "peer_id"), "512345678"),
    ("message_new", (*MSG, "peer_id"), True),
    ("message_new", (*MSG, "conversation_message_id"), ...),
    ("message_new", (*MSG, "from_id"), 1.5),
    ("message_new", (*MSG, "date"), ...),
    ("message_new", (*MSG, "date"), 10**20),
    ("message_new", (*MSG, "text"), 12),
    ("message_new", (*MSG, "attachments"), {}),
    ("message_new", (*MSG, "attachments"), ["photo"]),
    ("message_new", (*MSG, "attachments"), [{"photo": {}}]),
    ("message_new", (*MSG, "attachments"), [{"type": "photo"}]),
    ("message_new", (*MSG, "attachments"), [{"type": "photo", "photo": {"id": 1}}]),
    ("message_new", (*MSG, "geo"), {"type": "point"}),
    ("message_new", (*MSG, "geo"), {"coordinates": {"latitude": "55.7"}}),
    ("message_new__reply", (*MSG, "reply_message", "conversation_message_id"), ...),
    ("message_new", ("_received_at",), "yesterday"),
    ("message_new", ("_received_at",), float("inf")),
    ("message_edit", ("object", "out"), ...),
    ("message_allow", ("object", "user_id"), ...),
    ("message_deny", ("object", "user_id"), "512345678"),
    ("wall_reply_new", ("object", "from_id"), ...),
    ("wall_reply_new", ("object", "post_id"), ...),
    ("wall_reply_new", ("object", "id"), None),
    ("wall_reply_new", ("object", "parents_stack"), ["905"]),
    ("wall_reply_delete", ("object", "owner_id"), ...),
    ("photo_comment_new", ("object", "photo_id"), ...),
    ("board_post_delete", ("object", "topic_id"), ...),
    ("market_comment_new", ("object", "photo_id"), ...),
]


@pytest.mark.parametrize(("name", "path", "value"), BROKEN)
def test_broken_payload_is_anomalous(name: str, path: tuple[Any, ...], value: Any) -> None:
    payload = load_payload("vk", name)
    _edit(path, value)(payload)

    with pytest.raises(AnomalousPayload):
        normalise(payload, GROUP)


@pytest.mark.parametrize("payload", [None, [], "message_new", 5])
def test_non_object_payload_is_anomalous(payload: Any) -> None:
    with pytest.raises(AnomalousPayload):
        normalise(payload, GROUP)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in items:
        yield (*prefix, key)
        if isinstance(child, dict | list):
            yield from _paths(child, (*prefix, key))


JUNK: list[Any] = [..., None, True, -1, 10**30, 1.5, "x", [], {}, [None], [{}]]


@pytest.mark.parametrize("name", [name for platform, name in all_payloads() if platform == "vk"])
def test_any_mangled_field_raises_only_our_errors(name: str) -> None:
    """Every field of every fixture, swapped for junk or removed: a result or our errors."""
    original = load_payload("vk", name)
    for path in _paths(original):
        for junk in JUNK:
            payload = copy.deepcopy(original)
            _edit(path, junk)(payload)
            with contextlib.suppress(AnomalousPayload, UnsupportedEvent):
                VkAdapter().normalise(payload, GROUP)
