"""Builders for rules tests: facts with sensible defaults, and rules from YAML or dicts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from rules.calendar import BusinessCalendar
from rules.compile import CompiledRules, Directory, compile_rules
from rules.evaluate import evaluate
from rules.facts import ContactFacts, ConversationFacts, Facts, MessageFacts
from rules.schema import load_yaml, parse_rules

DIRECTORY = Directory(
    teams={"Delivery": 7, "Moderation": 8},
    users={"anna@example.com": 11, "boris@example.com": 12},
    account_ids=frozenset({1, 2, 3}),
)
MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 15:00 in Moscow

CALENDAR = BusinessCalendar.from_dict(
    {
        "timezone": "Europe/Moscow",
        "weekly": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)


def facts(
    text: str = "hello",
    *,
    event: str = "message_received",
    channel: str = "telegram",
    account_id: int = 1,
    kind: str = "direct",
    direction: str = "in",
    sender_type: str = "contact",
    attachments: tuple[str, ...] = (),
    is_echo: bool = False,
    now: datetime = MONDAY_NOON,
    calendar: BusinessCalendar | None = None,
    contact: dict[str, Any] | None = None,
    conversation: dict[str, Any] | None = None,
) -> Facts:
    base_contact = ContactFacts(
        id=1,
        display_name="Иван Петров",
        username="ivan",
        language="ru",
        is_new=False,
        labels=frozenset(),
        subscribed=False,
    )
    base_conversation = ConversationFacts(
        id=10,
        status="open",
        assignee_id=None,
        team_id=None,
        labels=frozenset(),
        priority=None,
        is_new=False,
        reopened=False,
    )
    return Facts(
        event=event,
        message=MessageFacts(
            text=text,
            channel=channel,
            account_id=account_id,
            kind=kind,
            direction=direction,
            sender_type=sender_type,
            attachment_types=attachments,
            is_echo=is_echo,
        ),
        contact=replace(base_contact, **(contact or {})),
        conversation=replace(base_conversation, **(conversation or {})),
        now=now,
        calendar=calendar,
    )


def compiled(source: str | list[dict[str, Any]], directory: Directory = DIRECTORY) -> CompiledRules:
    rules = load_yaml(source) if isinstance(source, str) else parse_rules(source)
    return compile_rules(rules, directory)


def rule(condition: dict[str, Any] | None, **extra: Any) -> dict[str, Any]:
    """One rule dict that labels the conversation "hit" when ``condition`` holds."""
    data: dict[str, Any] = {"name": "r", "when": "message_received", "then": [{"add_label": "hit"}]}
    if condition is not None:
        data["if"] = condition
    return data | extra


def matches(condition: dict[str, Any], f: Facts, directory: Directory = DIRECTORY) -> bool:
    """Whether one rule with ``condition`` (on ``f``'s event) fires, on the fast and the full
    path."""
    rules = compiled([rule(condition, when=f.event)], directory)
    fast = bool(evaluate(rules, f).actions)
    full = bool(evaluate(rules, f, explain=True).actions)
    assert fast == full, f"fast path {fast} != full evaluation {full} for {condition}"
    return fast
