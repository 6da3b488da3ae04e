"""Counts of right now: open, unassigned, waiting for a human reply, and breaching an SLA."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from inbox.conversations.models import Conversation, ConversationLabel, ConversationStatus
from inbox.db import Conn, unit_of_work
from inbox.reporting.models import Cycle, ResponseTurn
from inbox.reporting.report import ReportFilter
from inbox.types import utcnow

_conv = Conversation.__table__  # type: ignore[attr-defined]
_labels = ConversationLabel.__table__  # type: ignore[attr-defined]
_cycles = Cycle.__table__  # type: ignore[attr-defined]
_turns = ResponseTurn.__table__  # type: ignore[attr-defined]


async def live_counts(
    conn: Conn,
    *,
    channel: str | None = None,
    account_id: int | None = None,
    agent_id: int | None = None,
    team_id: int | None = None,
    label: str | None = None,
) -> dict[str, int]:
    now = utcnow()
    # The open cycle (a conversation has at most one: only its last can be open), joined
    # once; its turn counters say whether the customer waits, without reading the turns.
    c = _cycles.alias("open_cycle")
    t = _turns.alias("live_turn")
    waiting = c.c.customer_turns > c.c.answered_turns  # the last turn has no human reply yet
    overdue_turn = (
        select(literal(1))
        .where(t.c.cycle_id == c.c.id, t.c.replied_at.is_(None), t.c.due_at < now)
        .correlate(c)
    )
    # CASE keeps the turn lookup to the cycles that wait and are not already flagged.
    breached = case(
        (or_(c.c.first_response_breached.is_(True), c.c.resolution_breached.is_(True)), 1),
        (and_(waiting, exists(overdue_turn)), 1),
        else_=0,
    )
    where: list[Any] = [_conv.c.status == ConversationStatus.OPEN.value]
    if channel is not None:
        where.append(_conv.c.channel == channel)
    if account_id is not None:
        where.append(_conv.c.account_id == account_id)
    if agent_id is not None:
        where.append(_conv.c.assignee_id == agent_id)
    if team_id is not None:
        where.append(_conv.c.team_id == team_id)
    if label is not None:
        where.append(
            exists().where(and_(_labels.c.conversation_id == _conv.c.id, _labels.c.label == label))
        )

    def tally(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    stmt = (
        select(
            func.count().label("open"),
            tally(_conv.c.assignee_id.is_(None)).label("unassigned"),
            tally(waiting).label("waiting"),
            func.coalesce(func.sum(breached), 0).label("breached"),
        )
        .select_from(
            _conv.outerjoin(c, and_(c.c.conversation_id == _conv.c.id, c.c.resolved_at.is_(None)))
        )
        .where(*where)
    )
    row = (await conn.execute(stmt)).mappings().one()
    return {k: int(row[k]) for k in ("open", "unassigned", "waiting", "breached")}


async def live_for(db: AsyncEngine, f: ReportFilter) -> dict[str, int]:
    """The live counts under a report's filters (its period does not apply: they are now)."""
    async with unit_of_work(db, writer=False) as conn:
        return await live_counts(
            conn,
            channel=f.channel,
            account_id=f.account_id,
            agent_id=f.agent_id,
            team_id=f.team_id,
            label=f.label,
        )
