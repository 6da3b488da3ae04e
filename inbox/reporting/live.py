"""Counts of right now: open, unassigned, waiting for a human reply, and breaching an SLA."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, literal, or_, select

from inbox.conversations.models import Conversation, ConversationLabel, ConversationStatus
from inbox.db import Conn
from inbox.reporting.models import Cycle, ResponseTurn
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
    # Each EXISTS goes through the cycle's (conversation_id, seq) key and the turn's
    # (cycle_id, seq) key, correlated explicitly: an uncorrelated table here would make
    # the database join every turn with every conversation.
    c, t = _cycles.alias("live_cycle"), _turns.alias("live_turn")
    unanswered = (
        select(literal(1))
        .select_from(c.join(t, t.c.cycle_id == c.c.id))
        .where(
            c.c.conversation_id == _conv.c.id, c.c.resolved_at.is_(None), t.c.replied_at.is_(None)
        )
        .correlate(_conv)
    )
    overdue_turn = (
        select(literal(1))
        .where(t.c.cycle_id == c.c.id, t.c.replied_at.is_(None), t.c.due_at < now)
        .correlate(c)
    )
    breaching = (
        select(literal(1))
        .select_from(c)
        .where(
            c.c.conversation_id == _conv.c.id,
            c.c.resolved_at.is_(None),
            or_(
                c.c.first_response_breached.is_(True),
                c.c.resolution_breached.is_(True),
                exists(overdue_turn),
            ),
        )
        .correlate(_conv)
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
        return func.coalesce(func.sum(func.cast(cond, _conv.c.id.type)), 0)

    stmt = select(
        func.count().label("open"),
        tally(_conv.c.assignee_id.is_(None)).label("unassigned"),
        tally(exists(unanswered)).label("waiting"),
        tally(exists(breaching)).label("breached"),
    ).where(*where)
    row = (await conn.execute(stmt)).mappings().one()
    return {k: int(row[k]) for k in ("open", "unassigned", "waiting", "breached")}
