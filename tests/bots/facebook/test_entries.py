"""Batch splitting for routing, and the intake key of a queued single-entry payload."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from bots.facebook.adapter import FacebookAdapter, InstagramAdapter
from bots.facebook.entries import split_entries, wrap_entry
from inbox.events import AnomalousPayload, UnsupportedEvent
from tests.support.payloads import load_payload

PAGE = "102030405060708"


def spec_key(payload: dict[str, Any]) -> str:
    """The intake key exactly as specified, computed independently of the code under test."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_split_entries_keeps_order_and_ids() -> None:
    payload = load_payload("facebook", "messages__batch")

    assert split_entries(payload) == [
        (PAGE, payload["entry"][0]),
        (PAGE, payload["entry"][1]),
    ]


def test_split_entries_of_a_multi_account_batch() -> None:
    payload = load_payload("instagram", "comments")
    other = {**payload["entry"][0], "id": "17841499999999999"}
    payload["entry"].append(other)

    assert [entry_id for entry_id, _ in split_entries(payload)] == [
        "17841400000000001",
        "17841499999999999",
    ]


def test_split_entries_of_an_empty_batch() -> None:
    assert split_entries({"object": "page", "entry": []}) == []


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param([], id="not-an-object"),
        pytest.param({"entry": []}, id="object-missing"),
        pytest.param({"object": 1, "entry": []}, id="object-not-text"),
        pytest.param({"object": "", "entry": []}, id="object-empty"),
        pytest.param({"object": "page"}, id="entry-missing"),
        pytest.param({"object": "page", "entry": {}}, id="entry-not-list"),
        pytest.param({"object": "page", "entry": ["x"]}, id="entry-item-not-object"),
        pytest.param({"object": "page", "entry": [{"time": 1}]}, id="entry-id-missing"),
        pytest.param({"object": "page", "entry": [{"id": ["1"]}]}, id="entry-id-ill-typed"),
    ],
)
def test_split_entries_rejects_malformed_envelopes(payload: Any) -> None:
    with pytest.raises(AnomalousPayload):
        split_entries(payload)


def test_each_routed_entry_normalises_to_its_own_events() -> None:
    payload = load_payload("facebook", "messages__batch")
    adapter = FacebookAdapter()

    per_entry = [
        adapter.normalise(wrap_entry(payload["object"], entry), entry_id)
        for entry_id, entry in split_entries(payload)
    ]

    assert [e for events in per_entry for e in events] == adapter.normalise(payload, PAGE)
    assert [len(events) for events in per_entry] == [1, 1]


def test_intake_key_is_sha256_of_the_canonical_wrapped_entry() -> None:
    payload = load_payload("facebook", "messages__cyrillic_hangul_emoji")

    key = FacebookAdapter().intake_key(payload)

    assert key == spec_key(payload)
    assert len(key) == 64


def test_intake_key_ignores_key_order() -> None:
    payload = load_payload("instagram", "comments")
    sorted_inside = json.loads(json.dumps(payload, sort_keys=True))
    reordered = {"entry": sorted_inside["entry"], "object": sorted_inside["object"]}

    assert InstagramAdapter().intake_key(reordered) == InstagramAdapter().intake_key(payload)


def test_intake_key_survives_an_escaped_lone_surrogate() -> None:
    payload = json.loads('{"object":"page","entry":[{"id":"1","time":1,"x":"\\ud83d"}]}')

    assert len(FacebookAdapter().intake_key(payload)) == 64


def test_intake_key_ignores_extra_top_level_keys() -> None:
    payload = load_payload("facebook", "feed__comment_add")

    assert FacebookAdapter().intake_key({**payload, "note": 1}) == spec_key(payload)


def test_intake_keys_differ_per_entry() -> None:
    payload = load_payload("facebook", "messages__batch")
    keys = {
        FacebookAdapter().intake_key(wrap_entry("page", entry))
        for _, entry in split_entries(payload)
    }
    assert len(keys) == 2


def test_intake_key_of_the_other_object_is_unsupported() -> None:
    with pytest.raises(UnsupportedEvent) as caught:
        FacebookAdapter().intake_key(load_payload("instagram", "messages__text"))
    assert caught.value.event_type == "instagram"


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param({"object": "page"}, id="entry-missing"),
        pytest.param({"object": "page", "entry": [{"id": "1", "x": {1, 2}}]}, id="not-json"),
    ],
)
def test_intake_key_of_a_malformed_payload_is_anomalous(payload: Any) -> None:
    with pytest.raises(AnomalousPayload):
        FacebookAdapter().intake_key(payload)
