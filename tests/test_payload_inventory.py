"""Every handled event type has a fixture; every fixture parses and is used by a test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bots.registry import build_adapters
from tests.support.payloads import PAYLOAD_DIR, all_payloads, event_name, load_payload

TESTS_DIR = Path(__file__).resolve().parent
ADAPTERS = build_adapters()


def test_there_are_fixtures_for_every_channel() -> None:
    channels = {platform for platform, _ in all_payloads()}
    assert channels == set(ADAPTERS)


@pytest.mark.parametrize("channel", sorted(ADAPTERS))
def test_every_handled_event_type_has_a_fixture(channel: str) -> None:
    have = {event_name(name) for platform, name in all_payloads() if platform == channel}
    missing = ADAPTERS[channel].event_types - have
    assert not missing, f"{channel}: no fixture for {sorted(missing)}"


@pytest.mark.parametrize(("platform", "name"), all_payloads())
def test_every_fixture_parses_and_is_used(platform: str, name: str) -> None:
    assert load_payload(platform, name)
    pattern = re.compile(rf"load_payload\(\s*\"{platform}\",\s*\"{re.escape(name)}\"\s*\)")
    used = any(
        pattern.search(p.read_text(encoding="utf-8"))
        for p in TESTS_DIR.rglob("*.py")
        if p.resolve() != Path(__file__).resolve()
    )
    assert used, f"{platform}/{name}.json is never loaded by a test"


def test_fixture_files_live_in_platform_folders() -> None:
    stray = list(PAYLOAD_DIR.glob("*.json"))
    assert not stray, f"fixtures must sit in tests/payloads/<platform>/: {stray}"
