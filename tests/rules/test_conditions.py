"""Every condition key, true and false, on the fast path and the full evaluation alike."""

# ruff: noqa: RUF001 - Cyrillic and Hangul test texts are deliberate

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from rules._leaves import LEAVES
from rules.conditions import Leaf
from rules.facts import Facts
from tests.rules.helpers import CALENDAR, facts, matches

SATURDAY_NIGHT = datetime(2026, 3, 7, 20, 30, tzinfo=UTC)  # Sat 23:30 in Moscow


def breach(metric: str) -> Facts:
    return replace(facts(event="sla_breached"), sla_metric=metric)


CASES: list[tuple[str, dict[str, Any], Facts, bool]] = [
    ("channel in", {"channel": ["vk", "telegram"]}, facts(channel="vk"), True),
    ("channel out", {"channel": "vk"}, facts(channel="facebook"), False),
    ("account in", {"account": [3]}, facts(account_id=3), True),
    ("account out", {"account": [3]}, facts(account_id=1), False),
    ("kind comment", {"kind": "comment"}, facts(kind="comment"), True),
    ("kind direct", {"kind": "comment"}, facts(kind="direct"), False),
    ("regex", {"text_matches": r"заказ\s*№?\d{4,}"}, facts("ЗАКАЗ №12345 где?"), True),
    ("regex miss", {"text_matches": r"заказ\s*№?\d{4,}"}, facts("заказ 12"), False),
    ("has attachments", {"has_attachments": True}, facts(attachments=("photo",)), True),
    ("no attachments", {"has_attachments": True}, facts(), False),
    ("none wanted", {"has_attachments": False}, facts(), True),
    ("attachment type", {"attachment_type": ["photo"]}, facts(attachments=("Photo",)), True),
    ("attachment other", {"attachment_type": "photo"}, facts(attachments=("video",)), False),
    ("new contact", {"contact_is_new": True}, facts(contact={"is_new": True}), True),
    ("known contact", {"contact_is_new": True}, facts(), False),
    (
        "contact label",
        {"contact_labels_any": ["VIP", "wholesale"]},
        facts(contact={"labels": frozenset({"vip"})}),
        True,
    ),
    ("no contact label", {"contact_labels_any": ["vip"]}, facts(), False),
    (
        "conversation label",
        {"conversation_labels_any": ["delivery"]},
        facts(conversation={"labels": frozenset({"delivery", "x"})}),
        True,
    ),
    ("no conversation label", {"conversation_labels_any": "delivery"}, facts(), False),
    ("subscribed", {"subscribed": True}, facts(contact={"subscribed": True}), True),
    ("not subscribed", {"subscribed": True}, facts(), False),
    ("status", {"status": ["open", "pending"]}, facts(), True),
    ("other status", {"status": "resolved"}, facts(), False),
    ("unassigned", {"assignee": "none"}, facts(), True),
    ("assigned", {"assignee": "none"}, facts(conversation={"assignee_id": 11}), False),
    (
        "assignee email",
        {"assignee": "anna@example.com"},
        facts(conversation={"assignee_id": 11}),
        True,
    ),
    ("assignee id", {"assignee": 12}, facts(conversation={"assignee_id": 11}), False),
    ("no team", {"team": "none"}, facts(), True),
    ("team by name", {"team": "delivery"}, facts(conversation={"team_id": 7}), True),
    ("team by id", {"team": 8}, facts(conversation={"team_id": 7}), False),
    (
        "priority",
        {"priority": ["high", "urgent"]},
        facts(conversation={"priority": "urgent"}),
        True,
    ),
    ("no priority", {"priority": "none"}, facts(), True),
    ("other priority", {"priority": "high"}, facts(conversation={"priority": "low"}), False),
    ("inside hours", {"business_hours": "inside"}, facts(calendar=CALENDAR), True),
    (
        "outside hours",
        {"business_hours": "outside"},
        facts(calendar=CALENDAR, now=SATURDAY_NIGHT),
        True,
    ),
    ("not outside", {"business_hours": "outside"}, facts(calendar=CALENDAR), False),
    ("no calendar: inside", {"business_hours": "inside"}, facts(now=SATURDAY_NIGHT), True),
    ("weekday local", {"weekday": ["sat"]}, facts(calendar=CALENDAR, now=SATURDAY_NIGHT), True),
    ("weekday other", {"weekday": ["sun", "mon"]}, facts(now=SATURDAY_NIGHT), False),
    ("time in", {"time_between": ["09:00", "18:00"]}, facts(calendar=CALENDAR), True),
    ("time out", {"time_between": ["09:00", "12:00"]}, facts(calendar=CALENDAR), False),
    ("time utc", {"time_between": ["11:00", "13:00"]}, facts(), True),
    ("sla metric", {"sla_metric": ["first_response", "resolution"]}, breach("resolution"), True),
    ("other sla metric", {"sla_metric": "first_response"}, breach("next_response"), False),
]


