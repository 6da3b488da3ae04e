"""Rules as rows: list, create, update, delete, reorder; every change bumps the revision.

Validation happens before anything is written (``validate`` from the rules package, against
the teams, users and accounts that exist now), so a saved rule always compiles. Reads return
frozen dataclasses (the read-model style of every ``inbox`` query).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update

from inbox.accounts.models import Account
from inbox.automation.models import RuleRow, RuleSetState, RuleTrace
from inbox.db import Conn, dialect_of, insert_ignore
from inbox.errors import Invalid
from inbox.teams.models import Team
from inbox.types import utcnow
from inbox.users.models import User

_rules = RuleRow.__table__  # type: ignore[attr-defined]
_state = RuleSetState.__table__  # type: ignore[attr-defined]
_teams = Team.__table__  # type: ignore[attr-defined]
_users = User.__table__  # type: ignore[attr-defined]
_accounts = Account.__table__  # type: ignore[attr-defined]
_traces = RuleTrace.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True, slots=True)
class StoredRule:
    """A rule as saved: its place in the order and its definition (``name, mode, when, if,
    then, stop``: the YAML form, without empty fields)."""

    id: int
    position: int
    definition: dict[str, Any]
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RuleTraceRow:
    """What the rules did with one message on one event (or would have, in dry-run mode)."""

    event: str
    trace: list[dict[str, Any]] | None
    created_at: datetime


async def revision(conn: Conn) -> int:
    value = await conn.scalar(select(_state.c.revision).where(_state.c.id == 1))
    return int(value or 0)


async def bump_revision(conn: Conn) -> None:
    await conn.execute(insert_ignore(dialect_of(conn), _state, ["id"]), [{"id": 1, "revision": 0}])
    await conn.execute(
        update(_state).where(_state.c.id == 1).values(revision=_state.c.revision + 1)
    )


async def list_rules(conn: Conn) -> list[StoredRule]:
    rows = await conn.execute(select(_rules).order_by(_rules.c.position, _rules.c.id))
    return [StoredRule(r.id, r.position, dict(r.definition), r.updated_at) for r in rows]


async def traces_of(conn: Conn, message_id: int) -> list[RuleTraceRow]:
    rows = await conn.execute(
        select(_traces).where(_traces.c.message_id == message_id).order_by(_traces.c.id)
    )
    return [RuleTraceRow(r.event, r.trace, r.created_at) for r in rows]


async def traced_message_ids(conn: Conn, message_ids: list[int]) -> set[int]:
    """Which of these messages the rules left a trace on (the thread marks them)."""
    if not message_ids:
        return set()
    rows = await conn.execute(
        select(_traces.c.message_id).where(_traces.c.message_id.in_(message_ids)).distinct()
    )
    return {r.message_id for r in rows}


async def rule_traces(conn: Conn, message_id: int) -> list[dict[str, Any]]:
    """:func:`traces_of` as the web inbox's trace pane draws it."""
    return [
        {"event": t.event, "trace": t.trace or [], "created_at": t.created_at}
        for t in await traces_of(conn, message_id)
    ]


async def definitions(conn: Conn) -> list[dict[str, Any]]:
    rows = await conn.execute(select(_rules.c.definition).order_by(_rules.c.position, _rules.c.id))
    return [dict(r.definition) for r in rows]


async def directory_values(conn: Conn) -> tuple[dict[str, int], dict[str, int], frozenset[int]]:
    """Team names, user emails and account ids that rules may name."""
    teams = {r.name: int(r.id) for r in await conn.execute(select(_teams.c.id, _teams.c.name))}
    users = {
        r.email: int(r.id)
        for r in await conn.execute(
            select(_users.c.id, _users.c.email).where(_users.c.is_active.is_(True))
        )
    }
    accounts = frozenset(int(r.id) for r in await conn.execute(select(_accounts.c.id)))
    return teams, users, accounts


async def create_rule(conn: Conn, definition: dict[str, Any]) -> int:
    last = await conn.scalar(select(func.max(_rules.c.position)))
    now = utcnow()
    row = (
        await conn.execute(
            _rules.insert().returning(_rules.c.id),
            [
                {
                    "position": int(last or 0) + 1,
                    "definition": definition,
                    "created_at": now,
                    "updated_at": now,
                }
            ],
        )
    ).one()
    await bump_revision(conn)
    return int(row.id)


async def replace_all(conn: Conn, definitions_in_order: list[dict[str, Any]]) -> None:
    """The YAML import: the whole rule set at once."""
    await conn.execute(delete(_rules))
    now = utcnow()
    if definitions_in_order:
        await conn.execute(
            _rules.insert(),
            [
                {"position": n, "definition": d, "created_at": now, "updated_at": now}
                for n, d in enumerate(definitions_in_order, start=1)
            ],
        )
    await bump_revision(conn)


async def update_rule(conn: Conn, rule_id: int, definition: dict[str, Any]) -> bool:
    result = await conn.execute(
        update(_rules)
        .where(_rules.c.id == rule_id)
        .values(definition=definition, updated_at=utcnow())
    )
    if result.rowcount:
        await bump_revision(conn)
    return bool(result.rowcount)


async def delete_rule(conn: Conn, rule_id: int) -> bool:
    result = await conn.execute(delete(_rules).where(_rules.c.id == rule_id))
    if result.rowcount:
        await bump_revision(conn)
    return bool(result.rowcount)


async def reorder(conn: Conn, ids: list[int]) -> None:
    """``ids`` must name every rule exactly once; they take positions 1, 2, ... in that order."""
    existing = sorted(int(r.id) for r in await conn.execute(select(_rules.c.id)))
    if sorted(ids) != existing:
        raise Invalid("reorder needs every rule id exactly once")
    for position, rule_id in enumerate(ids, start=1):
        await conn.execute(update(_rules).where(_rules.c.id == rule_id).values(position=position))
    await bump_revision(conn)
