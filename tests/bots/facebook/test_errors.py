"""Malformed payloads raise AnomalousPayload; nothing else ever escapes a normaliser."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from inbox.events import AnomalousPayload, UnsupportedEvent
from tests.support.payloads import all_payloads, load_payload

PAGE = "102030405060708"
IG = "17841400000000001"
Edit = Callable[[dict[str, Any]], None]


def _messaging_item(payload: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = payload["entry"][0]["messaging"][0]
    return item


def _value(payload: dict[str, Any]) -> dict[str, Any]:
    value: dict[str, Any] = payload["entry"][0]["changes"][0]["value"]
    return value


def _set(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str, value: Any) -> Edit:
    return lambda payload: getter(payload).__setitem__(key, value)


def _drop(getter: Callable[[dict[str, Any]], dict[str, Any]], key: str) -> Edit:
    return lambda payload: getter(payload).pop(key)


def _message(payload: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = _messaging_item(payload)["message"]
    return message


FACEBOOK_CASES = [
    pytest.param("messages__text", _drop(_message, "mid"), id="mid-missing"),
    pytest.param("messages__text", _set(_message, "mid", 12.5), id="mid-float"),
    pytest.param("messages__text", _set(_messaging_item, "message", "hi"), id="message-text"),
    pytest.param("messages__text", _drop(_messaging_item, "sender"), id="sender-missing"),
    pytest.param("messages__text", _set(_messaging_item, "sender", {}), id="sender-no-id"),
    pytest.param("messages__text", _drop(_messaging_item, "timestamp"), id="ts-missing"),
    pytest.param("messages__text", _set(_messaging_item, "timestamp", "1"), id="ts-text"),
    pytest.param("messages__text", _set(_messaging_item, "timestamp", True), id="ts-bool"),
    pytest.param("messages__text", _set(_messaging_item, "timestamp", 10**30), id="ts-huge"),
    pytest.param("messages__text", _set(_message, "text", ["hi"]), id="text-list"),
    pytest.param("messages__text", _set(_message, "reply_to", "m_1"), id="reply-to-text"),
    pytest.param("messages__image", _set(_message, "attachments", {}), id="attachments-obj"),
    pytest.param("messages__image", _set(_message, "attachments", [{}]), id="attachment-type"),
    pytest.param("message_echoes", _drop(_messaging_item, "recipient"), id="echo-no-recipient"),
    pytest.param("messaging_postbacks", _set(_messaging_item, "postback", []), id="postback"),
    pytest.param("messaging_postbacks", _drop(_messaging_item, "sender"), id="pb-no-sender"),
    pytest.param(
        "messages__text", lambda p: p["entry"][0]["messaging"][0].clear(), id="item-empty"
    ),
    pytest.param("messages__text", lambda p: p["entry"][0].pop("messaging"), id="entry-empty"),
    pytest.param("messages__text", _set(lambda p: p["entry"][0], "messaging", {}), id="msg-obj"),
    pytest.param("feed__comment_add", lambda p: p["entry"][0]["changes"][0].pop("field")),
    pytest.param("feed__comment_add", lambda p: p["entry"][0]["changes"][0].pop("value")),
    pytest.param("feed__comment_add", _drop(_value, "comment_id"), id="comment-id"),
    pytest.param("feed__comment_add", _drop(_value, "post_id"), id="post-id"),
    pytest.param("feed__comment_add", _drop(_value, "from"), id="from"),
    pytest.param("feed__comment_add", _set(_value, "from", {"name": "x"}), id="from-id"),
    pytest.param("feed__comment_add", _drop(_value, "created_time"), id="created-time"),
    pytest.param("feed__comment_add", _set(_value, "verb", ["add"]), id="verb-list"),
    pytest.param("feed__comment_add", _set(_value, "post", "p"), id="post-text"),
]
INSTAGRAM_CASES = [
    pytest.param("comments", _drop(_value, "id"), id="id"),
    pytest.param("comments", _drop(_value, "media"), id="media"),
    pytest.param("comments", _set(_value, "media", {"media_product_type": "FEED"}), id="media-id"),
    pytest.param("comments", _drop(_value, "from"), id="from"),
    pytest.param("comments", lambda p: p["entry"][0].pop("time"), id="entry-time"),
    pytest.param("messages__text", _drop(_message, "mid"), id="dm-mid"),
]


@pytest.mark.parametrize(("name", "edit"), FACEBOOK_CASES)
def test_facebook_missing_fields_are_anomalous(name: str, edit: Edit) -> None:
    payload = load_payload("facebook", name)
    edit(payload)
    with pytest.raises(AnomalousPayload):
        FacebookAdapter().normalise(payload, PAGE)


@pytest.mark.parametrize(("name", "edit"), INSTAGRAM_CASES)
def test_instagram_missing_fields_are_anomalous(name: str, edit: Edit) -> None:
    payload = load_payload("instagram", name)
    edit(payload)
    with pytest.raises(AnomalousPayload):
        InstagramAdapter().normalise(payload, IG)


def test_a_non_object_payload_is_anomalous() -> None:
    with pytest.raises(AnomalousPayload):
        FacebookAdapter().normalise([], PAGE)  # type: ignore[arg-type]


_ODD_VALUES: list[Any] = [None, True, 0, -1, 10**40, 1.5, "", "x", [], [1], {}, {"id": []}]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key and index path inside a JSON value."""
    if not isinstance(node, dict | list):
        return
    children: Any = node.items() if isinstance(node, dict) else enumerate(node)
    for key, child in children:
        yield (*path, key)
        yield from _paths(child, (*path, key))


def _mutants(payload: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path in _paths(payload):
        for value in [*_ODD_VALUES, ...]:
            mutant = copy.deepcopy(payload)
            parent = mutant
            for key in path[:-1]:
                parent = parent[key]
            if value is ...:
                del parent[path[-1]]
            else:
                parent[path[-1]] = value
            yield mutant


@pytest.mark.parametrize(
    ("platform", "name"),
    [(plat, name) for plat, name in all_payloads() if plat in ("facebook", "instagram")],
)
def test_no_mutation_escapes_as_anything_but_the_two_errors(platform: str, name: str) -> None:
    """Delete or retype every field of every fixture: only our two exceptions may escape."""
    adapter = FacebookAdapter() if platform == "facebook" else InstagramAdapter()
    for mutant in _mutants(load_payload(platform, name)):
        try:
            adapter.normalise(mutant, PAGE)
            adapter.intake_key(mutant)
        except (AnomalousPayload, UnsupportedEvent):
            pass
