"""The Telegram fixtures are real Bot API shapes, distinct, used, and cover every handler."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from aiogram.types import Update
from pydantic import BaseModel

from bots.telegram.normalise import HANDLERS
from tests.support.payloads import all_payloads, event_name, load_payload

NAMES = [name for platform, name in all_payloads() if platform == "telegram"]


def _unknown_fields(node: Any, path: str) -> list[str]:
    """aiogram keeps fields it does not know as extras: in a fixture that means a typo."""
    found: list[str] = []
    if isinstance(node, BaseModel):
        found += [f"{path}.{key}" for key in node.model_extra or {}]
        for field in type(node).model_fields:
            found += _unknown_fields(getattr(node, field), f"{path}.{field}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _unknown_fields(item, f"{path}[{i}]")
    return found


@pytest.mark.parametrize("name", NAMES)
def test_fixture_is_a_bot_api_update_of_its_named_type(name: str) -> None:
    update = Update.model_validate(load_payload("telegram", name))

    assert update.event_type == event_name(name)
    assert _unknown_fields(update, "update") == []


def test_update_ids_are_distinct() -> None:
    ids = [load_payload("telegram", name)["update_id"] for name in NAMES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("event_type", sorted(HANDLERS))
def test_every_handler_has_a_fixture(event_type: str) -> None:
    assert any(name == event_type or name.startswith(f"{event_type}__") for name in NAMES)


def test_every_fixture_is_loaded_by_name_in_a_test() -> None:
    sources = "".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("*.py"))
    used = set(re.findall(r'load_payload\(\s*"telegram",\s*"([^"]+)"\s*\)', sources))
    assert set(NAMES) - used == set()
