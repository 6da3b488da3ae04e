"""SLA policies as rows: list, create, change, delete, with the checks an admin needs.

A policy change applies to the cycles still open: they are marked (``bh_pending``) and the
worker replays them, so their deadlines follow the new targets; closed cycles keep the
deadlines they were measured against. Reads return :class:`PolicyRow`, a frozen dataclass (the
read-model style of every ``inbox`` query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from inbox.accounts.models import Account
from inbox.conversations.service import PRIORITIES
from inbox.db import Conn
from inbox.errors import Invalid
from inbox.reporting.models import Cycle
from inbox.reporting.sla_models import SlaPolicy
from inbox.teams.models import Team
from inbox.types import utcnow

_policies = SlaPolicy.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_accounts = Account.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]

TARGETS = ("first_response_minutes", "next_response_minutes", "resolution_minutes")
FIELDS = ("name", "account_id", "team_id", "priority", *TARGETS, "business_hours", "enabled")


class PolicyError(Invalid):
    """A policy that cannot be saved; the message says why."""


@dataclass(frozen=True, slots=True)
class PolicyRow:
    """Targets in minutes (None: not measured); a scope left None matches any."""

    id: int
    name: str
    account_id: int | None
    team_id: int | None
    priority: str | None
    first_response_minutes: int | None
    next_response_minutes: int | None
    resolution_minutes: int | None
    business_hours: bool
    enabled: bool
    created_at: datetime


def to_public(row: Any) -> PolicyRow:
    return PolicyRow(id=row.id, **{f: getattr(row, f) for f in FIELDS}, created_at=row.created_at)


async def list_policies(conn: Conn) -> list[PolicyRow]:
    rows = await conn.execute(select(_policies).order_by(_policies.c.id))
    return [to_public(r) for r in rows]


async def get_policy(conn: Conn, policy_id: int) -> PolicyRow | None:
    row = (await conn.execute(select(_policies).where(_policies.c.id == policy_id))).first()
    return None if row is None else to_public(row)


async def create_policy(conn: Conn, values: dict[str, Any]) -> PolicyRow:
    await _check(conn, values)
    row = (
        await conn.execute(
            _policies.insert().returning(*_policies.c),
            [{**{f: values.get(f) for f in FIELDS}, "created_at": utcnow()}],
        )
    ).one()
    await _reapply(conn)
    return to_public(row)


async def update_policy(conn: Conn, policy_id: int, changes: dict[str, Any]) -> PolicyRow | None:
    current = await get_policy(conn, policy_id)
    if current is None:
        return None
    merged = {**{f: getattr(current, f) for f in FIELDS}, **changes}
    await _check(conn, merged)
    if changes:
        await conn.execute(update(_policies).where(_policies.c.id == policy_id).values(**changes))
        await _reapply(conn)
    return await get_policy(conn, policy_id)


async def delete_policy(conn: Conn, policy_id: int) -> bool:
    result = await conn.execute(delete(_policies).where(_policies.c.id == policy_id))
    if result.rowcount:
        await _reapply(conn)
    return bool(result.rowcount)


async def _check(conn: Conn, values: dict[str, Any]) -> None:
    if not any(values.get(t) is not None for t in TARGETS):
        raise PolicyError(f"a policy sets at least one target: {', '.join(TARGETS)}")
    for target in TARGETS:
        minutes = values.get(target)
        if minutes is not None and minutes <= 0:
            raise PolicyError(f"{target} must be more than 0")
    priority = values.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise PolicyError(f"priority is one of {', '.join(PRIORITIES)}")
    account_id, team_id = values.get("account_id"), values.get("team_id")
    if account_id is not None and (
        await conn.scalar(select(_accounts.c.id).where(_accounts.c.id == account_id)) is None
    ):
        raise PolicyError(f"no account {account_id}")
    if team_id is not None and (
        await conn.scalar(select(_teams.c.id).where(_teams.c.id == team_id)) is None
    ):
        raise PolicyError(f"no team {team_id}")


async def _reapply(conn: Conn) -> int:
    """Mark the open cycles, so the worker replays them under the policies as they are now."""
    result = await conn.execute(
        update(_cycles).where(_cycles.c.resolved_at.is_(None)).values(bh_pending=True)
    )
    return int(result.rowcount or 0)
