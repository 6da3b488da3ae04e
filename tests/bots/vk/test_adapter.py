from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bots.channel_names import Channel
from bots.vk import HANDLERS, VkAdapter
from inbox.events import AnomalousPayload, EventKind
from tests.bots.vk._expect import GROUP
from tests.support.payloads import all_payloads, event_name, load_payload

VK_FIXTURES = sorted(name for platform, name in all_payloads() if platform == "vk")


def test_adapter_identity() -> None:
    adapter = VkAdapter()

    assert adapter.channel is Channel.VK
    assert adapter.event_types == frozenset(HANDLERS)
    assert "confirmation" not in adapter.event_types


def test_normalise_delegates_to_the_dispatch_table() -> None:
    [ev] = VkAdapter().normalise(load_payload("vk", "message_new"), GROUP)

    assert (ev.kind, ev.account_external_id) == (EventKind.MESSAGE, GROUP)


def test_intake_key_is_the_event_id() -> None:
    payload = load_payload("vk", "wall_reply_new")

    assert VkAdapter().intake_key(payload) == "9d8c7b6a5f4e3d2c1b0a99887766554433221100"


@pytest.mark.parametrize("event_id", [None, "", 12345, ["a"]])
def test_intake_key_needs_a_string_event_id(event_id: Any) -> None:
    payload = load_payload("vk", "message_new")
    payload["event_id"] = event_id

    with pytest.raises(AnomalousPayload):
        VkAdapter().intake_key(payload)


def test_intake_key_rejects_non_objects() -> None:
    with pytest.raises(AnomalousPayload):
        VkAdapter().intake_key([])  # type: ignore[arg-type]


@pytest.mark.parametrize("event_type", sorted(HANDLERS))
def test_every_handled_type_has_a_fixture(event_type: str) -> None:
    assert any(event_name(name) == event_type for name in VK_FIXTURES)


def test_every_fixture_is_a_handled_type_or_the_handshake() -> None:
    assert {event_name(name) for name in VK_FIXTURES} <= {*HANDLERS, "confirmation"}


def test_fixtures_have_distinct_event_ids_and_the_real_envelope() -> None:
    payloads = [load_payload("vk", name) for name in VK_FIXTURES]

    assert len({p["event_id"] for p in payloads}) == len(payloads)
    for name, payload in zip(VK_FIXTURES, payloads, strict=True):
        assert payload["type"] == event_name(name)
        assert payload["group_id"] == int(GROUP)
        assert payload["v"] == "5.199"


def test_every_fixture_is_loaded_by_name_in_these_tests() -> None:
    """Mirror of the repo-wide inventory: each name appears as a literal load_payload call."""
    source = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    used = set(re.findall(r'load_payload\("vk", "([^"]+)"\)', source))

    assert set(VK_FIXTURES) <= used
