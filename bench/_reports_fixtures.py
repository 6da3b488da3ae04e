"""The fixed part of ``bench/reports``' data: accounts, agents, teams, labels, SLA policies,
business calendars, the COPY column lists, and the vocabulary messages are made of.

Four accounts (one per channel), 40 agents in 8 teams (some in two), 20 labels. About half
of the conversations fall under an SLA policy (three teams, the Instagram account, urgent
priority; one disabled policy that must never apply). The VK account and the EN team keep
business hours, so business-hours figures differ from wall-clock ones for them.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from rules.calendar import BusinessCalendar

AGENTS = 40
# Something argon2 can never verify: the agents only exist to be credited, never log in.
NO_PASSWORD = "!bench-agent-no-login"  # noqa: S105 - not a password, a non-hash

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
VK_CALENDAR = {
    "timezone": "Europe/Moscow",
    "weekly": {**{d: [["10:00", "19:00"]] for d in WEEKDAYS}, "sat": [["11:00", "16:00"]]},
}
EN_CALENDAR = {"timezone": "Europe/London", "weekly": {d: [["09:00", "18:00"]] for d in WEEKDAYS}}


@dataclass(frozen=True, slots=True)
class AccountSpec:
    id: int
    channel: str
    name: str
    external_id: str
    weight: float  # share of the conversations
    comment_share: float  # share of them that are public comment threads
    echoes: bool  # replies typed in the platform's own app come back as echoes
    options: dict[str, Any]

    @property
    def survey(self) -> bool:
        return bool(self.options.get("csat", {}).get("enabled"))


ACCOUNTS = (
    AccountSpec(
        1, "telegram", "Shop bot", "7000001", 0.35, 0.0, False, {"csat": {"enabled": True}}
    ),
    AccountSpec(
        2,
        "vk",
        "Shop VK",
        "218000001",
        0.25,
        0.2,
        True,
        {"csat": {"enabled": True}, "calendar": VK_CALENDAR},
    ),
    AccountSpec(3, "facebook", "Shop Page", "1010101", 0.2, 0.3, True, {"csat": {"enabled": True}}),
    AccountSpec(4, "instagram", "shop.ig", "17890001", 0.2, 0.4, True, {}),
)
ACCOUNT_WEIGHTS = [a.weight for a in ACCOUNTS]

TEAMS = ("Support RU", "Support EN", "Sales", "Billing", "Logistics", "Returns", "VIP", "Night")
TEAM_WEIGHTS = [22, 16, 14, 12, 11, 10, 7, 8]
TEAM_CALENDARS: dict[int, dict[str, Any]] = {2: EN_CALENDAR}

LABELS = (
    "delivery", "refund", "payment", "order status", "complaint", "wholesale", "vip", "return",
    "exchange", "warranty", "promo", "size", "damaged", "cancel", "invoice", "address",
    "pickup", "gift", "stock", "feedback",
)  # fmt: skip
LABEL_WEIGHTS = [1 / (i + 1) ** 0.8 for i in range(len(LABELS))]  # a few common, a long tail

PRIORITIES = (None, "low", "medium", "high", "urgent")
PRIORITY_WEIGHTS = [55, 10, 20, 10, 5]

# id, name, account, team, priority, first response, next response, resolution (minutes),
# business hours, enabled
POLICIES = (
    (1, "Support RU", None, 1, None, 60, 120, 24 * 60, False, True),
    (2, "Support EN (business hours)", None, 2, None, 120, 240, 16 * 60, True, True),
    (3, "VIP", None, 7, None, 20, 40, 8 * 60, False, True),
    (4, "Instagram", 4, None, None, 120, 240, 72 * 60, False, True),
    (5, "Urgent", None, None, "urgent", 30, 60, 8 * 60, False, True),
    (6, "Sales (retired)", None, 3, None, 5, 5, 60, False, False),
)
POLICY_COLUMNS = (
    "id", "name", "account_id", "team_id", "priority", "first_response_minutes",
    "next_response_minutes", "resolution_minutes", "business_hours", "enabled",
)  # fmt: skip

COLUMNS: dict[str, tuple[str, ...]] = {
    "accounts": (
        "id", "channel", "name", "external_id", "token", "webhook_secret", "secret",
        "confirmation_code", "options", "is_active", "created_at",
    ),
    "users": ("id", "email", "name", "password_hash", "role", "is_active", "created_at"),
    "teams": ("id", "name", "calendar"),
    "team_members": ("team_id", "user_id"),
    "sla_policies": (*POLICY_COLUMNS, "created_at"),
    "contacts": (
        "id", "channel", "external_id", "display_name", "username", "language", "created_at",
        "updated_at",
    ),
    "account_contacts": (
        "id", "account_id", "contact_id", "opted_out", "unreachable", "last_inbound_at",
        "updated_at",
    ),
    "conversations": (
        "id", "account_id", "channel", "kind", "thread_key", "peer_id", "contact_id", "status",
        "assignee_id", "team_id", "priority", "snoozed_until", "post_id", "post_url",
        "post_text", "last_message_at", "last_customer_message_at", "created_at", "updated_at",
    ),
    "conversation_labels": ("conversation_id", "label"),
    "messages": (
        "id", "conversation_id", "account_id", "external_id", "direction", "sender_type",
        "author_external_id", "author_name", "kind", "text", "attachments", "payload",
        "edit_history", "private", "delivery_status", "delivery_error", "sender_id", "team_id",
        "platform_ts", "created_at",
    ),
    "conversation_status_log": ("id", "conversation_id", "status", "at", "actor_id"),
    "conversation_cycles": (
        "id", "conversation_id", "seq", "account_id", "channel", "opened_at",
        "first_response_at", "first_response_agent_id", "first_response_team_id",
        "first_response_native", "first_response_seconds", "first_response_bh_seconds",
        "first_automated_at", "first_automated_seconds", "resolved_at", "resolved_by_id",
        "resolution_seconds", "resolution_bh_seconds", "agent_id", "team_id", "priority",
        "customer_turns", "answered_turns", "csat_requested_at", "csat_score", "csat_at",
        "sla_policy_id", "first_response_due_at", "resolution_due_at",
        "first_response_breached", "resolution_breached", "bh_pending", "updated_at",
    ),
    "response_turns": (
        "id", "cycle_id", "conversation_id", "seq", "account_id", "channel", "started_at",
        "replied_at", "agent_id", "team_id", "native", "automated_at", "seconds", "bh_seconds",
        "due_at", "cycle_resolved_at",
    ),
}  # fmt: skip
TABLES = tuple(COLUMNS)  # in foreign-key order
SERIAL_TABLES = tuple(t for t in TABLES if "id" in COLUMNS[t])

_VOCABULARY = (
    "hello hi please when where my order delivery refund payment paid size courier parcel "
    "tracking number item broken exchange warranty card cash urgent cancel address pickup "
    "package damaged return money invoice receipt promo code gift stock thanks today tomorrow "
    "привет здравствуйте подскажите пожалуйста когда где мой заказ доставка возврат оплата "
    "размер курьер посылка трек номер товар брак обмен спасибо сегодня завтра уже неделю жду"
)
WORDS = _VOCABULARY.split()


def texts(rng: random.Random, count: int = 4000) -> list[str]:
    """A pool of message texts, 2-24 words, a few with an order number."""
    out = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(2, 24))
        if rng.random() < 0.15:
            words.append(f"#{rng.randint(100000, 999999)}")
        out.append(" ".join(words).capitalize())
    return out


def teams_of_agents(rng: random.Random) -> dict[int, list[int]]:
    """Team id -> member user ids: five agents per team, a quarter also in a second team."""
    members: dict[int, list[int]] = {t: [] for t in range(1, len(TEAMS) + 1)}
    for user_id in range(1, AGENTS + 1):
        home = (user_id - 1) % len(TEAMS) + 1
        members[home].append(user_id)
        if rng.random() < 0.25:
            other = rng.choice([t for t in members if t != home])
            members[other].append(user_id)
    return members


def fixture_rows(members: dict[int, list[int]], at: datetime) -> dict[str, list[tuple[Any, ...]]]:
    accounts = [
        (a.id, a.channel, a.name, a.external_id, "bench-token", "", "", "",
         json.dumps(a.options), True, at)
        for a in ACCOUNTS
    ]  # fmt: skip
    users = [
        (n, f"agent{n}@bench.local", f"Agent {n}", NO_PASSWORD, "agent", True, at)
        for n in range(1, AGENTS + 1)
    ]
    teams = [
        (i, name, json.dumps(TEAM_CALENDARS[i]) if i in TEAM_CALENDARS else None)
        for i, name in enumerate(TEAMS, start=1)
    ]
    team_members = [(t, u) for t, users_ in members.items() for u in users_]
    return {
        "accounts": accounts,
        "users": users,
        "teams": teams,
        "team_members": team_members,
        "sla_policies": [(*p, at) for p in POLICIES],
    }


def policies() -> list[SimpleNamespace]:
    return [SimpleNamespace(**dict(zip(POLICY_COLUMNS, p, strict=True))) for p in POLICIES]


def calendars() -> tuple[dict[int, BusinessCalendar], dict[int, BusinessCalendar]]:
    """(team id -> calendar, account id -> calendar): a team's own calendar comes first."""
    teams = {t: BusinessCalendar.from_dict(c) for t, c in TEAM_CALENDARS.items()}
    accounts = {
        a.id: BusinessCalendar.from_dict(a.options["calendar"])
        for a in ACCOUNTS
        if "calendar" in a.options
    }
    return teams, accounts