@pytest.mark.parametrize(
    ("condition", "f", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_condition(condition: dict[str, Any], f: Facts, expected: bool) -> None:
    assert matches(condition, f) is expected


def test_every_condition_key_has_a_compiler_and_a_case() -> None:
    keys = set(Leaf.model_fields)
    assert set(LEAVES) == keys
    tested = {next(iter(c[1])) for c in CASES} | {"text_has_any", "language"}
    assert tested == keys


class TestTimeBetween:
    @pytest.mark.parametrize(
        ("hour", "minute", "expected"),
        [
            (22, 0, True),
            (23, 59, True),
            (0, 0, True),
            (7, 59, True),
            (8, 0, False),
            (21, 59, False),
        ],
    )
    def test_overnight_range_wraps_midnight(self, hour: int, minute: int, expected: bool) -> None:
        now = datetime(2026, 3, 4, hour, minute, tzinfo=UTC)
        assert matches({"time_between": ["22:00", "08:00"]}, facts(now=now)) is expected

    def test_uses_the_calendar_timezone(self) -> None:
        # 20:30 UTC is 23:30 in Moscow: inside 22:00-08:00 there, outside it in UTC
        condition = {"time_between": ["22:00", "08:00"]}
        assert matches(condition, facts(now=SATURDAY_NIGHT, calendar=CALENDAR))
        assert not matches(condition, facts(now=SATURDAY_NIGHT))


class TestNesting:
    TREE = {
        "all": [
            {"channel": ["vk", "telegram"]},
            {"any": [{"text_has_any": ["доставка"]}, {"text_matches": r"order\s*#\d+"}]},
            {"not": {"kind": "comment"}},
        ]
    }

    @pytest.mark.parametrize(
        ("f", "expected"),
        [
            (facts("Где доставка?", channel="vk"), True),
            (facts("my order #42", channel="telegram"), True),
            (facts("Где доставка?", channel="facebook"), False),
            (facts("Где доставка?", channel="vk", kind="comment"), False),
            (facts("привет", channel="vk"), False),
        ],
    )
    def test_all_any_not(self, f: Facts, expected: bool) -> None:
        assert matches(self.TREE, f) is expected

    def test_any_of_keyword_lists_is_merged_and_still_exact(self) -> None:
        tree = {"any": [{"text_has_any": ["a1"]}, {"text_has_any": ["b2"]}, {"kind": "comment"}]}
        assert matches(tree, facts("x b2 y"))
        assert matches(tree, facts("nothing", kind="comment"))
        assert not matches(tree, facts("nothing"))

    def test_not_of_a_keyword(self) -> None:
        tree = {"all": [{"kind": "comment"}, {"not": {"text_has_any": ["казино"]}}]}
        assert matches(tree, facts("хороший пост", kind="comment"))
        assert not matches(tree, facts("лучшее казино", kind="comment"))
