"""SLA targets for a cycle: which policy applies, and the deadlines it sets.

The most specific enabled policy wins: one naming the conversation's team, then one naming
its account, then one naming its priority (each named field must match; ties go to the
oldest policy). Targets in business hours count the cycle's calendar's open time. The first
customer turn is held to the first-response target, later turns to the next-response one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from inbox.changes import ConversationSnapshot
from inbox.db import Conn
from inbox.reporting.cycles import CycleFacts, Turn
from inbox.reporting.sla_models import SlaPolicy
from inbox.types import utcnow
from rules.calendar import BusinessCalendar

_policies = SlaPolicy.__table__  # type: ignore[attr-defined]

CYCLE_FIELDS = (
    "sla_policy_id",
    "first_response_due_at",
    "resolution_due_at",
    "first_response_breached",
    "resolution_breached",
)


@dataclass(frozen=True, slots=True)
class PolicyTargets:
    """An enabled policy as a cycle is held to it: its scope (to pick the most specific) and
    its targets in minutes (None: not measured)."""

    id: int
    account_id: int | None
    team_id: int | None
    priority: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool

    @classmethod
    def of(cls, row: Any) -> PolicyTargets:
        return cls(
            id=row.id,
            account_id=row.account_id,
            team_id=row.team_id,
            priority=row.priority,
            first_response_minutes=row.first_response_minutes,
            next_response_minutes=row.next_response_minutes,
            resolution_minutes=row.resolution_minutes,
            business_hours=row.business_hours,
        )


_TARGET_COLUMNS = tuple(_policies.c[f.name] for f in fields(PolicyTargets))


async def policy_for(conn: Conn, conversation: ConversationSnapshot) -> PolicyTargets | None:
    rows = await conn.execute(
        select(*_TARGET_COLUMNS).where(
            _policies.c.enabled.is_(True),
            or_(
                _policies.c.account_id.is_(None),
                _policies.c.account_id == conversation.account_id,
            ),
            or_(_policies.c.team_id.is_(None), _policies.c.team_id == conversation.team_id),
            or_(_policies.c.priority.is_(None), _policies.c.priority == conversation.priority),
        )
    )
    return pick(PolicyTargets.of(r) for r in rows)


def pick(policies: Iterable[PolicyTargets]) -> PolicyTargets | None:
    def rank(p: PolicyTargets) -> tuple[int, int]:
        specific = (
            4 * (p.team_id is not None) + 2 * (p.account_id is not None) + (p.priority is not None)
        )
        return (-specific, p.id)

    return min(policies, key=rank, default=None)


def deadline(
    start: datetime,
    minutes: int | None,
    policy: PolicyTargets,
    calendar: BusinessCalendar | None,
) -> datetime | None:
    if minutes is None:
        return None
    if policy.business_hours and calendar is not None:
        return calendar.business_deadline(start, minutes * 60.0)
    return start + timedelta(minutes=minutes)


def breached(due: datetime | None, done_at: datetime | None, now: datetime) -> bool | None:
    """True: missed; False: met; None: no target, or still running."""
    if due is None:
        return None
    if done_at is not None:
        return done_at > due
    return True if now > due else None


def cycle_deadlines(
    cycle: CycleFacts, policy: PolicyTargets | None, calendar: BusinessCalendar | None
) -> dict[str, Any]:
    if policy is None:
        return dict.fromkeys(CYCLE_FIELDS)
    now = utcnow()
    first_due = deadline(cycle.opened_at, policy.first_response_minutes, policy, calendar)
    resolution_due = deadline(cycle.opened_at, policy.resolution_minutes, policy, calendar)
    return {
        "sla_policy_id": policy.id,
        "first_response_due_at": first_due,
        "resolution_due_at": resolution_due,
        "first_response_breached": _first_response_breached(cycle, first_due, now),
        "resolution_breached": breached(resolution_due, cycle.resolved_at, now),
    }


def _first_response_breached(cycle: CycleFacts, due: datetime | None, now: datetime) -> bool | None:
    """Resolved with no human reply: missed if resolved after the deadline, else not owed."""
    if due is not None and cycle.first_response_at is None and cycle.resolved_at is not None:
        return True if cycle.resolved_at > due else None
    return breached(due, cycle.first_response_at, now)


def turn_deadline(
    turn: Turn, policy: PolicyTargets | None, calendar: BusinessCalendar | None
) -> datetime | None:
    if policy is None:
        return None
    minutes = policy.first_response_minutes if turn.seq == 1 else policy.next_response_minutes
    return deadline(turn.started_at, minutes, policy, calendar)
